#pragma once
// A backend's training objective: its fused pass where that pass takes the problem
// (Fused::applies: the seed problem's shape), the general ScoreMatching otherwise. Both give the
// same loss and gradient up to float rounding (tests/scalar_exact_test.cpp).

#include "training/score_matching.hpp"

#include <optional>
#include <type_traits>

namespace langevin::training {

template <class Fused, class General>
class FusedOrGeneral {
 public:
  template <class Ops>
  FusedOrGeneral(Ops& ops, const ParameterLayout& layout, long long rows, const LossSetup& setup,
                 const Partials& partials = all_partials()) {
    if (Fused::applies(layout, setup)) {
      // A fused pass that cannot share its partials (the GPU's) is used by one process alone.
      if constexpr (std::is_constructible_v<Fused, const ParameterLayout&, const Partials&>) {
        fused_.emplace(layout, partials);
      } else {
        fused_.emplace(layout);
      }
    } else {
      general_.emplace(ops, layout, rows, setup, partials);
    }
  }

  void prepare(const float* data, long long data_rows, unsigned long long iteration) {
    if (fused_) fused_->prepare(data, data_rows, iteration);
    else general_->prepare(data, data_rows, iteration);
  }
  double loss(const float* theta) { return fused_ ? fused_->loss(theta) : general_->loss(theta); }
  double loss_and_gradient(const float* theta, float* gradient) {
    return fused_ ? fused_->loss_and_gradient(theta, gradient)
                  : general_->loss_and_gradient(theta, gradient);
  }

 private:
  std::optional<Fused> fused_;
  std::optional<General> general_;
};

}  // namespace langevin::training
