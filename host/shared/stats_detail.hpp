#pragma once
// Shared by the CPU (host/stats.cpp) and GPU (cuda/stats.cu) comparisons.

#include <cstdint>
#include <vector>

namespace langevin::detail {

/// The asymptotic p-value of a two-sample KS distance (Kolmogorov's limit law).
double ks_p_value(double ks, std::int64_t count_a, std::int64_t count_b);

/// W1 = ∫ |F_A − F_B| of two sorted samples (host/stats.cpp's merge walk).
double sorted_wasserstein1(const std::vector<float>& a, const std::vector<float>& b);

}  // namespace langevin::detail
