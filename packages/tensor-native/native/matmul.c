#include "matmul.h"

#include <string.h>

#include "blas.h"
#include "vmath.h"

/* Products with fewer multiply-adds (m·n·k) than this run on one OpenBLAS thread when batched. */
#define SMALL_GEMM (1 << 22)

int matmul_batched(int transA, int transB, int64_t m, int64_t n, int64_t k, int64_t batch, const float *a, int64_t aStride,
                   const float *b, int64_t bStride, float *c) {
  sgemm_fn sgemm = blas_sgemm();
  if (sgemm == NULL) return -1;
  if (m == 0 || n == 0 || batch == 0) return 0;
  if (k == 0) {
    memset(c, 0, (size_t)(batch * m * n) * sizeof(float));
    return 0;
  }
  int ta = transA ? CblasTrans : CblasNoTrans;
  int tb = transB ? CblasTrans : CblasNoTrans;
  int lda = (int)(transA ? m : k);
  int ldb = (int)(transB ? k : n);
  if (!transA && bStride == 0 && (batch == 1 || aStride == m * k)) {
    /* One right-hand matrix for a dense stack of left-hand ones: a single GEMM with batch·m rows. */
    sgemm(CblasRowMajor, ta, tb, (int)(batch * m), (int)n, (int)k, 1.0f, a, lda, b, ldb, 0.0f, c, (int)n);
    return 0;
  }
  /*
   * Many small products (attention: 96 of 128x128x64): OpenBLAS would wake its threads for each one, which costs
   * more than the product (5x slower measured on 2 cores), so run them on the calling thread.
   */
  int threads = blas_threads();
  int single = threads > 1 && m * n * k < SMALL_GEMM;
  if (single) blas_set_threads(1);
  for (int64_t i = 0; i < batch; i++) {
    sgemm(CblasRowMajor, ta, tb, (int)m, (int)n, (int)k, 1.0f, a + i * aStride, lda, b + i * bStride, ldb, 0.0f,
          c + i * m * n, (int)n);
  }
  if (single) blas_set_threads(threads);
  return 0;
}

static inline float activate(float x, int activation, float alpha) {
  switch (activation) {
    case ACT_RELU: return x > 0.0f ? x : 0.0f;
    case ACT_RELU6: return x > 0.0f ? (x < 6.0f ? x : 6.0f) : 0.0f;
    case ACT_PRELU:
    case ACT_LEAKYRELU: return x < 0.0f ? alpha * x : x;
    case ACT_ELU: return x < 0.0f ? vexp(x) - 1.0f : x;
    case ACT_SIGMOID: return 1.0f / (1.0f + vexp(-x));
    default: return x;
  }
}

void matmul_epilogue(float *c, int64_t rows, int64_t n, const float *bias, int biasMode, int activation, float alpha,
                     const float *prelu, int preluMode) {
  for (int64_t r = 0; r < rows; r++) {
    float *row = c + r * n;
    for (int64_t j = 0; j < n; j++) {
      float x = row[j];
      if (biasMode == BCAST_COLUMN) x += bias[j];
      else if (biasMode == BCAST_SCALAR) x += bias[0];
      float slope = preluMode == BCAST_COLUMN ? prelu[j] : (preluMode == BCAST_SCALAR ? prelu[0] : alpha);
      row[j] = activate(x, activation, slope);
    }
  }
}
