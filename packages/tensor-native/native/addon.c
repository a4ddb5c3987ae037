/*
 * N-API glue of @adalora/tensor-native. Every kernel receives the wasm heap (an ArrayBuffer) and byte offsets
 * of tensors inside it, checks that each operand lies inside the heap, and works on that memory in place.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdio.h>
#include <string.h>

#include "blas.h"
#include "fused.h"
#include "matmul.h"

#define MAX_ARGS 16

typedef struct {
  napi_env env;
  napi_value argv[MAX_ARGS];
  size_t argc;
  char *heap;
  size_t heapBytes;
  int failed;
} Call;

static void fail(Call *call, const char *message) {
  if (!call->failed) napi_throw_error(call->env, "ADALORA_NATIVE", message);
  call->failed = 1;
}

static int start(Call *call, napi_env env, napi_callback_info info, size_t expected, int withHeap) {
  memset(call, 0, sizeof *call);
  call->env = env;
  call->argc = MAX_ARGS;
  if (napi_get_cb_info(env, info, &call->argc, call->argv, NULL, NULL) != napi_ok || call->argc < expected) {
    fail(call, "tensor-native: wrong number of arguments");
    return 0;
  }
  if (withHeap) {
    void *data = NULL;
    bool isBuffer = false;
    napi_is_arraybuffer(env, call->argv[0], &isBuffer);
    if (!isBuffer || napi_get_arraybuffer_info(env, call->argv[0], &data, &call->heapBytes) != napi_ok) {
      fail(call, "tensor-native: the first argument must be the wasm heap's ArrayBuffer");
      return 0;
    }
    call->heap = (char *)data;
  }
  return 1;
}

static int64_t int_arg(Call *call, size_t i) {
  int64_t value = 0;
  if (!call->failed && napi_get_value_int64(call->env, call->argv[i], &value) != napi_ok) fail(call, "tensor-native: expected an integer argument");
  return value;
}

static double num_arg(Call *call, size_t i) {
  double value = 0;
  if (!call->failed && napi_get_value_double(call->env, call->argv[i], &value) != napi_ok) fail(call, "tensor-native: expected a number argument");
  return value;
}

static int bool_arg(Call *call, size_t i) {
  bool value = false;
  if (!call->failed && napi_get_value_bool(call->env, call->argv[i], &value) != napi_ok) fail(call, "tensor-native: expected a boolean argument");
  return value ? 1 : 0;
}

/* A float pointer to `count` floats at byte offset argv[i] of the heap; NULL (and a thrown error) when out of range. */
static float *floats_at(Call *call, size_t i, int64_t count) {
  int64_t offset = int_arg(call, i);
  if (call->failed) return NULL;
  if (offset < 0 || count < 0 || (offset & 3) != 0 || (uint64_t)offset + (uint64_t)count * 4u > call->heapBytes) {
    char message[160];
    snprintf(message, sizeof message, "tensor-native: operand %zu (offset %lld, %lld floats) lies outside the wasm heap (%zu bytes)", i,
             (long long)offset, (long long)count, call->heapBytes);
    fail(call, message);
    return NULL;
  }
  return (float *)(call->heap + offset);
}

static napi_value undefined(napi_env env) {
  napi_value value;
  napi_get_undefined(env, &value);
  return value;
}

/* load(path) → { config, threads }; throws with dlerror() when the library cannot be loaded. */
static napi_value js_load(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 1, 0)) return NULL;
  char path[4096];
  size_t length = 0;
  if (napi_get_value_string_utf8(env, call.argv[0], path, sizeof path, &length) != napi_ok) {
    fail(&call, "tensor-native: load(path) needs a string");
    return NULL;
  }
  char error[1024];
  if (blas_load(path, error, sizeof error) != 0) {
    fail(&call, error);
    return NULL;
  }
  napi_value result, config, threads;
  napi_create_object(env, &result);
  napi_create_string_utf8(env, blas_config(), NAPI_AUTO_LENGTH, &config);
  napi_create_int32(env, blas_threads(), &threads);
  napi_set_named_property(env, result, "config", config);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}

/* gemm(heap, transA, transB, m, n, k, batch, aOffset, aStride, bOffset, bStride, cOffset) */
static napi_value js_gemm(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 12, 1)) return NULL;
  int transA = bool_arg(&call, 1), transB = bool_arg(&call, 2);
  int64_t m = int_arg(&call, 3), n = int_arg(&call, 4), k = int_arg(&call, 5), batch = int_arg(&call, 6);
  int64_t aStride = int_arg(&call, 8), bStride = int_arg(&call, 10);
  if (call.failed) return NULL;
  if (batch < 0 || m < 0 || n < 0 || k < 0 || aStride < 0 || bStride < 0 || m > 2147483647 || n > 2147483647 || k > 2147483647) {
    fail(&call, "tensor-native: gemm dimensions must be non-negative 32-bit integers");
    return NULL;
  }
  int64_t last = batch > 0 ? batch - 1 : 0;
  float *a = floats_at(&call, 7, last * aStride + m * k);
  float *b = floats_at(&call, 9, last * bStride + k * n);
  float *c = floats_at(&call, 11, batch * m * n);
  if (call.failed) return NULL;
  if (matmul_batched(transA, transB, m, n, k, batch, a, aStride, b, bStride, c) != 0) fail(&call, "tensor-native: OpenBLAS is not loaded");
  return call.failed ? NULL : undefined(env);
}

/* epilogue(heap, cOffset, rows, n, biasOffset, biasMode, activation, alpha, preluOffset, preluMode) */
static napi_value js_epilogue(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 10, 1)) return NULL;
  int64_t rows = int_arg(&call, 2), n = int_arg(&call, 3);
  int biasMode = (int)int_arg(&call, 5), activation = (int)int_arg(&call, 6), preluMode = (int)int_arg(&call, 9);
  float alpha = (float)num_arg(&call, 7);
  float *c = floats_at(&call, 1, rows * n);
  float *bias = biasMode == BCAST_NONE ? NULL : floats_at(&call, 4, biasMode == BCAST_COLUMN ? n : 1);
  float *prelu = preluMode == BCAST_NONE ? NULL : floats_at(&call, 8, preluMode == BCAST_COLUMN ? n : 1);
  if (call.failed) return NULL;
  matmul_epilogue(c, rows, n, bias, biasMode, activation, alpha, prelu, preluMode);
  return undefined(env);
}


/* unary(heap, op, xOffset, yOffset, n): op 0 = exp, 1 = erf, 2 = gelu. */
static napi_value js_unary(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 5, 1)) return NULL;
  int op = (int)int_arg(&call, 1);
  int64_t n = int_arg(&call, 4);
  float *x = floats_at(&call, 2, n);
  float *y = floats_at(&call, 3, n);
  if (call.failed) return NULL;
  if (op == 0) fused_exp(x, y, n);
  else if (op == 1) fused_erf(x, y, n);
  else if (op == 2) fused_gelu(x, y, n);
  else fail(&call, "tensor-native: unknown unary op");
  return call.failed ? NULL : undefined(env);
}

/* sum(heap, xOffset, outOffset, outer, reduce, inner) */
static napi_value js_sum(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 6, 1)) return NULL;
  int64_t outer = int_arg(&call, 3), reduce = int_arg(&call, 4), inner = int_arg(&call, 5);
  float *x = floats_at(&call, 1, outer * reduce * inner);
  float *out = floats_at(&call, 2, outer * inner);
  if (call.failed) return NULL;
  fused_sum(x, out, outer, reduce, inner);
  return undefined(env);
}

/* layerNorm(heap, xOffset, gammaOffset, betaOffset, eps, rows, cols, yOffset, meanOffset, rstdOffset) */
static napi_value js_layer_norm(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 10, 1)) return NULL;
  float eps = (float)num_arg(&call, 4);
  int64_t rows = int_arg(&call, 5), cols = int_arg(&call, 6);
  float *x = floats_at(&call, 1, rows * cols), *gamma = floats_at(&call, 2, cols), *beta = floats_at(&call, 3, cols);
  float *y = floats_at(&call, 7, rows * cols), *mean = floats_at(&call, 8, rows), *rstd = floats_at(&call, 9, rows);
  if (call.failed) return NULL;
  fused_layer_norm(x, gamma, beta, eps, rows, cols, y, mean, rstd);
  return undefined(env);
}

/* layerNormGrad(heap, dyOffset, xOffset, meanOffset, rstdOffset, gammaOffset, rows, cols, dxOffset, dgammaOffset, dbetaOffset) */
static napi_value js_layer_norm_grad(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 11, 1)) return NULL;
  int64_t rows = int_arg(&call, 6), cols = int_arg(&call, 7);
  float *dy = floats_at(&call, 1, rows * cols), *x = floats_at(&call, 2, rows * cols), *mean = floats_at(&call, 3, rows);
  float *rstd = floats_at(&call, 4, rows), *gamma = floats_at(&call, 5, cols), *dx = floats_at(&call, 8, rows * cols);
  float *dgamma = floats_at(&call, 9, cols), *dbeta = floats_at(&call, 10, cols);
  if (call.failed) return NULL;
  fused_layer_norm_grad(dy, x, mean, rstd, gamma, rows, cols, dx, dgamma, dbeta);
  return undefined(env);
}

/* geluGrad(heap, dyOffset, xOffset, dxOffset, n) */
static napi_value js_gelu_grad(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 5, 1)) return NULL;
  int64_t n = int_arg(&call, 4);
  float *dy = floats_at(&call, 1, n), *x = floats_at(&call, 2, n), *dx = floats_at(&call, 3, n);
  if (call.failed) return NULL;
  fused_gelu_grad(dy, x, dx, n);
  return undefined(env);
}

/* softmaxGrad(heap, dyOffset, yOffset, rows, cols, dxOffset) */
static napi_value js_softmax_grad(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 6, 1)) return NULL;
  int64_t rows = int_arg(&call, 3), cols = int_arg(&call, 4);
  float *dy = floats_at(&call, 1, rows * cols), *y = floats_at(&call, 2, rows * cols), *dx = floats_at(&call, 5, rows * cols);
  if (call.failed) return NULL;
  fused_softmax_grad(dy, y, rows, cols, dx);
  return undefined(env);
}

/* gather(heap, xOffset, indicesOffset, count, outer, axis, inner, outOffset) → -1 - i for a bad index i, else 0 */
static napi_value js_gather(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 8, 1)) return NULL;
  int64_t count = int_arg(&call, 3), outer = int_arg(&call, 4), axis = int_arg(&call, 5), inner = int_arg(&call, 6);
  float *x = floats_at(&call, 1, outer * axis * inner), *indices = floats_at(&call, 2, count), *out = floats_at(&call, 7, outer * count * inner);
  if (call.failed) return NULL;
  int64_t status = fused_gather((const uint32_t *)x, (const int32_t *)indices, count, outer, axis, inner, (uint32_t *)out);
  napi_value value;
  napi_create_int64(env, status, &value);
  return value;
}

/* scatterAdd(heap, srcOffset, indicesOffset, count, outer, axis, inner, outOffset) */
static napi_value js_scatter_add(napi_env env, napi_callback_info info) {
  Call call;
  if (!start(&call, env, info, 8, 1)) return NULL;
  int64_t count = int_arg(&call, 3), outer = int_arg(&call, 4), axis = int_arg(&call, 5), inner = int_arg(&call, 6);
  float *src = floats_at(&call, 1, outer * count * inner), *indices = floats_at(&call, 2, count), *out = floats_at(&call, 7, outer * axis * inner);
  if (call.failed) return NULL;
  fused_scatter_add(src, (const int32_t *)indices, count, outer, axis, inner, out);
  return undefined(env);
}


#define EXPORT(name, fn)                                              \
  do {                                                                \
    napi_value f;                                                     \
    napi_create_function(env, name, NAPI_AUTO_LENGTH, fn, NULL, &f); \
    napi_set_named_property(env, exports, name, f);                   \
  } while (0)

static napi_value init(napi_env env, napi_value exports) {
  EXPORT("load", js_load);
  EXPORT("gemm", js_gemm);
  EXPORT("epilogue", js_epilogue);
  EXPORT("unary", js_unary);
  EXPORT("sum", js_sum);
  EXPORT("layerNorm", js_layer_norm);
  EXPORT("layerNormGrad", js_layer_norm_grad);
  EXPORT("geluGrad", js_gelu_grad);
  EXPORT("softmaxGrad", js_softmax_grad);
  EXPORT("gather", js_gather);
  EXPORT("scatterAdd", js_scatter_add);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
