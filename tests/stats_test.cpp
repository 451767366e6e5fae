// Tests of include/langevin/stats.hpp: KS and Wasserstein-1 distances on hand-computed cases (ties
// included) and against analytic values, moments, mode weights, input shapes and validation, the
// JSON form, the SVG plot, and the GPU against the CPU. Fixed seeds; every tolerance is a
// standard error, a probability bound or a rounding bound, derived where it is used.

#include "gpu.hpp"
#include "statistics.hpp"
#include "thread_count.hpp"

#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/stats.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace langevin {
namespace {

namespace fs = std::filesystem;
using testing::normal_cdf;

constexpr double kPi = 3.14159265358979323846;

Array column_of(std::vector<float> values) {
  const auto n = static_cast<std::int64_t>(values.size());
  return Array({n}, std::move(values));
}

/// N(mean, std²) draws by Box–Muller on a fixed-seed mt19937_64: the same numbers on every
/// standard library (std::normal_distribution is implementation-defined).
std::vector<float> normal_draws(std::size_t count, double mean, double std, std::uint64_t seed) {
  std::mt19937_64 bits(seed);
  const auto uniform = [&bits] { return ((bits() >> 11) + 1) * 0x1.0p-53; };  // (0, 1]
  std::vector<float> values;
  values.reserve(count);
  while (values.size() < count) {
    const double radius = std::sqrt(-2.0 * std::log(uniform()));
    const double angle = 2.0 * kPi * uniform();
    values.push_back(static_cast<float>(mean + std * radius * std::cos(angle)));
    if (values.size() < count) {
      values.push_back(static_cast<float>(mean + std * radius * std::sin(angle)));
    }
  }
  return values;
}

Comparison compare_on_cpu(const Array& a, const Array& b, double split = 1.5) {
  CompareOptions options;
  options.backend = Backend::Cpu;
  options.split = split;
  return compare(a, b, options);
}

/// Q_KS(λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²) summed plainly to 200 terms: the reference that the
/// library's faster two-branch evaluation must match.
double kolmogorov_reference(double lambda) {
  double sum = 0.0;
  for (int k = 1; k <= 200; ++k) {
    sum += (k % 2 ? 1.0 : -1.0) * std::exp(-2.0 * k * k * lambda * lambda);
  }
  return std::clamp(2.0 * sum, 0.0, 1.0);
}

/// Dvoretzky–Kiefer–Wolfowitz: P(sup |F_n − F| > ε) ≤ 2 exp(−2nε²), so with probability
/// 1 − α the empirical CDF of n draws lies within ε = √(ln(2/α) / (2n)) of the true one.
double dkw_band(std::size_t n, double alpha) {
  return std::sqrt(std::log(2.0 / alpha) / (2.0 * static_cast<double>(n)));
}

// ---- hand-computed cases ---------------------------------------------------------------------

TEST(Stats, HandComputedCaseWithTies) {
  // Distinct values 1 2 3 4: F_A = 1/4 3/4 1 1, F_B = 0 1/4 3/4 1, |ΔF| = 1/4 1/2 1/4 0.
  // A merge that measured between the tied 2s would see F_A = 3/4, F_B = 0: a wrong KS of 3/4.
  const Comparison c = compare_on_cpu(column_of({3, 2, 1, 2}), column_of({2, 4, 3, 3}));
  EXPECT_DOUBLE_EQ(c.ks[0], 0.5);
  EXPECT_DOUBLE_EQ(c.wasserstein1[0], 0.25 + 0.5 + 0.25);  // = mean |sorted A − sorted B| = 1
}

TEST(Stats, HandComputedCaseWithUnequalSizes) {
  // A = {0, 0, 1}, B = {0, 1, 1, 1, 2}: at 0, F_A = 2/3, F_B = 1/5; at 1, 1 and 4/5; at 2, 1 and 1.
  const Comparison c = compare_on_cpu(column_of({0, 1, 0}), column_of({1, 0, 2, 1, 1}));
  EXPECT_NEAR(c.ks[0], 7.0 / 15.0, 1e-15);
  EXPECT_NEAR(c.wasserstein1[0], 7.0 / 15.0 * 1.0 + 1.0 / 5.0 * 1.0, 1e-15);
  EXPECT_EQ(c.count_a, 3);
  EXPECT_EQ(c.count_b, 5);
}

TEST(Stats, IdenticalSetsAreAtDistanceZeroAndDisjointOnesAtDistanceOne) {
  const Comparison same = compare_on_cpu(column_of({1, 1, 2, 5}), column_of({5, 2, 1, 1}));
  EXPECT_EQ(same.ks[0], 0.0);
  EXPECT_EQ(same.wasserstein1[0], 0.0);
  EXPECT_EQ(same.ks_p_value[0], 1.0);

  const Comparison apart = compare_on_cpu(column_of({0, 1}), column_of({10, 11}));
  EXPECT_EQ(apart.ks[0], 1.0);
  EXPECT_DOUBLE_EQ(apart.wasserstein1[0], 10.0);
}

TEST(Stats, PValueFollowsKolmogorovsLimitLaw) {
  // A = 0 … 49 and B = A + s (integers): D = s/50 and √(n_a n_b/(n_a + n_b)) = 5, so λ = s/10.
  // λ = 0.1, 0.5, 1 fall in the small-λ (theta series) branch, 1.5 in the alternating one.
  std::vector<float> a(50);
  for (int i = 0; i < 50; ++i) a[i] = static_cast<float>(i);
  for (const int shift : {1, 5, 10, 15}) {
    std::vector<float> b = a;
    for (float& value : b) value += static_cast<float>(shift);
    const Comparison c = compare_on_cpu(column_of(a), column_of(b));
    ASSERT_NEAR(c.ks[0], shift / 50.0, 1e-15);  // i/50 − j/50: two roundings
    EXPECT_DOUBLE_EQ(c.wasserstein1[0], shift);
    // Both are sums of a few terms of size ≤ 1: their rounding is a few 1e-16.
    EXPECT_NEAR(c.ks_p_value[0], kolmogorov_reference(shift / 10.0), 1e-13) << "shift " << shift;
  }
  EXPECT_NEAR(kolmogorov_reference(1.0), 0.26999967, 1e-8);  // the tabulated value
}

// ---- analytic values for large samples -------------------------------------------------------

TEST(Stats, ShiftedCopyIsAtWassersteinDistanceDelta) {
  // B = fl(A + δ): sorted B is sorted A shifted, so W1 = mean |fl(a + δ) − a|, each term within
  // half an ulp of b of δ: |W1 − δ| ≤ 2⁻²⁴ max |b| (+ the double sum's rounding, ~1e-11).
  const double delta = 0.75;
  const std::vector<float> a = normal_draws(100000, 0.0, 1.0, 11);
  std::vector<float> b = a;
  float largest = 0.0f;
  for (float& value : b) {
    value += static_cast<float>(delta);
    largest = std::max(largest, std::fabs(value));
  }
  const Comparison c = compare_on_cpu(column_of(a), column_of(b));
  EXPECT_NEAR(c.wasserstein1[0], delta, std::ldexp(largest, -24) + 1e-10);
}

TEST(Stats, IndependentNormalsMatchTheirDistances) {
  // A ~ N(0, 1), B ~ N(δ, 1): sup |Φ(x) − Φ(x − δ)| is reached at x = δ/2, KS = 2Φ(δ/2) − 1;
  // W1 of a shift is δ.
  const std::size_t n = 100000;
  const double delta = 0.5;
  const Comparison c = compare_on_cpu(column_of(normal_draws(n, 0.0, 1.0, 1)),
                                      column_of(normal_draws(n, delta, 1.0, 2)));
  // KS: each empirical CDF is within its DKW band (α = 1e-6) of its law.
  EXPECT_NEAR(c.ks[0], 2.0 * normal_cdf(delta / 2.0, 0.0, 1.0) - 1.0, 2.0 * dkw_band(n, 1e-6));
  EXPECT_LT(c.ks_p_value[0], 1e-10);
  // W1: E W1(F_n, F) ≤ ∫ √(F(1 − F)/n) dx = J/√n by Jensen; its fluctuations are of the same
  // order (√n W1 tends to ∫ |bridge(F(x))| dx, whose spread is below its mean), so 3× the mean
  // bound of each set is far in the tail.
  double j = 0.0;
  for (double x = -10.0; x < 10.0; x += 1e-3) {
    const double f = normal_cdf(x + 5e-4, 0.0, 1.0);
    j += std::sqrt(f * (1.0 - f)) * 1e-3;
  }
  EXPECT_NEAR(c.wasserstein1[0], delta, 3.0 * 2.0 * j / std::sqrt(static_cast<double>(n)));
}

TEST(Stats, SameLawGivesASmallDistanceAndALargePValue) {
  const std::size_t n = 50000;
  const Comparison c = compare_on_cpu(column_of(normal_draws(n, 0.0, 1.0, 3)),
                                      column_of(normal_draws(2 * n, 0.0, 1.0, 4)));
  EXPECT_LT(c.ks[0], dkw_band(n, 1e-6) + dkw_band(2 * n, 1e-6));
  // Under the null hypothesis the p-value is uniform: below 1e-3 with probability 1e-3.
  EXPECT_GT(c.ks_p_value[0], 1e-3);
}

// ---- moments and mode weights ----------------------------------------------------------------

TEST(Stats, MeansAndUnbiasedStandardDeviations) {
  const Comparison small = compare_on_cpu(column_of({1, 2, 3, 4}), column_of({7}));
  EXPECT_DOUBLE_EQ(small.mean_a[0], 2.5);
  EXPECT_DOUBLE_EQ(small.std_a[0], std::sqrt(5.0 / 3.0));  // Σ (x − 2.5)² = 5, over n − 1 = 3
  EXPECT_DOUBLE_EQ(small.mean_b[0], 7.0);
  EXPECT_EQ(small.std_b[0], 0.0);  // a single value: no spread to estimate

  // N(2, 3²): standard errors σ/√n for the mean and σ/√(2(n − 1)) for the standard deviation.
  const std::size_t n = 100000;
  const double mean = 2.0;
  const double sigma = 3.0;
  const Comparison large =
      compare_on_cpu(column_of(normal_draws(n, mean, sigma, 5)), column_of({0}));
  EXPECT_NEAR(large.mean_a[0], mean, 5.0 * sigma / std::sqrt(n));
  EXPECT_NEAR(large.std_a[0], sigma, 5.0 * sigma / std::sqrt(2.0 * (n - 1)));
}

TEST(Stats, ModeWeightsCountValuesStrictlyAboveTheSplit) {
  const Comparison c = compare_on_cpu(column_of({-5, -5, -5, 6}), column_of({1.5f, 2}));
  EXPECT_EQ(c.split, 1.5);
  EXPECT_EQ(c.above_a[0], 0.25);
  EXPECT_EQ(c.above_b[0], 0.5);  // 1.5 itself is not above 1.5

  const Comparison moved = compare_on_cpu(column_of({-5, -5, -5, 6}), column_of({1.5f, 2}), -6.0);
  EXPECT_EQ(moved.split, -6.0);
  EXPECT_EQ(moved.above_a[0], 1.0);
}

// ---- shapes and validation -------------------------------------------------------------------

TEST(Stats, TrajectoriesAndVectorsAreFlattenedToRows) {
  // (N, T, d) = (4, 3, 2): rows in C order, coordinate 1 = coordinate 0 + 10.
  std::vector<float> values;
  for (int row = 0; row < 12; ++row) {
    values.push_back(static_cast<float>(row % 5));
    values.push_back(static_cast<float>(row % 5 + 10));
  }
  const Array trajectory({4, 3, 2}, values);
  const Array rows({12, 2}, values);
  const Array other({3, 2}, {0, 10, 1, 11, 7, 17});
  const Comparison from_trajectory = compare_on_cpu(trajectory, other);
  const Comparison from_rows = compare_on_cpu(rows, other);
  EXPECT_EQ(from_trajectory.count_a, 12);
  EXPECT_EQ(from_trajectory.dim, 2);
  EXPECT_EQ(from_trajectory.ks, from_rows.ks);
  EXPECT_EQ(from_trajectory.wasserstein1, from_rows.wasserstein1);
  EXPECT_EQ(from_trajectory.mean_a, from_rows.mean_a);
  EXPECT_DOUBLE_EQ(from_rows.mean_a[1], from_rows.mean_a[0] + 10.0);
  EXPECT_EQ(from_rows.ks[0], from_rows.ks[1]);  // a shift of both sets changes no distance

  const Comparison vector = compare_on_cpu(column_of({1, 2, 3}), column_of({2, 3}));
  const Comparison matrix = compare_on_cpu(Array({3, 1}, {1, 2, 3}), Array({2, 1}, {2, 3}));
  EXPECT_EQ(vector.dim, 1);
  EXPECT_EQ(vector.ks, matrix.ks);
  EXPECT_EQ(vector.wasserstein1, matrix.wasserstein1);
}

/// Runs compare and expects an InvalidInput whose message holds every one of `parts`.
void expect_invalid(const Array& a, const Array& b, const std::vector<std::string>& parts) {
  try {
    compare_on_cpu(a, b);
    ADD_FAILURE() << "no InvalidInput for shapes " << a.shape_string() << ", " << b.shape_string();
  } catch (const InvalidInput& e) {
    for (const std::string& part : parts) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos)
          << "\"" << part << "\" missing from: " << e.what();
    }
  }
}

TEST(Stats, RejectsInvalidInputNamingSetRowAndCoordinate) {
  const Array two_d({3, 2}, {0, 1, 2, 3, 4, 5});
  expect_invalid(two_d, Array({3, 3}), {"set A", "2", "set B", "3"});
  expect_invalid(Array({0, 2}), two_d, {"set A", "empty"});
  expect_invalid(two_d, Array({0}), {"set B", "empty"});
  expect_invalid(Array({1, 1, 1, 2}), two_d, {"set A", "(1, 1, 1, 2)"});

  Array with_nan = two_d;
  with_nan[2 * 2 + 1] = std::nanf("");
  expect_invalid(with_nan, two_d, {"set A", "row 2", "coordinate 1", "not finite"});
  Array with_inf = two_d;
  with_inf[1 * 2 + 0] = -INFINITY;
  expect_invalid(two_d, with_inf, {"set B", "row 1", "coordinate 0", "inf"});
  Array trajectory({2, 3, 2});
  trajectory[(1 * 3 + 2) * 2 + 1] = INFINITY;  // chain 1, step 2, coordinate 1: row 5
  expect_invalid(trajectory, two_d, {"set A", "row 5", "chain 1, step 2", "coordinate 1"});

  CompareOptions options;
  options.split = NAN;
  EXPECT_THROW(compare(two_d, two_d, options), InvalidInput);
}

// ---- the thread count ------------------------------------------------------------------------

TEST(Stats, AreTheSameBitsOnAnyThreadCount) {
  // Coordinates, directions and points go to the threads in any order; each result is computed
  // alone and summed in a fixed order (the directions' distances, the points' integer counts),
  // so 1, 2 and 3 threads give the same doubles.
  const GaussianMixture mixture({0.3, 0.7}, {{-1.0, 0.5, 2.0}, {1.5, -0.5, 0.0}},
                                {{1.0, 0.6, 1.0}, {0.7, 1.2, 0.5}});
  const Array a = draw(mixture, 3000, 31), b = draw(mixture, 2000, 32);
  CompareOptions options;
  options.backend = Backend::Cpu;
  options.mixture = &mixture;
  options.projections = 200;
  options.seed = 3;
  testing::expect_same_on_any_thread_count(
      [&] { return compare(a, b, options); },
      [](const Comparison& one, const Comparison& many) {
        EXPECT_EQ(many.ks, one.ks);  // bit for bit
        EXPECT_EQ(many.ks_p_value, one.ks_p_value);
        EXPECT_EQ(many.wasserstein1, one.wasserstein1);
        EXPECT_EQ(many.mean_a, one.mean_a);
        EXPECT_EQ(many.mean_b, one.mean_b);
        EXPECT_EQ(many.std_a, one.std_a);
        EXPECT_EQ(many.std_b, one.std_b);
        EXPECT_EQ(many.above_a, one.above_a);
        EXPECT_EQ(many.above_b, one.above_b);
        EXPECT_EQ(many.sliced_wasserstein, one.sliced_wasserstein);
        EXPECT_EQ(many.component_weights_a, one.component_weights_a);
        EXPECT_EQ(many.component_weights_b, one.component_weights_b);
      });
}

// ---- JSON and the plot -----------------------------------------------------------------------

TEST(Stats, JsonHoldsEveryField) {
  const Comparison c = compare_on_cpu(Array({4, 2}, {0, 1, 2, 3, 4, 5, 6, 7}),
                                      Array({3, 2}, {1, 0, 3, 2, 9, 9}), 2.0);
  const nlohmann::json json = nlohmann::json::parse(to_json(c));
  EXPECT_EQ(json.at("dim").get<int>(), 2);
  EXPECT_EQ(json.at("count_a").get<std::int64_t>(), 4);
  EXPECT_EQ(json.at("count_b").get<std::int64_t>(), 3);
  EXPECT_EQ(json.at("split").get<double>(), 2.0);
  // nlohmann writes doubles with enough digits to read back the same value.
  EXPECT_EQ(json.at("ks").get<std::vector<double>>(), c.ks);
  EXPECT_EQ(json.at("ks_p_value").get<std::vector<double>>(), c.ks_p_value);
  EXPECT_EQ(json.at("wasserstein1").get<std::vector<double>>(), c.wasserstein1);
  EXPECT_EQ(json.at("mean_a").get<std::vector<double>>(), c.mean_a);
  EXPECT_EQ(json.at("mean_b").get<std::vector<double>>(), c.mean_b);
  EXPECT_EQ(json.at("std_a").get<std::vector<double>>(), c.std_a);
  EXPECT_EQ(json.at("std_b").get<std::vector<double>>(), c.std_b);
  EXPECT_EQ(json.at("above_a").get<std::vector<double>>(), c.above_a);
  EXPECT_EQ(json.at("above_b").get<std::vector<double>>(), c.above_b);
}

class StatsPlot : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("langevin_stats_test_" + std::to_string(::getpid()) + "_" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(directory_);
  }
  void TearDown() override { fs::remove_all(directory_); }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }

  static std::string contents(const std::string& file) {
    std::ifstream in(file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  static std::size_t occurrences(const std::string& text, const std::string& part) {
    std::size_t count = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
      ++count;
    }
    return count;
  }

  fs::path directory_;
};

TEST_F(StatsPlot, EcdfSvgIsAWellFormedPictureOfTwoCurves) {
  const std::string file = path("ecdf.svg");
  write_ecdf_svg(file, column_of(normal_draws(1000, 0.0, 1.0, 6)),
                 column_of(normal_draws(500, 1.0, 2.0, 7)), "data <A&B>", "samples.npy");
  std::string svg = contents(file);
  ASSERT_FALSE(svg.empty());
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  while (!svg.empty() && std::isspace(static_cast<unsigned char>(svg.back()))) svg.pop_back();
  EXPECT_EQ(svg.substr(svg.size() - 6), "</svg>");
  EXPECT_EQ(occurrences(svg, "<path"), 2u);
  EXPECT_NE(svg.find(">ECDF<"), std::string::npos);
  EXPECT_NE(svg.find("data &lt;A&amp;B&gt;"), std::string::npos);  // labels are escaped
  EXPECT_NE(svg.find("samples.npy"), std::string::npos);
  EXPECT_EQ(occurrences(svg, "<"), occurrences(svg, ">"));
}

TEST_F(StatsPlot, LargeSetsAreSubsampledAndBadRequestsWriteNothing) {
  // 2000 points per curve at most, each "H…V…" of ~16 bytes: well under 100 kB for two curves.
  const std::string file = path("large.svg");
  write_ecdf_svg(file, Array({200000, 2}), Array({300000, 2}), "a", "b", 1);
  EXPECT_LT(fs::file_size(file), 100000u);

  const std::string refused = path("refused.svg");
  EXPECT_THROW(write_ecdf_svg(refused, Array({5, 2}), Array({5, 2}), "a", "b", 2), InvalidInput);
  EXPECT_THROW(write_ecdf_svg(refused, Array({5, 2}), Array({5, 3}), "a", "b"), InvalidInput);
  EXPECT_FALSE(fs::exists(refused));
}

// ---- the GPU against the CPU -----------------------------------------------------------------

/// Values on a grid of 0.01 (many ties) from a fixed seed.
Array tied_values(std::vector<std::int64_t> shape, double mean, std::uint64_t seed) {
  Array array(shape);
  const std::vector<float> draws =
      normal_draws(static_cast<std::size_t>(array.size()), mean, 1.0, seed);
  for (std::int64_t i = 0; i < array.size(); ++i) {
    array[i] = std::round(draws[i] * 100.0f) / 100.0f;
  }
  return array;
}

TEST(StatsOnGpu, MatchesTheCpu) {
  LANGEVIN_REQUIRE_GPU();
  const Array a = tied_values({500, 20, 3}, 0.0, 8);
  const Array b = tied_values({7000, 3}, 0.3, 9);
  CompareOptions options;
  options.split = 0.5;
  options.backend = Backend::Cpu;
  const Comparison cpu = compare(a, b, options);
  options.backend = Backend::Cuda;
  const Comparison gpu = compare(a, b, options);

  ASSERT_EQ(gpu.dim, 3);
  EXPECT_EQ(gpu.count_a, cpu.count_a);
  EXPECT_EQ(gpu.count_b, cpu.count_b);
  // Counts and the gap expression are the same on both: KS, p-value, mode weights are equal.
  EXPECT_EQ(gpu.ks, cpu.ks);
  EXPECT_EQ(gpu.ks_p_value, cpu.ks_p_value);
  EXPECT_EQ(gpu.above_a, cpu.above_a);
  EXPECT_EQ(gpu.above_b, cpu.above_b);
  // Sums differ only in their order: n terms in double, each ≤ max|x| (≈ 5) in size (W1's terms
  // sum to at most the range), so the results differ by at most n · 2⁻⁵³ · 5 · (a few).
  const double rounding = 4.0 * static_cast<double>(cpu.count_a + cpu.count_b) * 0x1.0p-53 * 5.0;
  for (int k = 0; k < 3; ++k) {
    EXPECT_NEAR(gpu.wasserstein1[k], cpu.wasserstein1[k], rounding);
    EXPECT_NEAR(gpu.mean_a[k], cpu.mean_a[k], rounding);
    EXPECT_NEAR(gpu.mean_b[k], cpu.mean_b[k], rounding);
    EXPECT_NEAR(gpu.std_a[k], cpu.std_a[k], rounding);
    EXPECT_NEAR(gpu.std_b[k], cpu.std_b[k], rounding);
  }
}

TEST(StatsOnGpu, DeviceInputIsCheckedLikeHostInput) {
  LANGEVIN_REQUIRE_GPU();
  const Array a = tied_values({100, 2}, 0.0, 10);
  Array b = tied_values({50, 2}, 0.0, 11);
  const DeviceBuffer<float> device_a(a.data(), static_cast<std::size_t>(a.size()));
  const Comparison hand = compare_on_device(device_a.data(), 100, device_a.data(), 100, 2);
  EXPECT_EQ(hand.ks, (std::vector<double>{0.0, 0.0}));

  b[7 * 2 + 1] = std::nanf("");
  const DeviceBuffer<float> device_b(b.data(), static_cast<std::size_t>(b.size()));
  try {
    compare_on_device(device_a.data(), 100, device_b.data(), 50, 2);
    ADD_FAILURE() << "NaN not detected";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("set B, row 7, coordinate 1"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(compare_on_device(device_a.data(), 0, device_a.data(), 100, 2), InvalidInput);
}

}  // namespace
}  // namespace langevin
