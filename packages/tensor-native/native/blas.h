/* OpenBLAS, loaded at run time with dlopen: no BLAS headers or link step at build time. */
#ifndef TENSOR_NATIVE_BLAS_H
#define TENSOR_NATIVE_BLAS_H

/* CBLAS enum values (cblas.h). */
enum { CblasRowMajor = 101 };
enum { CblasNoTrans = 111, CblasTrans = 112 };

typedef void (*sgemm_fn)(int order, int transA, int transB, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc);

/* Loads `path` and resolves cblas_sgemm. Returns 0, or -1 with a message in `error` (size `size`). */
int blas_load(const char *path, char *error, int size);
/* The resolved cblas_sgemm, or NULL before a successful blas_load. */
sgemm_fn blas_sgemm(void);
/* openblas_get_config() and the thread count, when the library exports them ("" / 0 otherwise). */
const char *blas_config(void);
int blas_threads(void);
/* openblas_set_num_threads, when exported (a no-op otherwise). */
void blas_set_threads(int threads);

#endif
