#ifndef TENSOR_NATIVE_MATMUL_H
#define TENSOR_NATIVE_MATMUL_H

#include <stdint.h>

/* Activations of tfjs's _FusedMatMul, by the codes the JS side passes. */
enum { ACT_LINEAR = 0, ACT_RELU = 1, ACT_RELU6 = 2, ACT_PRELU = 3, ACT_LEAKYRELU = 4, ACT_ELU = 5, ACT_SIGMOID = 6 };
/* How a bias or PReLU-alpha operand broadcasts over a [rows, n] output. */
enum { BCAST_NONE = 0, BCAST_COLUMN = 1, BCAST_SCALAR = 2 };

/*
 * c[i] = op(a[i]) · op(b[i]) for i < batch, row-major, op = transpose when trans*. a[i] starts aStride floats after
 * a[i-1] (0 broadcasts one matrix to every batch element), likewise b; c is dense [batch, m, n].
 * Returns 0, or -1 if OpenBLAS is not loaded.
 */
int matmul_batched(int transA, int transB, int64_t m, int64_t n, int64_t k, int64_t batch, const float *a, int64_t aStride,
                   const float *b, int64_t bStride, float *c);

/* c[r, j] = act(c[r, j] + bias) over a dense [rows, n] block. */
void matmul_epilogue(float *c, int64_t rows, int64_t n, const float *bias, int biasMode, int activation, float alpha,
                     const float *prelu, int preluMode);

#endif
