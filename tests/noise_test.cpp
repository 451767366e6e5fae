// The noise's building blocks: the library's Philox4x32-10 against cuRAND's, the Box–Muller log
// and cosine/sine against double precision within their rounding bounds, and the CPU's blocks of
// 16 streams (NormalLanes) against 16 NormalStreams, bit for bit.

#include <langevin/device/box_muller.hpp>
#include "cpu/normal_lanes.hpp"
#include <langevin/device/normal_stream.hpp>
#include <langevin/device/philox.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace langevin::device {
namespace {

/// A fixed stream of test words (splitmix64), independent of what is tested.
struct Words {
  unsigned long long state;
  unsigned long long next() {
    unsigned long long z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

TEST(Philox, IsCuRandsPhilox) {
  Words words{1};
  for (int trial = 0; trial < 2000; ++trial) {
    const unsigned long long seed = words.next(), subsequence = words.next() >> (trial % 40);
    const unsigned long long counter = words.next() >> (trial % 50 + 14);
    curandStatePhilox4_32_10_t state;
    curand_init(seed, subsequence, 4 * counter, &state);
    const uint4 expected = curand4(&state);
    const PhiloxBlock<unsigned int> got = philox4x32_10<ScalarPhiloxOps>(
        static_cast<unsigned int>(counter), static_cast<unsigned int>(counter >> 32),
        static_cast<unsigned int>(subsequence), static_cast<unsigned int>(subsequence >> 32),
        static_cast<unsigned int>(seed), static_cast<unsigned int>(seed >> 32));
    ASSERT_EQ(got.x, expected.x) << "trial " << trial;
    ASSERT_EQ(got.y, expected.y);
    ASSERT_EQ(got.z, expected.z);
    ASSERT_EQ(got.w, expected.w);
  }
}

constexpr double kUlpOfOne = 5.9604644775390625e-8 * 2;  // 2^-23

TEST(BoxMuller, LogIsWithinTwoUlp) {
  // Every u the radius can see is (a + ½)·2⁻³² rounded to float; here a sweep of a, the ends
  // and both sides of the √½ switch. The bound: cephes' logf, 2 ulp of the result (its own
  // rounding and the polynomial's), plus 2 ulp of x = m − 1 carried by the x term near u = 1.
  Words words{2};
  std::vector<float> inputs{1.0f, 0.5f * 2.3283064365386963e-10f, 0.70710677f, 0.70710683f,
                            0.99999994f, 0.5f, 0.25f};
  for (int i = 0; i < 200000; ++i) {
    const auto a = static_cast<unsigned int>(words.next());
    inputs.push_back(std::fma(static_cast<float>(a), 2.3283064365386963e-10f,
                              0.5f * 2.3283064365386963e-10f));
  }
  for (float u : inputs) {
    const double exact = std::log(static_cast<double>(u));
    const float got = log_of<ScalarOps>(u);
    const double ulp = std::ldexp(1.0, std::ilogb(std::max(std::abs(exact), 1e-30)) - 23);
    const double x = std::abs(static_cast<double>(u) - 1.0);
    ASSERT_LE(std::abs(got - exact), 2.0 * ulp + 2.0 * std::ldexp(1.0, std::ilogb(std::max(x, 1e-30)) - 23))
        << "u = " << u;
  }
}

TEST(BoxMuller, CosineAndSineOfTurnsAreWithinTheirBound) {
  // θ = 2π(b + ½)2⁻³². Reduced exactly to φ ∈ [−π/4, π/4] but for float(rest) (|rest| < 2²⁹:
  // ≤ 16 counts of 2π·2⁻³², 2.3·10⁻⁸) and φ's rounding (≤ 3·10⁻⁸); cephes' polynomials add at
  // most 1 ulp of 1 (6·10⁻⁸), the products one rounding: ≤ 1.3·10⁻⁷ absolute; twice that here.
  Words words{3};
  std::vector<unsigned int> inputs{0u, 1u, 0x1FFFFFFFu, 0x20000000u, 0x3FFFFFFFu, 0x40000000u,
                                   0x7FFFFFFFu, 0x80000000u, 0xBFFFFFFFu, 0xE0000000u,
                                   0xFFFFFFFFu};
  for (int i = 0; i < 200000; ++i) inputs.push_back(static_cast<unsigned int>(words.next()));
  for (unsigned int b : inputs) {
    const double theta = 2.0 * M_PI * (static_cast<double>(b) + 0.5) * std::ldexp(1.0, -32);
    float cosine, sine;
    box_muller_detail::cos_sin_of_turns<ScalarOps>(b, cosine, sine);
    ASSERT_NEAR(cosine, std::cos(theta), 2.6e-7) << "b = " << b;
    ASSERT_NEAR(sine, std::sin(theta), 2.6e-7) << "b = " << b;
  }
}

TEST(NormalLanes, EveryLaneIsItsChainsNormalStream) {
  // Chains past 2³² (the subsequence's high word), several dimensions (partial groups of 4),
  // streams opened at a later draw.
  for (unsigned long long first : {0ull, 4294967290ull}) {
    for (int d : {1, 2, 3, 4, 5, 7, 9}) {
      for (unsigned long long draw : {0ull, 3ull}) {
        NormalLanes<16> lanes(77, first, d, draw);
        std::vector<NormalStream> streams;
        for (int c = 0; c < 16; ++c) streams.emplace_back(77, first + c, d, draw);
        alignas(64) float z[16 * 16];
        for (int k = 0; k < 4; ++k) {
          lanes.draw<16>(z, d);
          for (int c = 0; c < 16; ++c) {
            float expected[16];
            streams[c].draw<16>(expected, d);
            for (int j = 0; j < d; ++j) {
              ASSERT_EQ(z[j * 16 + c], expected[j])
                  << "first " << first << ", d " << d << ", draw " << draw + k << ", lane " << c;
            }
          }
        }
      }
    }
  }
}

}  // namespace
}  // namespace langevin::device
