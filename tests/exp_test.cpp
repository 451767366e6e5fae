// The library's own exp (device/exp.hpp) against double precision, in scalar code and on the
// CPU's lane vectors (the same bits), and SiLU through it.

#include <langevin/device/activation.hpp>
#include <langevin/device/exp.hpp>
#include "cpu/lane_ops.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

namespace langevin::device {
namespace {

/// Inputs over the whole normal range of e^x, denser near 0, and the edges.
std::vector<float> exp_inputs() {
  std::vector<float> x{0.0f, -0.0f, 1e-30f, -1e-30f, 1.0f, -1.0f, 88.72f, 88.7228f, -87.33f,
                       -87.336f, 0.34657359f, -0.34657359f, 88.72283172607421875f,
                       88.72283935546875f, -87.33654022216796875f, -87.3365478515625f, 200.0f,
                       -200.0f, std::numeric_limits<float>::quiet_NaN(),
                       std::numeric_limits<float>::infinity(),
                       -std::numeric_limits<float>::infinity()};
  unsigned long long state = 5;
  for (int i = 0; i < 400000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53;  // [0, 1)
    x.push_back(static_cast<float>(i % 2 ? -87.3 + 176.0 * u : 8.0 * (u - 0.5)));
  }
  return x;
}

TEST(Exp, IsWithinOneUlpOverTheNormalRange) {
  // cephes' expf: Cody–Waite reduction (ln 2 in two parts; k ln 2 exact for |k| ≤ 128 in the
  // first), e^r by a degree-7 polynomial within 0.5 ulp, one rounding in the scaling's sum:
  // 1 ulp of the result in all.
  for (float x : exp_inputs()) {
    if (!(x >= -87.33654022216796875f && x <= 88.72283172607421875f)) continue;
    const double exact = std::exp(static_cast<double>(x));
    const float got = exp_of<ScalarOps>(x);
    const double ulp = std::ldexp(1.0, std::ilogb(exact) - 23);
    ASSERT_LE(std::abs(got - exact), 1.0 * ulp) << "x = " << x;
  }
}

TEST(Exp, EveryFloatNearTheEndsIsRight) {
  // The scaling adds k to the exponent field, which is right only while the result is a normal
  // float: the floats around both ends, one by one, must give e^x within 1 ulp, +∞ or 0, never
  // a NaN (a first version let the float just above ln FLT_MAX through: NaN).
  for (float end : {88.72283172607421875f, -87.33654022216796875f}) {
    float x = end;
    for (int i = 0; i < 2000; ++i) x = std::nextafter(x, -1e9f);
    for (int i = 0; i < 4000; ++i, x = std::nextafter(x, 1e9f)) {
      const float got = exp_of<ScalarOps>(x);
      const double exact = std::exp(static_cast<double>(x));
      ASSERT_FALSE(std::isnan(got)) << "x = " << x;
      if (x > 88.72283172607421875f) {
        ASSERT_EQ(got, std::numeric_limits<float>::infinity()) << "x = " << x;
      } else if (x < -87.33654022216796875f) {
        ASSERT_EQ(got, 0.0f) << "x = " << x;
      } else {
        ASSERT_LE(std::abs(got - exact), std::ldexp(1.0, std::ilogb(exact) - 23)) << "x = " << x;
      }
    }
  }
}

TEST(Exp, OverflowsToInfinityUnderflowsToZeroAndKeepsNaN) {
  EXPECT_EQ(exp_of<ScalarOps>(88.8f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(exp_of<ScalarOps>(1e30f), std::numeric_limits<float>::infinity());
  EXPECT_EQ(exp_of<ScalarOps>(std::numeric_limits<float>::infinity()),
            std::numeric_limits<float>::infinity());
  EXPECT_EQ(exp_of<ScalarOps>(-87.4f), 0.0f);
  EXPECT_EQ(exp_of<ScalarOps>(-std::numeric_limits<float>::infinity()), 0.0f);
  EXPECT_TRUE(std::isnan(exp_of<ScalarOps>(std::numeric_limits<float>::quiet_NaN())));
}

TEST(Exp, LaneVectorsGiveTheScalarBits) {
  const std::vector<float> x = exp_inputs();
  using V = LaneVector<16>;
  for (std::size_t i = 0; i + 16 <= x.size(); i += 16) {
    float e[16];
    exp_of<LaneOps<16>>(V::load(x.data() + i)).store(e);
    for (int c = 0; c < 16; ++c) {
      const float scalar = exp_of<ScalarOps>(x[i + c]);
      if (std::isnan(scalar)) ASSERT_TRUE(std::isnan(e[c])) << "x = " << x[i + c];
      else ASSERT_EQ(e[c], scalar) << "x = " << x[i + c];
    }
  }
}

TEST(Exp, SiluKeepsItsLimits) {
  EXPECT_EQ(activate<Activation::Silu>(200.0f), 200.0f);    // e^{−v} → 0
  EXPECT_EQ(activate<Activation::Silu>(-200.0f), -0.0f);    // e^{−v} = ∞: −0
  EXPECT_TRUE(std::signbit(activate<Activation::Silu>(-200.0f)));
  EXPECT_TRUE(std::isnan(activate<Activation::Silu>(std::numeric_limits<float>::quiet_NaN())));
}

}  // namespace
}  // namespace langevin::device
