/* Fused elementwise and reduction kernels on float32 rows, vectorised for the CPU they run on. */
#ifndef TENSOR_NATIVE_FUSED_H
#define TENSOR_NATIVE_FUSED_H

#include <stdint.h>

/* y = e^x and y = erf(x), elementwise over n floats. */
void fused_exp(const float *x, float *y, int64_t n);
void fused_erf(const float *x, float *y, int64_t n);

/* out[o, i] = Σ_r x[o, r, i] for x viewed as [outer, reduce, inner] (inner = 1: row sums; outer = 1: column sums). */
void fused_sum(const float *x, float *out, int64_t outer, int64_t reduce, int64_t inner);

/*
 * LayerNorm over the last axis of x [rows, cols]: mean_r, rstd_r = 1/sqrt(var_r + eps) (biased variance),
 * y = (x − mean)·rstd·gamma + beta. mean and rstd are saved for the backward pass.
 */
void fused_layer_norm(const float *x, const float *gamma, const float *beta, float eps, int64_t rows, int64_t cols, float *y,
                      float *mean, float *rstd);

/*
 * Its gradient: with x̂ = (x − mean)·rstd and g = dy·gamma,
 * dx = rstd·(g − mean(g) − x̂·mean(g·x̂)), dgamma = Σ_rows dy·x̂, dbeta = Σ_rows dy.
 */
void fused_layer_norm_grad(const float *dy, const float *x, const float *mean, const float *rstd, const float *gamma, int64_t rows,
                           int64_t cols, float *dx, float *dgamma, float *dbeta);

/* Exact GELU y = x·Φ(x) = 0.5·x·(1 + erf(x/√2)), and dx = dy·(Φ(x) + x·φ(x)), φ(x) = e^(−x²/2)/√(2π). */
void fused_gelu(const float *x, float *y, int64_t n);
void fused_gelu_grad(const float *dy, const float *x, float *dx, int64_t n);

/* Softmax gradient over the last axis of y [rows, cols]: dx = y·(dy − Σ_j dy_j·y_j). */
void fused_softmax_grad(const float *dy, const float *y, int64_t rows, int64_t cols, float *dx);

/*
 * Gather of 4-byte elements along the middle axis of x viewed as [outer, axis, inner]:
 * out[o, i, :] = x[o, idx[i], :]. Returns -1 - i for the first index i outside [0, axis), else 0.
 */
int64_t fused_gather(const uint32_t *x, const int32_t *idx, int64_t count, int64_t outer, int64_t axis, int64_t inner, uint32_t *out);

/*
 * Its adjoint, a scatter-add: out = 0, then out[o, idx[i], :] += src[o, i, :] over out viewed as [outer, axis, inner];
 * indices outside [0, axis) are skipped (TensorFlow's UnsortedSegmentSum drops them).
 */
void fused_scatter_add(const float *src, const int32_t *idx, int64_t count, int64_t outer, int64_t axis, int64_t inner, float *out);

#endif
