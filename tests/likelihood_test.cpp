// Log-likelihoods by the probability-flow ODE (device/likelihood.hpp, log_likelihood()):
// the divergences against finite differences, Hutchinson's probes against the trace, and the
// likelihood of points under a mixture's exact noise-conditional score against the mixture's
// own log-density; a network's against a double-precision fixed-step integration of the same
// equations; bit-identity across splits, threads and backends.

#include "gpu.hpp"
#include "dispatch.hpp"
#include "run/views.hpp"
#include "thread_count.hpp"

#include <langevin/device/gmm.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/mlp_tangent.hpp>
#include <langevin/device/probability_flow.hpp>
#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <vector>

namespace langevin {
namespace {

// Three anisotropic components in 3-D.
GaussianMixture mixture_3d() {
  return GaussianMixture({0.5, 0.3, 0.2}, {{-2.0, 0.5, 1.0}, {1.5, -1.0, 0.0}, {0.5, 2.0, -1.5}},
                         {{0.6, 1.1, 0.4}, {0.9, 0.5, 0.7}, {0.3, 0.8, 1.2}});
}

// Points spread over the mixture's support and beyond, reproducible.
Array spread_points(std::int64_t n, int dim, double scale) {
  Array points(std::vector<std::int64_t>{n, dim});
  for (std::int64_t i = 0; i < n * dim; ++i) {
    points[i] = static_cast<float>(scale * std::sin(1.7 * static_cast<double>(i) + 0.3));
  }
  return points;
}

double log_density(const GaussianMixture& mixture, const float* x, double sigma) {
  const std::vector<float> packed = mixture.packed();
  const device::GmmView view = detail::gmm_view(mixture, packed.data());
  std::vector<double> point(x, x + mixture.dim());
  return device::gmm_log_density<8, double>(view, point.data(), static_cast<double*>(nullptr),
                                            sigma);
}

// ∇·s by central differences of the score, in double: truncation O(h²) and rounding
// O(ε/h) both below 1e-8 at h = 1e-4 for these smooth, O(1) scores.
double central_divergence(const std::function<void(const double*, double*)>& score, int dim,
                          const double* x) {
  const double h = 1e-4;
  double divergence = 0.0;
  std::vector<double> point(x, x + dim), up(dim), down(dim);
  for (int j = 0; j < dim; ++j) {
    point[j] = x[j] + h;
    score(point.data(), up.data());
    point[j] = x[j] - h;
    score(point.data(), down.data());
    point[j] = x[j];
    divergence += (up[j] - down[j]) / (2 * h);
  }
  return divergence;
}

// Every Rademacher vector of length d, each once: their mean of εᵀJε is tr J exactly.
std::vector<std::vector<float>> all_probes(int dim) {
  std::vector<std::vector<float>> probes;
  for (int bits = 0; bits < (1 << dim); ++bits) {
    std::vector<float> probe(dim);
    for (int j = 0; j < dim; ++j) probe[j] = (bits >> j) & 1 ? -1.0f : 1.0f;
    probes.push_back(probe);
  }
  return probes;
}

TEST(LikelihoodDivergence, MixtureMatchesFiniteDifferencesAndItsProbes) {
  const GaussianMixture mixture = mixture_3d();
  const std::vector<float> packed = mixture.packed();
  const device::GmmView view = detail::gmm_view(mixture, packed.data());
  const Array points = spread_points(12, 3, 3.0);
  for (double sigma : {0.0, 0.3, 2.0}) {
    for (std::int64_t i = 0; i < points.dim(0); ++i) {
      std::vector<double> x(points.data() + 3 * i, points.data() + 3 * i + 3), s(3);
      double exact = 0.0;
      device::gmm_log_density<8, double, true>(view, x.data(), s.data(), sigma, &exact);
      const double expected = central_divergence(
          [&](const double* at, double* out) {
            device::gmm_log_density<8, double>(view, at, out, sigma);
          },
          3, x.data());
      EXPECT_NEAR(exact, expected, 1e-6 * (1.0 + std::abs(expected))) << "sigma " << sigma;
      double mean = 0.0;
      const auto probes = all_probes(3);
      for (const auto& probe : probes) {
        double estimate = 0.0;
        device::gmm_log_density<8, double, true>(view, x.data(), s.data(), sigma, &estimate,
                                                 probe.data());
        mean += estimate / static_cast<double>(probes.size());
      }
      EXPECT_NEAR(mean, exact, 1e-12 * (1.0 + std::abs(exact)));
    }
  }
}

// A network's tangent pass against central differences of its forward pass, at any depth, in
// double; the tangents along e_j sum to the trace, and along every Rademacher vector average to
// it.
TEST(LikelihoodDivergence, NetworkTangentsMatchFiniteDifferences) {
  for (const std::vector<int>& widths :
       std::vector<std::vector<int>>{{4, 16, 3}, {4, 12, 10, 3}, {4, 8, 8, 8, 3}}) {
    for (Activation activation : {Activation::Tanh, Activation::Softplus, Activation::Silu}) {
      const Mlp model = Mlp::random(widths, activation, 7);
      const std::vector<float> packed = model.packed();
      const device::MlpView net = detail::mlp_view(model, packed.data());
      const int widest = device::mlp_widest_hidden(net);
      std::vector<double> scratch(4 * widest);
      auto forward = [&](const double* input, double* out) {
        std::vector<double> deep(2 * widest);
        detail::with_activation(activation, [&](auto act) {
          device::mlp_forward_deep<8, act(), double>(net, input, out, deep.data(), 1, widest);
        });
      };
      auto tangent_pass = [&](const double* input, const double* tangent, double* out,
                              double* tangent_out) {
        detail::with_activation(activation, [&](auto act) {
          device::mlp_forward_tangent<8, act(), double>(net, input, tangent, out, tangent_out,
                                                        scratch.data(), 1, widest);
        });
      };
      const Array points = spread_points(6, 3, 2.0);
      for (std::int64_t i = 0; i < points.dim(0); ++i) {
        // (x, log σ): the divergence is over x alone.
        const double input[4] = {points[3 * i], points[3 * i + 1], points[3 * i + 2], -0.4};
        auto score_x = [&](const double* x, double* out) {
          const double at[4] = {x[0], x[1], x[2], input[3]};
          forward(at, out);
        };
        const double expected = central_divergence(score_x, 3, input);
        double trace = 0.0, out[3], tangent_out[3], forward_out[3];
        for (int j = 0; j < 3; ++j) {
          double tangent[4] = {0.0, 0.0, 0.0, 0.0};
          tangent[j] = 1.0;
          tangent_pass(input, tangent, out, tangent_out);
          trace += tangent_out[j];
        }
        forward(input, forward_out);
        for (int k = 0; k < 3; ++k) EXPECT_NEAR(out[k], forward_out[k], 1e-12);
        EXPECT_NEAR(trace, expected, 1e-6 * (1.0 + std::abs(expected)));
        double mean = 0.0;
        for (const auto& probe : all_probes(3)) {
          const double tangent[4] = {probe[0], probe[1], probe[2], 0.0};
          tangent_pass(input, tangent, out, tangent_out);
          for (int k = 0; k < 3; ++k) mean += probe[k] * tangent_out[k] / 8.0;
        }
        EXPECT_NEAR(mean, trace, 1e-12 * (1.0 + std::abs(trace)));
      }
    }
  }
}

class Likelihood3d : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::Cuda) LANGEVIN_REQUIRE_GPU();
  }
};

// The flow under the mixture's exact noise-conditional score carries p_σL onto p_σ₁ exactly, so
//   estimate = log p_σL(x) + [log N(z; 0, σ₁² I) − log p_σ₁(z)] + ODE error,
// the bracket (the prior's mismatch at σ₁) computed here in double at the returned latent z.
// The ODE error bound: the pair holds each step's local error in ℓ to √(d+1) (atol + rtol |ℓ|)
// (the RMS over the d + 1 components is ≤ 1), and the errors of the steps add (ℓ's equation
// does not feed back into itself); so |error| ≤ steps √(d+1) (atol + rtol |ℓ|), steps =
// evaluations/6, |ℓ| ≤ |estimate| + |log prior|. At σ₁ = 200 the mismatch itself stays below
// d (|μ| |z|/σ₁² + s²/σ₁²) ≈ 0.1 for |z| ≤ 4σ₁: the estimate is log p to that, as the test
// also checks.
TEST_P(Likelihood3d, EqualsTheMixturesLogDensity) {
  const GaussianMixture mixture = mixture_3d();
  const Array points = spread_points(64, 3, 2.5);
  for (DivergenceEstimator divergence :
       {DivergenceEstimator::Exact, DivergenceEstimator::Hutchinson}) {
    SCOPED_TRACE(to_string(divergence));
    LikelihoodConfig config;
    config.sigmas = geometric_noise_levels(200.0, 0.01, 8);
    config.rtol = config.atol = 1e-6;
    config.divergence = divergence;
    config.probes = 4;
    config.seed = 11;
    config.backend = GetParam();
    const Likelihood result = log_likelihood(mixture, points, config);
    ASSERT_EQ(result.failed(), 0);
    EXPECT_EQ(result.divergence, divergence);
    double sum = 0.0, sum_squares = 0.0;
    for (std::int64_t i = 0; i < points.dim(0); ++i) {
      const float* z = result.latent.data() + 3 * i;
      double prior = 0.0;
      for (int j = 0; j < 3; ++j) {
        prior += -0.5 * (z[j] / 200.0) * (z[j] / 200.0) - std::log(200.0) -
                 0.5 * std::log(2.0 * M_PI);
      }
      const double mismatch = prior - log_density(mixture, z, 200.0);
      EXPECT_LT(std::abs(mismatch), 0.1);
      const double exact = log_density(mixture, points.data() + 3 * i, 0.01);
      const double difference = result.log_density[i] - (exact + mismatch);
      if (divergence == DivergenceEstimator::Exact) {
        const double ell = std::abs(result.log_density[i]) + std::abs(prior);
        const double steps = result.evaluations[i] / 6.0;
        const double bound = steps * std::sqrt(4.0) * (1e-6 + 1e-6 * ell);
        EXPECT_LE(std::abs(difference), bound) << "point " << i;
      }
      sum += difference;
      sum_squares += difference * difference;
    }
    // Hutchinson's estimate is unbiased: the mean difference within 4 standard errors (plus
    // the ODE's bound, of order 10⁻³ here).
    const double n = static_cast<double>(points.dim(0));
    const double mean = sum / n;
    const double se = std::sqrt(std::max(0.0, sum_squares / n - mean * mean) / (n - 1));
    EXPECT_LE(std::abs(mean), 4 * se + 2e-3);
    EXPECT_NEAR(result.bits_per_dim(), -result.mean_log_density() / (3 * std::log(2.0)), 1e-12);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, Likelihood3d, ::testing::Values(Backend::Cpu, Backend::Cuda),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// A noise-conditional network, exact divergence, against the same equations integrated in
// double by classical Runge–Kutta with a fixed step of 1/400 of each interval (its error,
// O(h⁴), is far below the adaptive float run's bound).
TEST(Likelihood, NetworkMatchesAFixedStepDoubleIntegration) {
  const std::vector<double> sigmas = geometric_noise_levels(20.0, 0.05, 4);
  const Mlp random = Mlp::random({3, 24, 24, 2}, Activation::Tanh, 3);
  const Mlp model(random.layers(), Activation::Tanh, sigmas);
  const std::vector<float> packed = model.packed();
  const device::MlpView net = detail::mlp_view(model, packed.data());
  const int widest = device::mlp_widest_hidden(net);
  std::vector<double> scratch(4 * widest);
  // (dx/dv, dℓ/dv) at σ.
  auto slope = [&](const double* y, double sigma, double* out) {
    const double input[3] = {y[0], y[1], std::log(sigma)};
    double s[2], tangent_out[2], divergence = 0.0;
    for (int j = 0; j < 2; ++j) {
      double tangent[3] = {0.0, 0.0, 0.0};
      tangent[j] = 1.0;
      device::mlp_forward_tangent<4, Activation::Tanh, double>(net, input, tangent, s,
                                                               tangent_out, scratch.data(), 1,
                                                               widest);
      divergence += tangent_out[j];
    }
    for (int j = 0; j < 2; ++j) out[j] = -sigma * s[j];  // σ² · s/σ
    out[2] = sigma * divergence;                          // σ² · ∇·(net/σ)
  };
  const Array points = spread_points(16, 2, 1.5);
  LikelihoodConfig config;
  config.rtol = config.atol = 1e-6;
  const Likelihood result = log_likelihood(model, points, config);
  ASSERT_EQ(result.failed(), 0);
  EXPECT_EQ(result.divergence, DivergenceEstimator::Exact);
  EXPECT_EQ(result.sigmas, sigmas);
  for (std::int64_t i = 0; i < points.dim(0); ++i) {
    double y[3] = {points[2 * i], points[2 * i + 1], 0.0};
    for (int level = static_cast<int>(sigmas.size()) - 2; level >= 0; --level) {
      const double from = sigmas[level + 1];
      const int steps = 400;
      const double h = std::log(sigmas[level] / from) / steps;
      for (int n = 0; n < steps; ++n) {
        double k[4][3], at[3];
        const double v = n * h;
        slope(y, from * std::exp(v), k[0]);
        for (int c = 0; c < 3; ++c) at[c] = y[c] + 0.5 * h * k[0][c];
        slope(at, from * std::exp(v + 0.5 * h), k[1]);
        for (int c = 0; c < 3; ++c) at[c] = y[c] + 0.5 * h * k[1][c];
        slope(at, from * std::exp(v + 0.5 * h), k[2]);
        for (int c = 0; c < 3; ++c) at[c] = y[c] + h * k[2][c];
        slope(at, from * std::exp(v + h), k[3]);
        for (int c = 0; c < 3; ++c) y[c] += h / 6 * (k[0][c] + 2 * k[1][c] + 2 * k[2][c] + k[3][c]);
      }
    }
    const double top = sigmas.front();
    double expected = -y[2];
    for (int j = 0; j < 2; ++j) {
      expected += -0.5 * (y[j] / top) * (y[j] / top) - std::log(top) - 0.5 * std::log(2 * M_PI);
    }
    const double steps = result.evaluations[i] / 6.0;
    const double bound =
        steps * std::sqrt(3.0) * (1e-6 + 1e-6 * (std::abs(expected) + std::abs(y[2])));
    EXPECT_NEAR(result.log_density[i], expected, bound) << "point " << i;
    for (int j = 0; j < 2; ++j) {
      EXPECT_NEAR(result.latent[2 * i + j], y[j], steps * 2e-6 * (1 + std::abs(y[j])));
    }
  }
}

// A point's result depends on (seed, its global index) alone: the same bits from the whole set,
// from its parts given first_point, and at any thread count.
TEST(Likelihood, BitIdenticalAcrossSplitsAndThreads) {
  const GaussianMixture mixture = mixture_3d();
  const Array points = spread_points(40, 3, 2.0);
  LikelihoodConfig config;
  config.sigmas = geometric_noise_levels(50.0, 0.05, 5);
  config.divergence = DivergenceEstimator::Hutchinson;
  config.probes = 2;
  config.seed = 5;
  config.backend = Backend::Cpu;
  const Likelihood whole = log_likelihood(mixture, points, config);
  const std::int64_t cut = 17;
  for (int part = 0; part < 2; ++part) {
    const std::int64_t first = part == 0 ? 0 : cut, count = part == 0 ? cut : 40 - cut;
    const Array rows(std::vector<std::int64_t>{count, 3},
                     std::vector<float>(points.data() + 3 * first,
                                        points.data() + 3 * (first + count)));
    config.first_point = first;
    const Likelihood piece = log_likelihood(mixture, rows, config);
    EXPECT_EQ(0, std::memcmp(piece.log_density.data(), whole.log_density.data() + first,
                             sizeof(float) * count));
    EXPECT_EQ(0, std::memcmp(piece.latent.data(), whole.latent.data() + 3 * first,
                             sizeof(float) * 3 * count));
  }
  config.first_point = 0;
  const Likelihood serial = [&] {
    const testing::ThreadCount threads(1);
    return log_likelihood(mixture, points, config);
  }();
  EXPECT_EQ(0, std::memcmp(serial.log_density.data(), whole.log_density.data(),
                           sizeof(float) * 40));
  // Another seed, other probes.
  config.seed = 6;
  const Likelihood other = log_likelihood(mixture, points, config);
  EXPECT_NE(0, std::memcmp(other.log_density.data(), whole.log_density.data(),
                           sizeof(float) * 40));
}

// The GPU gives the CPU's bits (same kernels, same operations), mixtures and networks of any
// depth, exact and Hutchinson.
TEST(Likelihood, CpuAndGpuBitIdentical) {
  LANGEVIN_REQUIRE_GPU();
  const Array points = spread_points(300, 2, 2.0);
  const std::vector<double> sigmas = geometric_noise_levels(20.0, 0.05, 4);
  for (DivergenceEstimator divergence :
       {DivergenceEstimator::Exact, DivergenceEstimator::Hutchinson}) {
    LikelihoodConfig config;
    config.divergence = divergence;
    config.sigmas = sigmas;
    config.seed = 9;
    auto both = [&](const std::function<Likelihood(const LikelihoodConfig&)>& run) {
      config.backend = Backend::Cpu;
      const Likelihood cpu = run(config);
      config.backend = Backend::Cuda;
      const Likelihood gpu = run(config);
      EXPECT_EQ(0, std::memcmp(cpu.log_density.data(), gpu.log_density.data(),
                               sizeof(float) * 300));
      EXPECT_EQ(cpu.evaluations, gpu.evaluations);
    };
    const GaussianMixture mixture({0.4, 0.6}, {{-1.0, 0.5}, {1.0, -0.5}}, {{0.5, 0.8}, {0.7, 0.4}});
    both([&](const LikelihoodConfig& c) { return log_likelihood(mixture, points, c); });
    for (const std::vector<int>& widths : std::vector<std::vector<int>>{{3, 32, 2},
                                                                        {3, 16, 16, 2}}) {
      const Mlp model(Mlp::random(widths, Activation::Silu, 4).layers(), Activation::Silu,
                      sigmas);
      both([&](const LikelihoodConfig& c) { return log_likelihood(model, points, c); });
    }
  }
}

// A point whose flow cannot be held to the tolerance fails alone: NaN, counted, left out of the
// mean, and it stops at its first failed interval (one interval's attempts, not every level's).
TEST(Likelihood, AFailedPointIsNaNAndStopsAtOnce) {
  const GaussianMixture mixture = mixture_3d();
  const Array points = spread_points(6, 3, 2.0);
  LikelihoodConfig config;
  config.sigmas = geometric_noise_levels(50.0, 0.05, 6);
  config.rtol = config.atol = 1e-30;  // below float rounding: no step is ever accepted
  config.backend = Backend::Cpu;
  const Likelihood result = log_likelihood(mixture, points, config);
  EXPECT_EQ(result.failed(), 6);
  EXPECT_TRUE(std::isnan(result.mean_log_density()));
  for (std::int64_t i = 0; i < 6; ++i) {
    EXPECT_TRUE(std::isnan(result.log_density[i]));
    EXPECT_TRUE(std::isnan(result.latent[3 * i]));
    // The step shrinks until its error is below 1e-30 (about 1e-40), far too small to cross
    // the interval: the first interval gives up after kMaxOdeAttempts attempts of 6
    // evaluations, and the four above it are not tried (they would add as many again each).
    EXPECT_EQ(result.evaluations[i], 1 + 6 * device::kMaxOdeAttempts);
  }
}

TEST(Likelihood, RefusesWhatItCannotRun) {
  const GaussianMixture mixture = mixture_3d();
  const Array points = spread_points(4, 3, 1.0);
  auto message = [](const std::function<void()>& run) {
    try {
      run();
    } catch (const InvalidInput& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  LikelihoodConfig config;
  EXPECT_NE(message([&] { log_likelihood(mixture, points, config); }).find("sigmas"),
            std::string::npos);
  config.sigmas = {1.0};
  EXPECT_NE(message([&] { log_likelihood(mixture, points, config); }).find("at least two"),
            std::string::npos);
  config.sigmas = {10.0, 0.1};
  config.probes = 0;
  EXPECT_NE(message([&] { log_likelihood(mixture, points, config); }).find("probes = 0"),
            std::string::npos);
  config.probes = 1;
  config.rtol = 0.0;
  EXPECT_NE(message([&] { log_likelihood(mixture, points, config); }).find("rtol = 0"),
            std::string::npos);
  config.rtol = 1e-5;
  const Array wrong = spread_points(4, 2, 1.0);
  EXPECT_NE(message([&] { log_likelihood(mixture, wrong, config); }).find("(N, 3)"),
            std::string::npos);
  Array infinite = points;
  infinite[5] = INFINITY;
  EXPECT_NE(message([&] { log_likelihood(mixture, infinite, config); }).find("points[1, 2]"),
            std::string::npos);
  const Mlp plain = Mlp::random({3, 8, 3}, Activation::Tanh, 1);
  EXPECT_NE(message([&] { log_likelihood(plain, points, config); }).find("not noise-conditional"),
            std::string::npos);
}

}  // namespace
}  // namespace langevin
