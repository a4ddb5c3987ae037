#include "fused.h"

#include <math.h>
#include <string.h>

#include "vmath.h"

/* One copy of each kernel per x86-64 level (AVX-512, AVX2+FMA, baseline), chosen when the addon loads. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VECTORIZE __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define VECTORIZE
#endif

VECTORIZE void fused_exp(const float *x, float *y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) y[i] = vexp(x[i]);
}

VECTORIZE void fused_erf(const float *x, float *y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) y[i] = verf(x[i]);
}

VECTORIZE void fused_sum(const float *x, float *out, int64_t outer, int64_t reduce, int64_t inner) {
  for (int64_t o = 0; o < outer; o++) {
    const float *block = x + o * reduce * inner;
    float *dst = out + o * inner;
    if (inner == 1) {
      float acc = 0.0f;
#pragma omp simd reduction(+ : acc)
      for (int64_t r = 0; r < reduce; r++) acc += block[r];
      dst[0] = acc;
      continue;
    }
    memset(dst, 0, (size_t)inner * sizeof(float));
    for (int64_t r = 0; r < reduce; r++) {
      const float *row = block + r * inner;
#pragma omp simd
      for (int64_t i = 0; i < inner; i++) dst[i] += row[i];
    }
  }
}

VECTORIZE void fused_layer_norm(const float *x, const float *gamma, const float *beta, float eps, int64_t rows, int64_t cols, float *y,
                                float *mean, float *rstd) {
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *yr = y + r * cols;
    float sum = 0.0f;
#pragma omp simd reduction(+ : sum)
    for (int64_t c = 0; c < cols; c++) sum += xr[c];
    float mu = sum / (float)cols;
    float sq = 0.0f;
#pragma omp simd reduction(+ : sq)
    for (int64_t c = 0; c < cols; c++) sq += (xr[c] - mu) * (xr[c] - mu);
    float rs = 1.0f / sqrtf(sq / (float)cols + eps);
#pragma omp simd
    for (int64_t c = 0; c < cols; c++) yr[c] = (xr[c] - mu) * rs * gamma[c] + beta[c];
    mean[r] = mu;
    rstd[r] = rs;
  }
}

VECTORIZE void fused_layer_norm_grad(const float *dy, const float *x, const float *mean, const float *rstd, const float *gamma, int64_t rows,
                                     int64_t cols, float *dx, float *dgamma, float *dbeta) {
  memset(dgamma, 0, (size_t)cols * sizeof(float));
  memset(dbeta, 0, (size_t)cols * sizeof(float));
  const float inv = 1.0f / (float)cols;
  for (int64_t r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols;
    const float *xr = x + r * cols;
    float *dxr = dx + r * cols;
    const float mu = mean[r], rs = rstd[r];
    float sumG = 0.0f, sumGX = 0.0f;
#pragma omp simd reduction(+ : sumG, sumGX)
    for (int64_t c = 0; c < cols; c++) {
      float xhat = (xr[c] - mu) * rs;
      float g = dyr[c] * gamma[c];
      sumG += g;
      sumGX += g * xhat;
      dgamma[c] += dyr[c] * xhat;
      dbeta[c] += dyr[c];
    }
    const float meanG = sumG * inv, meanGX = sumGX * inv;
#pragma omp simd
    for (int64_t c = 0; c < cols; c++) {
      float xhat = (xr[c] - mu) * rs;
      dxr[c] = rs * (dyr[c] * gamma[c] - meanG - xhat * meanGX);
    }
  }
}

VECTORIZE void fused_gelu(const float *x, float *y, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) y[i] = 0.5f * x[i] * (1.0f + verf(x[i] * 0.70710678118654752f));
}

VECTORIZE void fused_gelu_grad(const float *dy, const float *x, float *dx, int64_t n) {
#pragma omp simd
  for (int64_t i = 0; i < n; i++) {
    float v = x[i];
    float cdf = 0.5f * (1.0f + verf(v * 0.70710678118654752f));
    float pdf = 0.39894228040143268f * vexp(-0.5f * v * v);
    dx[i] = dy[i] * (cdf + v * pdf);
  }
}

VECTORIZE void fused_softmax_grad(const float *dy, const float *y, int64_t rows, int64_t cols, float *dx) {
  for (int64_t r = 0; r < rows; r++) {
    const float *dyr = dy + r * cols;
    const float *yr = y + r * cols;
    float *dxr = dx + r * cols;
    float dot = 0.0f;
#pragma omp simd reduction(+ : dot)
    for (int64_t c = 0; c < cols; c++) dot += dyr[c] * yr[c];
#pragma omp simd
    for (int64_t c = 0; c < cols; c++) dxr[c] = yr[c] * (dyr[c] - dot);
  }
}

VECTORIZE int64_t fused_gather(const uint32_t *x, const int32_t *idx, int64_t count, int64_t outer, int64_t axis, int64_t inner, uint32_t *out) {
  for (int64_t i = 0; i < count; i++) {
    if (idx[i] < 0 || idx[i] >= axis) return -1 - i;
  }
  for (int64_t o = 0; o < outer; o++) {
    const uint32_t *src = x + o * axis * inner;
    uint32_t *dst = out + o * count * inner;
    if (inner == 1) {
#pragma omp simd
      for (int64_t i = 0; i < count; i++) dst[i] = src[idx[i]];
    } else {
      for (int64_t i = 0; i < count; i++) memcpy(dst + i * inner, src + (int64_t)idx[i] * inner, (size_t)inner * sizeof(uint32_t));
    }
  }
  return 0;
}

VECTORIZE void fused_scatter_add(const float *src, const int32_t *idx, int64_t count, int64_t outer, int64_t axis, int64_t inner, float *out) {
  memset(out, 0, (size_t)(outer * axis * inner) * sizeof(float));
  for (int64_t o = 0; o < outer; o++) {
    const float *from = src + o * count * inner;
    float *to = out + o * axis * inner;
    for (int64_t i = 0; i < count; i++) {
      int32_t j = idx[i];
      if (j < 0 || j >= axis) continue;
      const float *row = from + i * inner;
      float *dst = to + (int64_t)j * inner;
#pragma omp simd
      for (int64_t c = 0; c < inner; c++) dst[c] += row[c];
    }
  }
}
