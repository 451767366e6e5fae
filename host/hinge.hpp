#pragma once
// The hinge form of the models it applies to (device/hinge.hpp): one hidden layer, ReLU, 1-D data.
// The sampler and score() use it for such models on both backends, in place of the layered pass.

#include <langevin/device/hinge.hpp>
#include <langevin/mlp.hpp>

#include <optional>
#include <vector>

namespace langevin::detail {

/// Most hidden units the hinge form takes: its (t, v) pairs (8 bytes a unit) must fit in the 48 KB
/// of shared memory a GPU block has without opting in.
constexpr int kMaxHingeUnits = 6144;

struct HingeForm {
  std::vector<float> pairs;  // (t_j, v_j), units padded to a multiple of kHingeSums
  float c0 = 0.0f;
  float c1 = 0.0f;

  int units() const { return static_cast<int>(pairs.size() / 2); }
  /// The view over pairs at `where` (this form's own, or its copy on the GPU).
  device::HingeView view(const float* where) const { return {units(), where, c0, c1}; }
};

/// The hinge form of `model`, computed in double and rounded once per value, when it applies: a
/// plain (not noise-conditional) model 1 → H → 1 with ReLU, H ≤ kMaxHingeUnits, whose breakpoints,
/// slopes and line fit in float. Otherwise none, and the layered pass runs.
std::optional<HingeForm> hinge_form(const Mlp& model);

}  // namespace langevin::detail
