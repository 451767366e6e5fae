// Convergence diagnostics (include/langevin/diagnostics.hpp): rank-normalised split-R̂, bulk and
// tail ESS, MCSE of the mean, a coordinate at a time on the host, in double precision.

#include <langevin/diagnostics.hpp>
#include <langevin/error.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <numeric>
#include <string>
#include <vector>

namespace langevin {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative error ~1e-9), then two
/// Halley steps on Φ(x) − p, which leave it at double rounding.
double inverse_normal_cdf(double p) {
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                             -2.759285104469687e+02, 1.383577518672690e+02,
                             -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                             -1.556989798598866e+02, 6.680131188771972e+01,
                             -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                             -2.400758277161838e+00, -2.549732539343734e+00,
                             4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                             2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  auto tail = [&](double q) {
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  };
  double x;
  if (p < kLow) {
    x = tail(std::sqrt(-2.0 * std::log(p)));
  } else if (p > 1.0 - kLow) {
    x = -tail(std::sqrt(-2.0 * std::log1p(-p)));
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  for (int step = 0; step < 2; ++step) {
    // Φ(x) − p, from whichever side keeps it free of cancellation.
    const double e = x < 0 ? 0.5 * std::erfc(-x / std::sqrt(2.0)) - p
                           : (1.0 - p) - 0.5 * std::erfc(x / std::sqrt(2.0));
    const double u = e * std::sqrt(2.0 * kPi) * std::exp(0.5 * x * x);
    x -= u / (1.0 + 0.5 * x * u);
  }
  return x;
}

/// In-place radix-2 FFT of a power-of-two length (inverse: the conjugate transform, unscaled).
void fft(std::vector<std::complex<double>>& v, bool inverse) {
  const std::size_t n = v.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(v[i], v[j]);
  }
  for (std::size_t length = 2; length <= n; length <<= 1) {
    const double angle = (inverse ? 2.0 : -2.0) * kPi / static_cast<double>(length);
    const std::complex<double> unit(std::cos(angle), std::sin(angle));
    for (std::size_t start = 0; start < n; start += length) {
      std::complex<double> w(1.0, 0.0);
      for (std::size_t k = 0; k < length / 2; ++k) {
        const std::complex<double> even = v[start + k], odd = v[start + k + length / 2] * w;
        v[start + k] = even + odd;
        v[start + k + length / 2] = even - odd;
        w *= unit;
      }
    }
  }
}

/// M chains of T draws each, chain-major.
struct Chains {
  std::int64_t count = 0;
  std::int64_t draws = 0;
  std::vector<double> values;
};

double mean_of(const double* x, std::int64_t n) {
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += x[i];
  return sum / static_cast<double>(n);
}

double variance_of(const double* x, std::int64_t n) {  // with n − 1
  const double m = mean_of(x, n);
  double sum = 0.0;
  for (std::int64_t i = 0; i < n; ++i) sum += (x[i] - m) * (x[i] - m);
  return sum / static_cast<double>(n - 1);
}

/// Linearly interpolated quantile of sorted values (R's type 7).
double quantile_sorted(const std::vector<double>& sorted, double p) {
  const double h = static_cast<double>(sorted.size() - 1) * p;
  const std::size_t low = static_cast<std::size_t>(std::floor(h));
  if (low + 1 >= sorted.size()) return sorted.back();
  return sorted[low] + (h - static_cast<double>(low)) * (sorted[low + 1] - sorted[low]);
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return quantile_sorted(values, 0.5);
}

/// Each chain's first and last ⌊T/2⌋ draws as two chains.
Chains split(const Chains& chains) {
  Chains out;
  out.count = 2 * chains.count;
  out.draws = chains.draws / 2;
  out.values.reserve(static_cast<std::size_t>(out.count * out.draws));
  for (int part = 0; part < 2; ++part) {
    const std::int64_t first = part == 0 ? 0 : chains.draws - out.draws;
    for (std::int64_t c = 0; c < chains.count; ++c) {
      const double* row = chains.values.data() + c * chains.draws + first;
      out.values.insert(out.values.end(), row, row + out.draws);
    }
  }
  return out;
}

/// Φ⁻¹ of the draws' fractional ranks (r − 3/8)/(S + 1/4), ties at their average rank.
Chains z_scale(Chains chains) {
  const std::size_t size = chains.values.size();
  std::vector<std::size_t> order(size);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return chains.values[i] < chains.values[j]; });
  std::vector<double> z(size);
  for (std::size_t begin = 0; begin < size;) {
    std::size_t end = begin + 1;
    while (end < size && chains.values[order[end]] == chains.values[order[begin]]) ++end;
    const double rank = 0.5 * static_cast<double>(begin + 1 + end);  // mean of begin+1 … end
    const double value = inverse_normal_cdf((rank - 0.375) / (static_cast<double>(size) + 0.25));
    for (std::size_t i = begin; i < end; ++i) z[order[i]] = value;
    begin = end;
  }
  chains.values = std::move(z);
  return chains;
}

double rhat_of(const Chains& chains) {
  const std::int64_t m = chains.count, n = chains.draws;
  std::vector<double> means(static_cast<std::size_t>(m));
  double within = 0.0;
  for (std::int64_t c = 0; c < m; ++c) {
    const double* row = chains.values.data() + c * n;
    means[static_cast<std::size_t>(c)] = mean_of(row, n);
    within += variance_of(row, n);
  }
  within /= static_cast<double>(m);
  const double between = static_cast<double>(n) * variance_of(means.data(), m);
  return std::sqrt((between / within + static_cast<double>(n) - 1.0) / static_cast<double>(n));
}

/// The chains' autocovariances (with 1/T) at every lag, averaged over the chains.
std::vector<double> mean_autocovariance(const Chains& chains) {
  const std::int64_t n = chains.draws;
  std::size_t size = 1;
  while (size < static_cast<std::size_t>(2 * n)) size <<= 1;  // no wrap-around below lag n
  std::vector<double> mean(static_cast<std::size_t>(n), 0.0);
  std::vector<std::complex<double>> v(size);
  for (std::int64_t c = 0; c < chains.count; ++c) {
    const double* row = chains.values.data() + c * n;
    const double centre = mean_of(row, n);
    std::fill(v.begin(), v.end(), std::complex<double>(0.0, 0.0));
    for (std::int64_t t = 0; t < n; ++t) v[static_cast<std::size_t>(t)] = row[t] - centre;
    fft(v, false);
    for (auto& x : v) x = std::norm(x);
    fft(v, true);
    for (std::int64_t t = 0; t < n; ++t) {
      mean[static_cast<std::size_t>(t)] +=
          v[static_cast<std::size_t>(t)].real() / static_cast<double>(size) / static_cast<double>(n);
    }
  }
  for (double& x : mean) x /= static_cast<double>(chains.count);
  return mean;
}

/// M T / τ with τ from Geyer's initial monotone sequence of the autocorrelations.
double ess_of(const Chains& chains) {
  const std::int64_t m = chains.count, n = chains.draws;
  const auto [low, high] = std::minmax_element(chains.values.begin(), chains.values.end());
  const double total = static_cast<double>(m * n);
  if (*high - *low < 1e-15) return total;  // constant: every draw counts
  const std::vector<double> acov = mean_autocovariance(chains);
  std::vector<double> means(static_cast<std::size_t>(m));
  for (std::int64_t c = 0; c < m; ++c) means[static_cast<std::size_t>(c)] = mean_of(chains.values.data() + c * n, n);
  const double mean_var = acov[0] * static_cast<double>(n) / static_cast<double>(n - 1);
  double var_plus = mean_var * static_cast<double>(n - 1) / static_cast<double>(n);
  if (m > 1) var_plus += variance_of(means.data(), m);
  auto rho_at = [&](std::int64_t t) { return 1.0 - (mean_var - acov[static_cast<std::size_t>(t)]) / var_plus; };

  std::vector<double> rho(static_cast<std::size_t>(n), 0.0);
  double even = 1.0, odd = rho_at(1);
  rho[0] = even;
  rho[1] = odd;
  std::int64_t t = 1;
  while (t < n - 3 && even + odd > 0.0) {  // Geyer's initial positive sequence
    even = rho_at(t + 1);
    odd = rho_at(t + 2);
    if (even + odd >= 0) {
      rho[static_cast<std::size_t>(t + 1)] = even;
      rho[static_cast<std::size_t>(t + 2)] = odd;
    }
    t += 2;
  }
  const std::int64_t max_t = t - 2;
  if (even > 0) rho[static_cast<std::size_t>(max_t + 1)] = even;
  for (t = 1; t <= max_t - 2; t += 2) {  // made monotone
    const auto at = [&](std::int64_t i) -> double& { return rho[static_cast<std::size_t>(i)]; };
    if (at(t + 1) + at(t + 2) > at(t - 1) + at(t)) {
      at(t + 1) = 0.5 * (at(t - 1) + at(t));
      at(t + 2) = at(t + 1);
    }
  }
  double tau = -1.0;
  for (std::int64_t i = 0; i <= max_t; ++i) tau += 2.0 * rho[static_cast<std::size_t>(i)];
  if (max_t + 1 < n) tau += rho[static_cast<std::size_t>(max_t + 1)];
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

/// √(1 + B/W) over K superchains of consecutive chains (Margossian et al. 2024).
double nested_rhat_of(const Chains& chains, std::int64_t superchains) {
  const std::int64_t per = chains.count / superchains, n = chains.draws;
  std::vector<double> superchain_means(static_cast<std::size_t>(superchains));
  double within = 0.0;
  for (std::int64_t k = 0; k < superchains; ++k) {
    std::vector<double> chain_means(static_cast<std::size_t>(per));
    double chain_variance = 0.0;
    for (std::int64_t m = 0; m < per; ++m) {
      const double* row = chains.values.data() + (k * per + m) * n;
      chain_means[static_cast<std::size_t>(m)] = mean_of(row, n);
      chain_variance += n > 1 ? variance_of(row, n) : 0.0;
    }
    superchain_means[static_cast<std::size_t>(k)] = mean_of(chain_means.data(), per);
    within += chain_variance / static_cast<double>(per) +
              (per > 1 ? variance_of(chain_means.data(), per) : 0.0);
  }
  within /= static_cast<double>(superchains);
  return std::sqrt(1.0 + variance_of(superchain_means.data(), superchains) / within);
}

Chains map(Chains chains, double (*f)(double, double), double parameter) {
  for (double& x : chains.values) x = f(x, parameter);
  return chains;
}

}  // namespace

Diagnostics diagnose(const Array& trajectory, std::int64_t superchains) {
  if (trajectory.rank() != 2 && trajectory.rank() != 3) {
    throw InvalidInput("trajectory: an array of rank " + std::to_string(trajectory.rank()) +
                       "; expected (chains, draws, d) or (chains, draws)");
  }
  Diagnostics result;
  result.chains = trajectory.dim(0);
  result.draws = trajectory.dim(1);
  result.dim = trajectory.rank() == 3 ? static_cast<int>(trajectory.dim(2)) : 1;
  if (result.chains < 2) {
    throw InvalidInput("trajectory chains = " + std::to_string(result.chains) +
                       ": R̂ compares chains, give at least 2");
  }
  if (result.draws < 4) {
    throw InvalidInput("trajectory draws = " + std::to_string(result.draws) +
                       ": give at least 4 draws per chain (kept steps)");
  }
  if (superchains != 0 && (superchains < 2 || result.chains % superchains != 0)) {
    throw InvalidInput("superchains = " + std::to_string(superchains) + ": must be at least 2 "
                       "and divide the " + std::to_string(result.chains) + " chains");
  }
  result.superchains = superchains;
  const std::vector<float>& values = trajectory.values();
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidInput("trajectory value " + std::to_string(i) + " is not finite");
    }
  }
  for (int k = 0; k < result.dim; ++k) {
    Chains chains;
    chains.count = result.chains;
    chains.draws = result.draws;
    chains.values.resize(static_cast<std::size_t>(chains.count * chains.draws));
    for (std::size_t i = 0; i < chains.values.size(); ++i) {
      chains.values[i] = values[i * static_cast<std::size_t>(result.dim) + static_cast<std::size_t>(k)];
    }
    const Chains halves = split(chains);
    const double centre = median_of(halves.values);
    const Chains folded = map(halves, [](double x, double m) { return std::abs(x - m); }, centre);
    result.rhat.push_back(std::max(rhat_of(z_scale(halves)), rhat_of(z_scale(folded))));
    result.ess_bulk.push_back(ess_of(z_scale(halves)));

    std::vector<double> sorted = chains.values;
    std::sort(sorted.begin(), sorted.end());
    double tail = 0.0;
    for (const double p : {0.05, 0.95}) {
      const double q = quantile_sorted(sorted, p);
      const double ess = ess_of(split(map(chains, [](double x, double at) { return x <= at ? 1.0 : 0.0; }, q)));
      tail = p == 0.05 ? ess : std::min(tail, ess);
    }
    result.ess_tail.push_back(tail);

    const std::int64_t total = chains.count * chains.draws;
    result.mean.push_back(mean_of(chains.values.data(), total));
    result.sd.push_back(std::sqrt(variance_of(chains.values.data(), total)));
    result.mcse_mean.push_back(result.sd.back() / std::sqrt(ess_of(halves)));
    if (superchains > 0) result.nested_rhat.push_back(nested_rhat_of(chains, superchains));
  }
  return result;
}

std::string to_json(const Diagnostics& d) {
  nlohmann::json json = {{"chains", d.chains},       {"draws", d.draws},
                         {"dim", d.dim},             {"rhat", d.rhat},
                         {"ess_bulk", d.ess_bulk},   {"ess_tail", d.ess_tail},
                         {"mean", d.mean},           {"sd", d.sd},
                         {"mcse_mean", d.mcse_mean}};
  if (d.superchains > 0) {
    json["superchains"] = d.superchains;
    json["nested_rhat"] = d.nested_rhat;
  }
  return json.dump();
}

}  // namespace langevin
