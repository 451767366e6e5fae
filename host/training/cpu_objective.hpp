#pragma once
// The CPU's training objective: the fused one-pass loss of scalar_exact.hpp where it applies
// (exact loss, full batch, widths (1, H, 1): the seed problem), the general ScoreMatching
// otherwise. Both give the same loss and gradient up to float rounding (tests/trainer_test.cpp).

#include "training/cpu_ops.hpp"
#include "training/scalar_exact.hpp"
#include "training/score_matching.hpp"

#include <optional>

namespace langevin::training {

template <Activation A, class S>
class CpuObjective {
 public:
  CpuObjective(CpuOps& ops, const ParameterLayout& layout, long long rows, const LossSetup& setup) {
    if (ScalarExactScoreMatching<A>::applies(layout, setup)) {
      scalar_.emplace(layout);
    } else {
      general_.emplace(ops, layout, rows, setup);
    }
  }

  void prepare(const float* data, long long data_rows, unsigned long long iteration) {
    if (scalar_) scalar_->prepare(data, data_rows, iteration);
    else general_->prepare(data, data_rows, iteration);
  }
  double loss(const float* theta) { return scalar_ ? scalar_->loss(theta) : general_->loss(theta); }
  double loss_and_gradient(const float* theta, float* gradient) {
    return scalar_ ? scalar_->loss_and_gradient(theta, gradient)
                   : general_->loss_and_gradient(theta, gradient);
  }

 private:
  std::optional<ScalarExactScoreMatching<A>> scalar_;
  std::optional<ScoreMatching<CpuOps, A, S>> general_;
};

}  // namespace langevin::training
