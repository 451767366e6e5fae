#pragma once
// The fixed partial sums a training objective folds — the fused pass's row blocks
// (scalar_exact.hpp), the general pass's accumulation slots (score_matching.hpp) — and which of
// them this process computes. One process computes them all. Over MPI ranks (the MPI layer's
// training), each rank computes a contiguous share and gather() hands every rank every partial,
// which each then folds in the same fixed order: the loss, the gradient and so the trained model
// do not depend on the rank count, as they do not on the thread count.

#include <utility>

namespace langevin::training {

class Partials {
 public:
  virtual ~Partials() = default;
  /// [first, end) of the `parts` partials that this process computes.
  virtual std::pair<long long, long long> share(long long parts) const = 0;
  /// Every process's partials for every process: `values` holds `parts` × `per_part` floats and
  /// `losses` `parts` doubles, in part order, host memory; on entry this process's share is
  /// filled in, on return every part is. `values` may be null (a loss alone).
  virtual void gather(float* values, long long per_part, double* losses,
                      long long parts) const = 0;
  /// Whether other processes compute partials too: then every process calls gather() at every
  /// evaluation, even one whose share is all the partials or none (a rank count above the
  /// partials' count).
  virtual bool shared() const = 0;
};

/// One process: every partial here.
class AllPartials final : public Partials {
 public:
  std::pair<long long, long long> share(long long parts) const override { return {0, parts}; }
  void gather(float*, long long, double*, long long) const override {}
  bool shared() const override { return false; }
};

inline const Partials& all_partials() {
  static const AllPartials all;
  return all;
}

}  // namespace langevin::training
