/*
 * Vectorisable float32 exp and erf (plain arithmetic and selects, so GCC turns loops over them into
 * AVX2/AVX-512 code). exp: Cephes' expf polynomial after range reduction by ln 2 (max error ~1 ulp).
 * erf: N. Juffa's two-interval minimax erff (max error ~1 ulp). Checked against libm in the tests.
 */
#ifndef TENSOR_NATIVE_VMATH_H
#define TENSOR_NATIVE_VMATH_H

#include <stdint.h>

static inline float bits_to_float(int32_t i) {
  union {
    int32_t i;
    float f;
  } u = {.i = i};
  return u.f;
}

/* e^x; 0 below -87.3 (where float32 e^x is denormal or zero), +inf above 88.72, NaN for NaN. */
static inline float vexp(float x) {
  float c = x > 88.7228f ? 88.7228f : (x < -87.3365f ? -87.3365f : x);
  /* n = round(c / ln 2); c / ln 2 > -127, so adding 128 makes truncation a floor (no floorf, which blocks vectorisation). */
  int32_t ni = (int32_t)(c * 1.44269504088896341f + 128.5f) - 128;
  float n = (float)ni;
  float r = c - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r + 1.0f;
  float y = p * bits_to_float((ni + 127) << 23);
  y = x < -87.3365f ? 0.0f : y;
  y = x > 88.7228f ? __builtin_inff() : y;
  return x != x ? x : y;
}

/* erf(x). */
static inline float verf(float a) {
  float t = a < 0 ? -a : a;
  float s = a * a;
  /* |a| > 0.927734375: erf = 1 - exp(poly(t)) */
  float r = -1.72853470e-5f * t + 3.83197126e-4f;
  float u = -3.88396438e-3f * t + 2.42546219e-2f;
  r = r * s + u;
  r = r * t + -1.06777877e-1f;
  r = r * t + -6.34846687e-1f;
  r = r * t + -1.28717512e-1f;
  r = r * t - t;
  float big = 1.0f - vexp(r);
  big = a < 0 ? -big : big;
  /* |a| <= 0.927734375: odd polynomial */
  float q = -5.96761703e-4f;
  q = q * s + 4.99119423e-3f;
  q = q * s + -2.67681349e-2f;
  q = q * s + 1.12819925e-1f;
  q = q * s + -3.76125336e-1f;
  q = q * s + 1.28379166e-1f;
  float small = q * a + a;
  return t > 0.927734375f ? big : small;
}

#endif
