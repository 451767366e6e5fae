// The Gaussian mixture: JSON parsing and validation, and its score against finite differences of
// its log-density, far from every mode too.

#include <langevin/device/gmm.hpp>
#include <langevin/langevin.hpp>

#include "statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace langevin {
namespace {

using testing::kFloatUnitRoundoff;

std::string error_of(const std::string& json) {
  try {
    GaussianMixture::from_json(json, "g.json");
  } catch (const InvalidInput& e) {
    return e.what();
  }
  return "";
}

TEST(GmmJson, ReadsOneDimensionalShorthandAndNormalisesWeights) {
  const GaussianMixture g =
      GaussianMixture::from_json(R"({"weights": [2, 1], "means": [-5, 6], "stds": [3, 1]})");
  EXPECT_EQ(g.dim(), 1);
  EXPECT_EQ(g.components(), 2);
  EXPECT_DOUBLE_EQ(g.weights()[0], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(g.means()[1][0], 6.0);
  EXPECT_DOUBLE_EQ(g.stds()[0][0], 3.0);
}

TEST(GmmJson, ReadsRowsInSeveralDimensions) {
  const GaussianMixture g = GaussianMixture::from_json(
      R"({"weights": [1], "means": [[1, 2, 3]], "stds": [[0.5, 1, 2]]})");
  EXPECT_EQ(g.dim(), 3);
  EXPECT_DOUBLE_EQ(g.stds()[0][2], 2.0);
}

TEST(GmmJson, RejectsBadInputNamingFieldAndValue) {
  EXPECT_NE(error_of("{").find("not valid JSON"), std::string::npos);
  EXPECT_NE(error_of(R"({"means": [0], "stds": [1]})").find("missing \"weights\""),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1, -0.5], "means": [0, 1], "stds": [1, 1]})")
                .find("\"weights\"[1] = -0.5"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1], "means": [0], "stds": [0]})").find("\"stds\"[0][0] = 0"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1, 1], "means": [[0, 0], [1]], "stds": [[1, 1], [1, 1]]})")
                .find("\"means\"[1] has 1 values"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1], "means": [0], "stds": [1, 2]})").find("\"stds\" has 2"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1], "means": ["a"], "stds": [1]})").find("\"means\"[0]"),
            std::string::npos);
  EXPECT_NE(error_of(R"({"weights": [1], "means": [0], "stds": [1], "std": 1})")
                .find("unknown field \"std\""),
            std::string::npos);
  EXPECT_EQ(error_of(R"({"weights": [1], "means": [0], "stds": [1]})"), "");
  // The samplers' float32 copies: a mean, a deviation and its inverse finite there.
  EXPECT_EQ(error_of(R"({"weights": [1], "means": [1e300], "stds": [1]})"),
            "g.json: \"means\"[0][0] = 1e+300: must be finite in float32 (at most 3.4e+38 in "
            "magnitude)");
  for (const auto& [given, shown] : {std::pair{"1e300", "1e+300"}, std::pair{"1e-50", "1e-50"}}) {
    EXPECT_EQ(error_of(std::string(R"({"weights": [1], "means": [0], "stds": [)") + given + "]}"),
              std::string("g.json: \"stds\"[0][0] = ") + shown +
                  ": must be positive, its inverse and itself finite in float32 (2.9e-39 … "
                  "3.4e+38)");
  }
  EXPECT_EQ(error_of(R"({"weights": [1], "means": [-3.4e38], "stds": [3e-39]})"), "");
}

TEST(GmmJson, LoadGmmNamesAMissingFile) {
  try {
    load_gmm("/nonexistent/g.json");
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/g.json"), std::string::npos);
  }
}

TEST(Gmm, LogDensityOfOneComponentIsTheNormalDensity) {
  const GaussianMixture g({1.0}, {{1.0, -2.0}}, {{0.5, 2.0}});
  const Array points({2, 2}, {1.0f, -2.0f, 2.0f, 1.0f});
  const Array log_p = g.log_density(points);
  auto expected = [](double x, double m, double s) {
    return -0.5 * std::log(2 * M_PI) - std::log(s) - 0.5 * (x - m) * (x - m) / (s * s);
  };
  EXPECT_NEAR(log_p[0], expected(1, 1, 0.5) + expected(-2, -2, 2), 1e-5);
  EXPECT_NEAR(log_p[1], expected(2, 1, 0.5) + expected(1, -2, 2), 1e-5);
}

TEST(Gmm, ConvolvedWidensEveryStd) {
  const GaussianMixture g({1.0, 1.0}, {{0.0}, {1.0}}, {{3.0}, {0.0 + 1.0}});
  const GaussianMixture wider = g.convolved(4.0);
  EXPECT_DOUBLE_EQ(wider.stds()[0][0], 5.0);
  EXPECT_DOUBLE_EQ(wider.stds()[1][0], std::sqrt(17.0));
  // A level past float32 is the level's error, not the widened deviations'.
  try {
    g.convolved(1e300);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_EQ(std::string(e.what()),
              "sigma = 1e+300: must be non-negative and finite in float32 (at most 3.4e+38)");
  }
}

// The float score against central differences of the double-precision log-density (same code,
// Real = double): truncation error O(h²) and rounding O(1e-16 |log p| / h) are far below the
// float tolerance, which is derived from float rounding: the responsibilities are exponentials
// of log-terms T_k computed with relative error a few u, so they carry absolute error
// ≈ 8u·max|T_k| in the exponent; with gradients bounded by G = max_k |∇ log N_k|, the score's
// error is below 16u·(1 + max|T_k|)·G.
void check_score_against_finite_differences(const GaussianMixture& g,
                                            const std::vector<std::vector<double>>& points) {
  const int d = g.dim();
  const std::vector<float> packed = g.packed();
  const device::GmmView view = device::gmm_view(packed.data(), d, g.components());
  Array x({static_cast<std::int64_t>(points.size()), d});
  for (std::size_t i = 0; i < points.size(); ++i) {
    for (int j = 0; j < d; ++j) x[i * d + j] = static_cast<float>(points[i][j]);
  }
  const Array s = score(g, x, Backend::Cpu);
  for (std::size_t i = 0; i < points.size(); ++i) {
    std::vector<double> p(x.data() + i * d, x.data() + (i + 1) * d);  // the float point, exactly
    double largest_term = 0.0, largest_gradient = 0.0;
    for (int k = 0; k < g.components(); ++k) {
      double squared = 0.0, gradient = 0.0;
      for (int j = 0; j < d; ++j) {
        const double z = (p[j] - g.means()[k][j]) / g.stds()[k][j];
        squared += z * z;
        gradient += std::abs(z / g.stds()[k][j]);
      }
      largest_term = std::max(largest_term, 0.5 * squared + std::abs(std::log(g.weights()[k])));
      largest_gradient = std::max(largest_gradient, gradient);
    }
    const double tolerance = 16.0 * kFloatUnitRoundoff * (1.0 + largest_term) * largest_gradient;
    for (int j = 0; j < d; ++j) {
      const double h = 1e-4 * std::max(1.0, std::abs(p[j]));
      std::vector<double> plus = p, minus = p;
      plus[j] += h;
      minus[j] -= h;
      const double fd = (device::gmm_log_density<1024, double>(view, plus.data(), nullptr) -
                         device::gmm_log_density<1024, double>(view, minus.data(), nullptr)) /
                        (2 * h);
      const float value = s[i * d + j];
      ASSERT_TRUE(std::isfinite(value)) << "point " << i;
      EXPECT_NEAR(value, fd, tolerance) << "point " << i << ", coordinate " << j;
    }
  }
}

TEST(GmmScore, MatchesFiniteDifferencesInOneDimension) {
  const GaussianMixture g({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  // Near the modes, between them, and far from both (where each w_k N_k underflows to 0).
  check_score_against_finite_differences(
      g, {{-5.0}, {0.3}, {6.0}, {5.1}, {-40.0}, {60.0}, {-1000.0}, {1000.0}, {3.0e4}});
}

TEST(GmmScore, MatchesFiniteDifferencesInThreeDimensions) {
  const GaussianMixture g({0.2, 0.5, 0.3}, {{0.0, 1.0, -1.0}, {3.0, -2.0, 0.5}, {-4.0, 0.0, 2.0}},
                          {{1.0, 0.5, 2.0}, {0.7, 1.5, 1.0}, {2.0, 1.0, 0.3}});
  check_score_against_finite_differences(
      g, {{0.0, 1.0, -1.0}, {1.0, 0.0, 0.0}, {-2.0, 3.0, 1.0}, {200.0, -300.0, 100.0},
          {-500.0, 0.0, 800.0}});
}

TEST(GmmScore, MatchesFiniteDifferencesInThreeHundredDimensions) {
  std::vector<std::vector<double>> means(2, std::vector<double>(300)), stds = means;
  for (int j = 0; j < 300; ++j) {
    means[0][j] = 0.01 * j;
    means[1][j] = -0.02 * j;
    stds[0][j] = 1.0 + 0.001 * j;
    stds[1][j] = 2.0 - 0.002 * j;
  }
  const GaussianMixture g({0.3, 0.7}, means, stds);
  std::vector<double> near(300), far(300);
  for (int j = 0; j < 300; ++j) {
    near[j] = 0.1 * std::sin(j);
    far[j] = 20.0 * std::cos(j);
  }
  check_score_against_finite_differences(g, {near, far});
}

TEST(GmmScore, FarFromAllModesIsTheNearestComponentsScore) {
  // At x = −1000 the left component (σ = 3) dominates by e^{~10⁵}: s = −(x + 5)/9 exactly.
  const GaussianMixture g({2.0, 1.0}, {{-5.0}, {6.0}}, {{3.0}, {1.0}});
  const Array s = score(g, Array({1, 1}, {-1000.0f}), Backend::Cpu);
  EXPECT_NEAR(s[0], 995.0 / 9.0, 1e-5 * 995.0 / 9.0);
}

}  // namespace
}  // namespace langevin
