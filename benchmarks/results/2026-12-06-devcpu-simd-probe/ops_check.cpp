#include "cpu/lane_ops.hpp"
#include <cstdio>
#include <cstring>
#include <random>
using namespace langevin::device;
int main() {
  using Ops = LaneOps<16>;
  std::mt19937 g(1);
  std::uniform_real_distribution<float> u(-10, 10);
  int bad[4] = {0,0,0,0};
  for (int t = 0; t < 200000; ++t) {
    Ops::Float a, b, c; Ops::Word w;
    for (int i = 0; i < 16; ++i) { a[i] = u(g); b[i] = u(g); c[i] = u(g); w[i] = g(); }
    Ops::Float f = Ops::fma(a, b, c), m = Ops::max(a, b), s = Ops::sqrt(a * a);
    Ops::Word hi; Ops::Word lo = Ops::mulhilo(0xD2511F53u, w, hi);
    for (int i = 0; i < 16; ++i) {
      float rf = std::fma(a[i], b[i], c[i]); if (std::memcmp(&rf, &f[i], 4)) bad[0]++;
      float rm = a[i] > b[i] ? a[i] : b[i]; if (rm != m[i]) bad[1]++;
      float rs = std::sqrt(a[i]*a[i]); if (rs != s[i]) bad[2]++;
      unsigned long long p = (unsigned long long)0xD2511F53u * w[i];
      if ((unsigned)p != lo[i] || (unsigned)(p >> 32) != hi[i]) bad[3]++;
    }
  }
  std::printf("fma %d max %d sqrt %d mulhilo %d\n", bad[0], bad[1], bad[2], bad[3]);
}
