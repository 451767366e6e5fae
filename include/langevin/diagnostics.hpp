#pragma once
/// \file
/// Convergence diagnostics of a sampler's trajectory (the `langevin diagnose` command): per
/// coordinate the rank-normalised split-R̂, the bulk and tail effective sample sizes and the Monte
/// Carlo standard error of the mean, as Vehtari, Gelman, Simpson, Carpenter and Bürkner (2021,
/// "Rank-normalization, folding, and localization: an improved R̂") define them, with the
/// conventions of ArviZ (tests/diagnostics_test.cpp checks them against its numbers):
///
///   split     each chain's first and last ⌊T/2⌋ draws are two chains (the middle draw of an
///             odd T is left out)
///   z-scale   z = Φ⁻¹((r − 3/8)/(S + 1/4)), r the draw's rank among all S split draws (ties:
///             the average rank)
///   R̂         √((T−1)/T + B/(T W)) over the split chains of T draws: W the mean of the chains'
///             variances, B/T the variance of their means (both with n − 1)
///   rhat      max(R̂ of z-scaled draws, R̂ of z-scaled |draw − median|)
///   ESS       M T / τ, τ = −1 + 2 Σ ρ_t by Geyer's initial monotone sequence over the
///             chains' autocorrelations (autocovariances with 1/T), at least 1/log₁₀(M T)
///   ess_bulk  the ESS of the z-scaled split draws
///   ess_tail  the smaller ESS of the indicators draw ≤ q₅ % and draw ≤ q₉₅ % (quantiles of all
///             draws, interpolated linearly) over the split chains
///   mcse_mean the draws' standard deviation over √(ESS of the split draws)
///   nested    with K superchains (consecutive groups of M chains that started from one point):
///             Margossian et al.'s (2024) nested R̂ = √(1 + B/W) on the draws themselves, B the
///             variance of the superchains' means, W the mean over superchains of their chains'
///             mean variance plus the variance of their chains' means (all with n − 1; a term
///             of one chain or one draw is 0). It stays informative for many short chains,
///             where the split-R̂ needs long ones.
///
/// The draws stay where they are; a coordinate at a time takes a sorted copy of its N draws as
/// floats and of its folded draws as doubles (12 N bytes), the chains run in parallel blocks
/// whose sums are added in a fixed order (the result does not depend on the thread count).

#include <langevin/array.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin {

/// The diagnostics of a trajectory, one value per coordinate.
struct Diagnostics {
  std::int64_t chains = 0;
  std::int64_t draws = 0;  // per chain
  int dim = 0;
  std::vector<double> rhat;       // rank-normalised split-R̂ (bulk or folded, the larger)
  std::vector<double> ess_bulk;   // effective sample size of the rank-normalised draws
  std::vector<double> ess_tail;   // the smaller of the 5 % and 95 % quantiles' ESS
  std::vector<double> mean;       // of all draws
  std::vector<double> sd;         // of all draws (with n − 1)
  std::vector<double> mcse_mean;  // Monte Carlo standard error of mean
  std::int64_t superchains = 0;   // 0: none given
  std::vector<double> nested_rhat;  // with superchains; else empty
};

/// Diagnoses a trajectory (chains, draws, d) — as `langevin sample --keep trajectory` writes it
/// — or (chains, draws) for d = 1; with superchains > 0 also the nested R̂ of that many
/// superchains of chains / superchains consecutive chains each. Throws InvalidInput for fewer
/// than 2 chains or 4 draws, NaN/Inf draws, or superchains that are not at least 2 and do not
/// divide the chains. The functions are symmetric in the chains (in the superchains and in each
/// superchain's chains), so the result does not depend on their order beyond float rounding.
Diagnostics diagnose(const Array& trajectory, std::int64_t superchains = 0);

/// diagnose() of the trajectory in a file (.npy or HDF5, as read_array reads them), with the
/// same numbers. A float32 .npy in the host's byte order and C order — what the sampler writes —
/// is mapped, not read: the draws stay in the file's pages, which the system reads in as each
/// coordinate's pass touches them and drops under memory pressure, so the memory a run needs is
/// the one coordinate's sorted copies (12 bytes a draw: 12 GB for 10⁶ chains × 10³ draws)
/// whatever the file's size. Other files are read whole.
Diagnostics diagnose_file(const std::string& path, std::int64_t superchains = 0);

/// The diagnostics as JSON (for --json).
std::string to_json(const Diagnostics& diagnostics);

}  // namespace langevin
