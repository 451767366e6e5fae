// Convergence diagnostics (include/langevin/diagnostics.hpp): rank-normalised split-R̂, bulk and
// tail ESS, MCSE of the mean, a coordinate at a time on the host, in double precision.

#include <langevin/diagnostics.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include "io/npy_format.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdint>
#include <limits>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#if defined(_OPENMP) && defined(__GLIBCXX__) && __has_include(<parallel/algorithm>)
#include <parallel/algorithm>
#define LANGEVIN_PARALLEL_SORT 1
#endif

namespace langevin {
namespace {

constexpr double kPi = 3.14159265358979323846;

/// Φ⁻¹(p) for 0 < p < 1: Acklam's rational approximation (relative error ~1e-9), then one
/// Halley step on Φ(x) − p, which cubes the error: double rounding is left.
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
  // Φ(x) − p, from whichever side keeps it free of cancellation.
  const double e = x < 0 ? 0.5 * std::erfc(-x / std::sqrt(2.0)) - p
                         : (1.0 - p) - 0.5 * std::erfc(x / std::sqrt(2.0));
  const double u = e * std::sqrt(2.0 * kPi) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
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

/// The p-quantile of values at(0) ≤ at(1) ≤ … ≤ at(size − 1), interpolated linearly (R's type 7,
/// NumPy's default).
template <class At>
double interpolated_quantile(std::size_t size, double p, const At& at) {
  const double h = static_cast<double>(size - 1) * p;
  const std::size_t low = static_cast<std::size_t>(std::floor(h));
  if (low + 1 >= size) return at(low);
  return at(low) + (h - static_cast<double>(low)) * (static_cast<double>(at(low + 1)) - at(low));
}

/// The p-quantile of `values`, partly reordered to find it: the two order statistics around it
/// by selection (linear time), not a whole sort.
double quantile_of(std::vector<float>& values, double p) {
  const double h = static_cast<double>(values.size() - 1) * p;
  const std::size_t low = static_cast<std::size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(low), values.end());
  const float below = values[low];
  const auto next = values.begin() + static_cast<std::ptrdiff_t>(low) + 1;
  const float above = low + 1 < values.size() ? *std::min_element(next, values.end()) : below;
  return interpolated_quantile(values.size(), p, [&](std::size_t i) {
    return static_cast<double>(i == low ? below : above);
  });
}

/// Coordinate k of a trajectory's draws, read in place.
struct Draws {
  const float* base;
  std::int64_t chains, draws;
  int dim, k;
  float at(std::int64_t c, std::int64_t t) const {
    return base[(c * draws + t) * dim + k];
  }
};

/// The split chains: 2M chains of ⌊T/2⌋ draws; chain j < M is the first half of chain j, chain
/// j ≥ M the last half of chain j − M (the middle draw of an odd T left out).
struct Split {
  const Draws& x;
  std::int64_t count, length;
  explicit Split(const Draws& draws) : x(draws), count(2 * draws.chains), length(draws.draws / 2) {}
  float at(std::int64_t j, std::int64_t t) const {
    return j < x.chains ? x.at(j, t) : x.at(j - x.chains, x.draws - length + t);
  }
};

/// One pass over `count` chains of a series of `length` values: what R̂ and the ESS need.
struct ChainMoments {
  std::vector<double> means, variances;  // per chain (variances with n − 1)
  std::vector<double> acov;  // the chains' autocovariances (with 1/n) at every lag, averaged
  double low = 0.0, high = 0.0;
};

constexpr std::int64_t kChainsPerBlock = 64;  // the sums' order: fixed, whatever the threads

/// series(j, t) for chain j < count and t < length; with `lags` also the autocovariances (by
/// FFT, zero-padded past 2 × length so that no lag wraps around).
template <class Series>
ChainMoments moments(std::int64_t count, std::int64_t length, bool lags, const Series& series) {
  ChainMoments m;
  m.means.resize(static_cast<std::size_t>(count));
  m.variances.resize(static_cast<std::size_t>(count));
  std::size_t size = 1;
  while (size < static_cast<std::size_t>(2 * length)) size <<= 1;
  const std::int64_t blocks = (count + kChainsPerBlock - 1) / kChainsPerBlock;
  std::vector<std::vector<double>> block_acov(static_cast<std::size_t>(blocks));
  std::vector<double> block_low(static_cast<std::size_t>(blocks)), block_high(block_low.size());
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::vector<double> values(static_cast<std::size_t>(length));
    std::vector<std::complex<double>> v(lags ? size : 0);
    std::vector<double>& acov = block_acov[static_cast<std::size_t>(b)];
    if (lags) acov.assign(static_cast<std::size_t>(length), 0.0);
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (std::int64_t j = b * kChainsPerBlock; j < std::min(count, (b + 1) * kChainsPerBlock); ++j) {
      for (std::int64_t t = 0; t < length; ++t) {
        const double x = series(j, t);
        values[static_cast<std::size_t>(t)] = x;
        low = std::min(low, x);
        high = std::max(high, x);
      }
      const double mean = mean_of(values.data(), length);
      m.means[static_cast<std::size_t>(j)] = mean;
      m.variances[static_cast<std::size_t>(j)] = variance_of(values.data(), length);
      if (!lags) continue;
      std::fill(v.begin(), v.end(), std::complex<double>(0.0, 0.0));
      for (std::int64_t t = 0; t < length; ++t) v[static_cast<std::size_t>(t)] = values[static_cast<std::size_t>(t)] - mean;
      fft(v, false);
      for (auto& x : v) x = std::norm(x);
      fft(v, true);
      for (std::int64_t t = 0; t < length; ++t) {
        acov[static_cast<std::size_t>(t)] += v[static_cast<std::size_t>(t)].real() /
                                             static_cast<double>(size) / static_cast<double>(length);
      }
    }
    block_low[static_cast<std::size_t>(b)] = low;
    block_high[static_cast<std::size_t>(b)] = high;
  }
  m.low = *std::min_element(block_low.begin(), block_low.end());
  m.high = *std::max_element(block_high.begin(), block_high.end());
  if (lags) {
    m.acov.assign(static_cast<std::size_t>(length), 0.0);
    for (const std::vector<double>& block : block_acov) {
      for (std::size_t t = 0; t < block.size(); ++t) m.acov[t] += block[t];
    }
    for (double& x : m.acov) x /= static_cast<double>(count);
  }
  return m;
}

double rhat_of(const ChainMoments& m, std::int64_t length) {
  const double within = mean_of(m.variances.data(), static_cast<std::int64_t>(m.variances.size()));
  const double between = static_cast<double>(length) *
                         variance_of(m.means.data(), static_cast<std::int64_t>(m.means.size()));
  return std::sqrt((between / within + static_cast<double>(length) - 1.0) /
                   static_cast<double>(length));
}

/// M T / τ with τ from Geyer's initial monotone sequence of the autocorrelations.
double ess_of(const ChainMoments& moments, std::int64_t length) {
  const std::int64_t m = static_cast<std::int64_t>(moments.means.size()), n = length;
  const double total = static_cast<double>(m * n);
  if (moments.high - moments.low < 1e-15) return total;  // constant: every draw counts
  const std::vector<double>& acov = moments.acov;
  const double mean_var = acov[0] * static_cast<double>(n) / static_cast<double>(n - 1);
  double var_plus = mean_var * static_cast<double>(n - 1) / static_cast<double>(n);
  if (m > 1) var_plus += variance_of(moments.means.data(), m);
  auto rho_at = [&](std::int64_t t) {
    return 1.0 - (mean_var - acov[static_cast<std::size_t>(t)]) / var_plus;
  };
  std::vector<double> rho(static_cast<std::size_t>(n), 0.0);
  const auto at = [&](std::int64_t i) -> double& { return rho[static_cast<std::size_t>(i)]; };
  double even = 1.0, odd = rho_at(1);
  at(0) = even;
  at(1) = odd;
  std::int64_t t = 1;
  while (t < n - 3 && even + odd > 0.0) {  // Geyer's initial positive sequence
    even = rho_at(t + 1);
    odd = rho_at(t + 2);
    if (even + odd >= 0) {
      at(t + 1) = even;
      at(t + 2) = odd;
    }
    t += 2;
  }
  const std::int64_t max_t = t - 2;
  if (even > 0) at(max_t + 1) = even;
  for (t = 1; t <= max_t - 2; t += 2) {  // made monotone
    if (at(t + 1) + at(t + 2) > at(t - 1) + at(t)) {
      at(t + 1) = 0.5 * (at(t - 1) + at(t));
      at(t + 2) = at(t + 1);
    }
  }
  double tau = -1.0;
  for (std::int64_t i = 0; i <= max_t; ++i) tau += 2.0 * at(i);
  if (max_t + 1 < n) tau += at(max_t + 1);
  tau = std::max(tau, 1.0 / std::log10(total));
  return total / tau;
}

/// A draw and its place in the series (j · length + t), for ranking.
struct Ranked {
  float value;
  std::uint32_t place;
};

/// Sorts by `less`: in parallel where the standard library has a parallel mode (libstdc++ with
/// OpenMP), which the 10⁹ draws of a large trajectory's coordinate need; by its quicksort, in
/// place (its default merge sort would copy the 8 GB of them).
template <class Less>
void sort_ranked(std::vector<Ranked>& draws, const Less& less) {
#if defined(LANGEVIN_PARALLEL_SORT)
  __gnu_parallel::sort(draws.begin(), draws.end(), less, __gnu_parallel::balanced_quicksort_tag());
#else
  std::sort(draws.begin(), draws.end(), less);
#endif
}

/// Each draw's rank among all of them under `less` (a strict order: ties are the draws neither
/// precedes), ties at their average, as twice the rank (an integer), into ranks[place] (reused
/// between orders: at 10⁹ draws it is 4 GB). One sort of the draws and one pass over them, where
/// a binary search per draw took ~log₂ S cache misses each.
template <class Less>
void doubled_ranks(std::vector<Ranked>& draws, const Less& less, std::vector<std::uint32_t>& ranks) {
  sort_ranked(draws, less);
  ranks.resize(draws.size());
  for (std::size_t low = 0; low < draws.size();) {
    std::size_t high = low + 1;  // [low, high): the draws tied with draws[low]
    while (high < draws.size() && !less(draws[low], draws[high])) ++high;
    // low draws precede these and high do not follow them: rank (low + 1 + high)/2.
    const auto doubled = static_cast<std::uint32_t>(low + 1 + high);
    for (std::size_t i = low; i < high; ++i) ranks[draws[i].place] = doubled;
    low = high;
  }
}

/// Φ⁻¹ of a draw's fractional rank (r − 3/8)/(S + 1/4) among S draws, from twice its rank.
double z_score(std::uint32_t doubled_rank, std::size_t draws) {
  const double rank = 0.5 * static_cast<double>(doubled_rank);
  return inverse_normal_cdf((rank - 0.375) / (static_cast<double>(draws) + 0.25));
}

/// √(1 + B/W) over K superchains of consecutive chains (Margossian et al. 2024).
double nested_rhat_of(const ChainMoments& chains, std::int64_t draws, std::int64_t superchains) {
  const std::int64_t per = static_cast<std::int64_t>(chains.means.size()) / superchains;
  std::vector<double> superchain_means(static_cast<std::size_t>(superchains));
  double within = 0.0;
  for (std::int64_t k = 0; k < superchains; ++k) {
    const double* means = chains.means.data() + k * per;
    const double* variances = chains.variances.data() + k * per;
    superchain_means[static_cast<std::size_t>(k)] = mean_of(means, per);
    within += (draws > 1 ? mean_of(variances, per) : 0.0) + (per > 1 ? variance_of(means, per) : 0.0);
  }
  within /= static_cast<double>(superchains);
  return std::sqrt(1.0 + variance_of(superchain_means.data(), superchains) / within);
}

}  // namespace

/// diagnose() of the draws at `values`, in C order of `shape`.
Diagnostics diagnose_values(const float* values, const std::vector<std::int64_t>& shape,
                            std::int64_t superchains) {
  if (shape.size() != 2 && shape.size() != 3) {
    throw InvalidInput("trajectory: an array of rank " + std::to_string(shape.size()) +
                       "; expected (chains, draws, d) or (chains, draws)");
  }
  Diagnostics result;
  result.chains = shape[0];
  result.draws = shape[1];
  result.dim = shape.size() == 3 ? static_cast<int>(shape[2]) : 1;
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
  // Ranks are kept as twice their value in 32 bits (doubled_ranks): up to 2³¹ − 1 draws.
  if (result.chains * result.draws > std::numeric_limits<std::int32_t>::max()) {
    throw InvalidInput("trajectory chains × draws = " +
                       std::to_string(result.chains * result.draws) +
                       ": at most 2³¹ − 1 draws of a coordinate; diagnose a subset of the chains");
  }
  const std::int64_t count = result.chains * result.draws * result.dim;
  for (std::int64_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidInput("trajectory value " + std::to_string(i) + " is not finite");
    }
  }
  for (int k = 0; k < result.dim; ++k) {
    const Draws x{values, result.chains, result.draws, result.dim, k};
    const Split split(x);
    const std::int64_t n = split.length;
    {
      std::vector<Ranked> draws(static_cast<std::size_t>(split.count * n));
      for (std::int64_t j = 0; j < split.count; ++j) {
        for (std::int64_t t = 0; t < n; ++t) {
          const std::int64_t place = j * n + t;
          draws[static_cast<std::size_t>(place)] = {split.at(j, t),
                                                    static_cast<std::uint32_t>(place)};
        }
      }
      const auto by_value = [](const Ranked& a, const Ranked& b) { return a.value < b.value; };
      std::vector<std::uint32_t> ranks;
      doubled_ranks(draws, by_value, ranks);
      const auto ranked = [&](std::int64_t j, std::int64_t t) {
        return z_score(ranks[static_cast<std::size_t>(j * n + t)], draws.size());
      };
      const ChainMoments bulk = moments(split.count, n, true, ranked);
      result.ess_bulk.push_back(ess_of(bulk, n));
      // The folded draws |x − median| ranked in double: mirror images tie.
      const double median = interpolated_quantile(draws.size(), 0.5, [&](std::size_t i) {
        return static_cast<double>(draws[i].value);
      });
      const auto by_fold = [median](const Ranked& a, const Ranked& b) {
        return std::abs(static_cast<double>(a.value) - median) <
               std::abs(static_cast<double>(b.value) - median);
      };
      doubled_ranks(draws, by_fold, ranks);
      const ChainMoments tails = moments(split.count, n, false, ranked);
      result.rhat.push_back(std::max(rhat_of(bulk, n), rhat_of(tails, n)));
    }
    {
      std::vector<float> all(static_cast<std::size_t>(result.chains * result.draws));
      for (std::int64_t c = 0; c < result.chains; ++c) {
        for (std::int64_t t = 0; t < result.draws; ++t) {
          all[static_cast<std::size_t>(c * result.draws + t)] = x.at(c, t);
        }
      }
      double tail = std::numeric_limits<double>::infinity();
      for (const double p : {0.05, 0.95}) {  // quantiles of all draws, interpolated linearly
        const double q = quantile_of(all, p);
        const ChainMoments below = moments(split.count, n, true, [&](std::int64_t j, std::int64_t t) {
          return split.at(j, t) <= q ? 1.0 : 0.0;
        });
        tail = std::min(tail, ess_of(below, n));
      }
      result.ess_tail.push_back(tail);
    }
    const ChainMoments raw = moments(split.count, n, true, [&](std::int64_t j, std::int64_t t) {
      return static_cast<double>(split.at(j, t));
    });
    const ChainMoments whole = moments(result.chains, result.draws, false,
                                       [&](std::int64_t c, std::int64_t t) {
                                         return static_cast<double>(x.at(c, t));
                                       });
    const double mean = mean_of(whole.means.data(), result.chains);  // equal lengths
    double squares = 0.0;  // about the overall mean, from each chain's: no second pass
    for (std::int64_t c = 0; c < result.chains; ++c) {
      const double offset = whole.means[static_cast<std::size_t>(c)] - mean;
      squares += static_cast<double>(result.draws - 1) * whole.variances[static_cast<std::size_t>(c)] +
                 static_cast<double>(result.draws) * offset * offset;
    }
    result.mean.push_back(mean);
    result.sd.push_back(std::sqrt(squares / static_cast<double>(result.chains * result.draws - 1)));
    result.mcse_mean.push_back(result.sd.back() / std::sqrt(ess_of(raw, n)));
    if (superchains > 0) {
      result.nested_rhat.push_back(nested_rhat_of(whole, result.draws, superchains));
    }
  }
  return result;
}

Diagnostics diagnose(const Array& trajectory, std::int64_t superchains) {
  return diagnose_values(trajectory.data(), trajectory.shape(), superchains);
}

Diagnostics diagnose_file(const std::string& path, std::int64_t superchains) {
  const std::size_t dot = path.rfind('.');
  if (dot != std::string::npos && path.substr(dot) == ".npy") {
    if (const std::unique_ptr<detail::MappedNpy> mapped = detail::map_npy_float32(path)) {
      return diagnose_values(mapped->data(), mapped->shape(), superchains);
    }
  }
  const Array trajectory = read_array(path);
  return diagnose_values(trajectory.data(), trajectory.shape(), superchains);
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
