#pragma once
// Shared by the CPU (host/stats.cpp) and GPU (cuda/stats.cu) comparisons.

#include <cstdint>

namespace langevin::detail {

/// The asymptotic p-value of a two-sample KS distance (Kolmogorov's limit law).
double ks_p_value(double ks, std::int64_t count_a, std::int64_t count_b);

}  // namespace langevin::detail
