#pragma once
// The hinge form of the models it applies to (device/hinge.hpp): a 1-D network with one hidden
// ReLU layer, which the selector (targets.hpp) runs in this form on both backends unless the
// layered pass is asked for.

#include <langevin/device/hinge.hpp>
#include <langevin/mlp.hpp>
#include <langevin/target.hpp>

#include <memory>
#include <optional>
#include <vector>

namespace langevin::detail {

struct HingeForm {
  std::vector<float> pairs;  // (t_j, v_j), units padded to a multiple of kHingeSums
  float c0 = 0.0f;
  float c1 = 0.0f;

  int units() const { return static_cast<int>(pairs.size() / 2); }
  /// The view over pairs at `where` (this form's own, or its copy on the GPU).
  device::HingeView view(const float* where) const { return {units(), where, c0, c1}; }
};

/// The hinge form of `model`, computed in double and rounded once per value, when it applies: a
/// plain (not noise-conditional) model 1 → H → 1 with ReLU whose breakpoints, slopes and line
/// fit in float. Otherwise none, and the layered pass runs.
std::optional<HingeForm> hinge_form(const Mlp& model);

/// `model` as a score target in its hinge form `form` (hinge_target.cpp).
std::unique_ptr<ScoreTarget> make_hinge_target(const Mlp& model, HingeForm form);

}  // namespace langevin::detail
