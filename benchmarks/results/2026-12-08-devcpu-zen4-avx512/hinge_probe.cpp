// Hinge units (max then FMA, weights broadcast from memory) per 16 chains: AVX-512 with one
// vector per broadcast, AVX2 with two, AVX-512 with two (32 chains). One thread.
#include <immintrin.h>
#include <chrono>
#include <cstdio>
#include <vector>
constexpr int kUnits = 1024;
alignas(64) float pairs[2 * kUnits];

__attribute__((noinline)) float run512(const float* x, int reps) {
  __m512 s[16]; for (auto& v : s) v = _mm512_setzero_ps();
  __m512 xv = _mm512_loadu_ps(x);
  for (int r = 0; r < reps; ++r)
    for (int j = 0; j < kUnits; j += 16)
      _Pragma("GCC unroll 16") for (int p = 0; p < 16; ++p) {
        __m512 h = _mm512_max_ps(xv, _mm512_set1_ps(pairs[2 * (j + p)]));
        s[p] = _mm512_fmadd_ps(h, _mm512_set1_ps(pairs[2 * (j + p) + 1]), s[p]);
      }
  __m512 t = s[0]; for (int p = 1; p < 16; ++p) t = _mm512_add_ps(t, s[p]);
  return _mm512_reduce_add_ps(t);
}
__attribute__((noinline)) float run256x2(const float* x, int reps) {
  __m256 s[8]; for (auto& v : s) v = _mm256_setzero_ps();
  __m256 x0 = _mm256_loadu_ps(x), x1 = _mm256_loadu_ps(x + 8);
  for (int r = 0; r < reps; ++r)
    for (int j = 0; j < kUnits; j += 4)
      _Pragma("GCC unroll 16") for (int p = 0; p < 4; ++p) {
        __m256 t = _mm256_broadcast_ss(&pairs[2 * (j + p)]);
        __m256 v = _mm256_broadcast_ss(&pairs[2 * (j + p) + 1]);
        s[2 * p] = _mm256_fmadd_ps(_mm256_max_ps(x0, t), v, s[2 * p]);
        s[2 * p + 1] = _mm256_fmadd_ps(_mm256_max_ps(x1, t), v, s[2 * p + 1]);
      }
  __m256 t = s[0]; for (int p = 1; p < 8; ++p) t = _mm256_add_ps(t, s[p]);
  float o[8]; _mm256_storeu_ps(o, t); return o[0] + o[7];
}
__attribute__((noinline)) float run512x2(const float* x, int reps) {
  __m512 s[16]; for (auto& v : s) v = _mm512_setzero_ps();
  __m512 x0 = _mm512_loadu_ps(x), x1 = _mm512_loadu_ps(x + 16);
  for (int r = 0; r < reps; ++r)
    for (int j = 0; j < kUnits; j += 8)
      _Pragma("GCC unroll 16") for (int p = 0; p < 8; ++p) {
        __m512 t = _mm512_set1_ps(pairs[2 * (j + p)]);
        __m512 v = _mm512_set1_ps(pairs[2 * (j + p) + 1]);
        s[2 * p] = _mm512_fmadd_ps(_mm512_max_ps(x0, t), v, s[2 * p]);
        s[2 * p + 1] = _mm512_fmadd_ps(_mm512_max_ps(x1, t), v, s[2 * p + 1]);
      }
  __m512 t = s[0]; for (int p = 1; p < 16; ++p) t = _mm512_add_ps(t, s[p]);
  return _mm512_reduce_add_ps(t);
}
template <class F> void time(const char* name, F f, int chains) {
  alignas(64) float x[32]; for (int i = 0; i < 32; ++i) x[i] = 0.01f * i;
  const int reps = 20000;
  float sink = f(x, 100);
  auto t0 = std::chrono::steady_clock::now();
  sink += f(x, reps);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%-34s %.3f ns per unit per 16 chains (sink %g)\n", name,
              s * 1e9 / (double(reps) * kUnits * chains / 16), sink);
}
int main() {
  for (int i = 0; i < 2 * kUnits; ++i) pairs[i] = (i % 7) * 0.1f - 0.3f;
  for (int k = 0; k < 3; ++k) {
    time("AVX-512, 16 chains a broadcast", run512, 16);
    time("AVX2, 16 chains (2 vectors) a broadcast", run256x2, 16);
    time("AVX-512, 32 chains (2 vectors) a broadcast", run512x2, 32);
  }
}
