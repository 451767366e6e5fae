// The library's own log1p and tanh (device/log.hpp, device/tanh.hpp) and the activations built on
// them, against double precision with error bounds derived from the formulas, in scalar code and
// on the CPU's lane vectors (the same bits).

#include <langevin/device/activation.hpp>
#include "cpu/lane_ops.hpp"
#include <langevin/device/log.hpp>
#include <langevin/device/tanh.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace langevin::device {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

/// One ulp of a float of magnitude |v| (normal range).
double ulp(double v) { return std::ldexp(1.0, std::ilogb(std::max(std::abs(v), 1e-37)) - 23); }

/// Every `stride`-th non-negative finite float by its bits, from the smallest up.
std::vector<float> floats_by_bits(unsigned stride, float below) {
  std::vector<float> out;
  for (unsigned bits = 0; bits < 0x7F800000u; bits += stride) {
    float x;
    std::memcpy(&x, &bits, sizeof x);
    if (x >= below) break;
    out.push_back(x);
  }
  return out;
}

TEST(Log1p, IsWithinItsBoundFromTinyToHuge) {
  // Below √2 − 1 the polynomial of cephes' logf takes x itself: 2 ulp, as log (noise_test.cpp).
  // Above, it takes 1 + x, rounded by at most half an ulp of 1 + x: that much more, absolute,
  // divided by 1 + x (the log's slope).
  std::vector<float> inputs = floats_by_bits(4099, 1e30f);
  for (float x : {0.41421354f, 0.41421357f, 0.41421360f, 1.0f, 1e-30f, 1e-40f, 0.0f}) {
    inputs.push_back(x);
  }
  for (float x : inputs) {
    const double exact = std::log1p(static_cast<double>(x));
    const float got = log1p_of<ScalarOps>(x);
    double bound = 2.0 * ulp(exact);
    if (x >= 0.41421356f) bound += 0.5 * ulp(1.0 + x) / (1.0 + x);
    ASSERT_LE(std::abs(got - exact), bound) << "x = " << x;
  }
  EXPECT_EQ(log1p_of<ScalarOps>(0.0f), 0.0f);
  EXPECT_EQ(log1p_of<ScalarOps>(1e-30f), 1e-30f);  // log(1 + x) = x − x²/2 …: x, rounded
  EXPECT_TRUE(std::isnan(log1p_of<ScalarOps>(kNaN)));
}

TEST(Tanh, IsWithinTwoAndAHalfUlp) {
  // Near 0 (|x| < 0.625) cephes' odd polynomial: peak relative error 1.3·10⁻⁷ by its own
  // measure, ≤ 2.2 ulp. Beyond, 1 − 2/(e^{2|x|} + 1): the exp's 1 ulp and two roundings make
  // q = 2/(e + 1) good to 2·2⁻²³ relative, and q ≤ 0.45 of a result ≥ 0.55 (1.7 ulp), plus the
  // subtraction's half ulp: 2.2 ulp. Both under 2.5.
  std::vector<float> inputs = floats_by_bits(1021, 20.0f);
  for (float x : {0.62499994f, 0.625f, 0.62500006f, 9.0f, 9.1f}) inputs.push_back(x);
  for (float magnitude : inputs) {
    for (float x : {magnitude, -magnitude}) {
      const double exact = std::tanh(static_cast<double>(x));
      ASSERT_LE(std::abs(tanh_of<ScalarOps>(x) - exact), 2.5 * ulp(exact)) << "x = " << x;
    }
  }
}

TEST(Tanh, KeepsItsSignsAndLimits) {
  EXPECT_EQ(tanh_of<ScalarOps>(0.0f), 0.0f);
  EXPECT_FALSE(std::signbit(tanh_of<ScalarOps>(0.0f)));
  EXPECT_TRUE(std::signbit(tanh_of<ScalarOps>(-0.0f)));  // odd: tanh(−0) = −0
  EXPECT_EQ(tanh_of<ScalarOps>(1e-30f), 1e-30f);
  EXPECT_EQ(tanh_of<ScalarOps>(50.0f), 1.0f);  // e^{100} = ∞: 1 − 0
  EXPECT_EQ(tanh_of<ScalarOps>(-50.0f), -1.0f);
  EXPECT_EQ(tanh_of<ScalarOps>(kInf), 1.0f);
  EXPECT_EQ(tanh_of<ScalarOps>(-kInf), -1.0f);
  EXPECT_TRUE(std::isnan(tanh_of<ScalarOps>(kNaN)));
}

TEST(Softplus, IsWithinItsBound) {
  // s = max(v, 0) + L with L = log1p(e), e = e^{−|v|}: e within 1 ulp (exp.hpp), which moves L
  // by at most e/(1 + e)·2⁻²³; L within log1p's bound; then the sum's half ulp.
  std::vector<float> inputs = floats_by_bits(1021, 80.0f);
  for (float magnitude : inputs) {
    for (float v : {magnitude, -magnitude}) {
      const double e = std::exp(-std::abs(static_cast<double>(v)));
      const double log_term = std::log1p(e);
      const double exact = std::max(static_cast<double>(v), 0.0) + log_term;
      double bound = 0.5 * ulp(exact) + 2.0 * ulp(log_term) + e / (1.0 + e) * 0x1p-23;
      if (e >= 0.41421356) bound += 0.5 * ulp(1.0 + e) / (1.0 + e);
      ASSERT_LE(std::abs(activate<Activation::Softplus>(v) - exact), bound) << "v = " << v;
    }
  }
}

TEST(Softplus, KeepsItsLimits) {
  EXPECT_EQ(activate<Activation::Softplus>(200.0f), 200.0f);
  EXPECT_EQ(activate<Activation::Softplus>(-200.0f), 0.0f);  // e^{−200}: below the floats
  EXPECT_EQ(activate<Activation::Softplus>(kInf), kInf);
  EXPECT_EQ(activate<Activation::Softplus>(-kInf), 0.0f);
  EXPECT_TRUE(std::isnan(activate<Activation::Softplus>(kNaN)));
  // Very negative v: softplus(v) ≈ e^v, to the exp's and log1p's relative accuracy.
  const double exact = std::log1p(std::exp(-80.0));
  EXPECT_LE(std::abs(activate<Activation::Softplus>(-80.0f) - exact), 3.0 * ulp(exact));
}

template <Activation A>
void expect_lanes_match_scalars(const std::vector<float>& inputs) {
  using V = LaneVector<16>;
  for (std::size_t i = 0; i + 16 <= inputs.size(); i += 16) {
    float lanes[16];
    activate_of<A, LaneOps<16>>(V::load(inputs.data() + i)).store(lanes);
    for (int c = 0; c < 16; ++c) {
      const float scalar = activate<A>(inputs[i + c]);
      if (std::isnan(scalar)) {
        ASSERT_TRUE(std::isnan(lanes[c])) << "v = " << inputs[i + c];
      } else {
        float got = lanes[c];
        ASSERT_EQ(std::memcmp(&got, &scalar, sizeof got), 0)
            << "v = " << inputs[i + c] << ": " << got << " against " << scalar;
      }
    }
  }
}

TEST(Activations, LaneVectorsGiveTheScalarBits) {
  std::vector<float> inputs;
  for (float magnitude : floats_by_bits(65537, 200.0f)) {
    inputs.push_back(magnitude);
    inputs.push_back(-magnitude);
  }
  for (float x : {0.625f, -0.625f, kInf, -kInf, kNaN, 0.0f, -0.0f, 0.41421356f}) inputs.push_back(x);
  while (inputs.size() % 16 != 0) inputs.push_back(1.0f);
  expect_lanes_match_scalars<Activation::Relu>(inputs);
  expect_lanes_match_scalars<Activation::Softplus>(inputs);
  expect_lanes_match_scalars<Activation::Tanh>(inputs);
  expect_lanes_match_scalars<Activation::Silu>(inputs);
}

TEST(Activations, TrainingsValueIsTheSamplersBits) {
  // activate_with_derivatives (training) and activate (sampling) must agree on φ itself.
  for (float magnitude : floats_by_bits(65537, 200.0f)) {
    for (float v : {magnitude, -magnitude}) {
      float value, first, second;
      activate_with_derivatives<Activation::Softplus>(v, value, first, second);
      ASSERT_EQ(value, activate<Activation::Softplus>(v)) << "v = " << v;
      activate_with_derivatives<Activation::Tanh>(v, value, first, second);
      ASSERT_EQ(value, activate<Activation::Tanh>(v)) << "v = " << v;
    }
  }
}

}  // namespace
}  // namespace langevin::device
