#include <langevin/device/activation.hpp>
using namespace langevin;
void f1(float* __restrict a, float* __restrict b, float* __restrict c, const float* __restrict z, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) { float v, f, s; device::activate_with_derivatives<Activation::Silu>(z[i], v, f, s); a[i]=v; b[i]=f; c[i]=s; }
}
void f2(float* __restrict a, const float* __restrict z, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) { a[i] = device::math::exp(z[i]); }
}
void f3(float* __restrict a, const float* __restrict z, int n) {
#pragma omp simd
  for (int i = 0; i < n; ++i) { a[i] = 1.0f / (1.0f + z[i]); }
}
