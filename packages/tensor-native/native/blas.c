#include "blas.h"

#include <dlfcn.h>
#include <stdio.h>

static void *handle = NULL;
static sgemm_fn sgemm = NULL;
static char *(*get_config)(void) = NULL;
static int (*get_threads)(void) = NULL;
static void (*set_threads)(int) = NULL;

int blas_load(const char *path, char *error, int size) {
  if (sgemm != NULL) return 0;
  void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    snprintf(error, (size_t)size, "%s", dlerror());
    return -1;
  }
  sgemm_fn found = (sgemm_fn)dlsym(lib, "cblas_sgemm");
  if (found == NULL) {
    snprintf(error, (size_t)size, "%s has no cblas_sgemm", path);
    dlclose(lib);
    return -1;
  }
  handle = lib;
  sgemm = found;
  get_config = (char *(*)(void))dlsym(lib, "openblas_get_config");
  get_threads = (int (*)(void))dlsym(lib, "openblas_get_num_threads");
  set_threads = (void (*)(int))dlsym(lib, "openblas_set_num_threads");
  return 0;
}

sgemm_fn blas_sgemm(void) { return sgemm; }

const char *blas_config(void) { return get_config != NULL ? get_config() : ""; }

int blas_threads(void) { return get_threads != NULL ? get_threads() : 0; }

void blas_set_threads(int threads) {
  if (set_threads != NULL) set_threads(threads);
}
