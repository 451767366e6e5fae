#pragma once
// Shared by the CPU (host/summary.cpp) and GPU (cuda/summary.cu) summaries: the histogram's bin
// rule (the same arithmetic on both sides, so that a value lands in the same bin) and the pairwise
// merge of moments.

#include <langevin/device/config.hpp>

#include <cmath>
#include <cstdint>

namespace langevin::detail {

/// Slot of a value in a coordinate's bins + 2 counts: 0 below low, 1 … bins inside, bins + 1 at
/// or above high. The position (x − low)·bins/(high − low) is computed in double.
struct BinRule {
  double low = 0.0;
  double scale = 0.0;  // bins / (high − low)
  int bins = 0;

  LANGEVIN_HD int slot(float x) const {
    const double position = (static_cast<double>(x) - low) * scale;
    if (position < 0.0) return 0;
    if (position >= static_cast<double>(bins)) return bins + 1;
    return static_cast<int>(position) + 1;
  }
};

/// Count, mean, M2 = Σ (x − mean)², min and max of a set of values.
struct Moments {
  double count = 0.0;
  double mean = 0.0;
  double m2 = 0.0;
  double min = INFINITY;
  double max = -INFINITY;
};

/// The moments of the union of two sets (Chan, Golub and LeVeque's pairwise update).
LANGEVIN_HD Moments merge_moments(const Moments& a, const Moments& b) {
  if (a.count == 0.0) return b;
  if (b.count == 0.0) return a;
  Moments m;
  m.count = a.count + b.count;
  const double delta = b.mean - a.mean;
  m.mean = a.mean + delta * (b.count / m.count);
  m.m2 = a.m2 + b.m2 + delta * delta * (a.count * b.count / m.count);
  m.min = a.min < b.min ? a.min : b.min;
  m.max = a.max > b.max ? a.max : b.max;
  return m;
}

}  // namespace langevin::detail
