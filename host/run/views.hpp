#pragma once
// Device views (what the kernels read) over a model's packed parameter block, wherever that block
// lives (host vector or device buffer).

#include <langevin/device/gmm.hpp>
#include <langevin/error.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

#include <string>

namespace langevin::detail {

inline device::GmmView gmm_view(const GaussianMixture& gmm, const float* packed) {
  return device::gmm_view(packed, gmm.dim(), gmm.components());
}

/// The packed layout of `mlp` (device::mlp_layout) over parameters at `packed`.
inline device::MlpView mlp_view(const Mlp& mlp, const float* packed) {
  const std::vector<int> widths = mlp.widths();
  long long floats = 0;
  device::MlpView view =
      device::mlp_layout(static_cast<int>(widths.size()) - 1, widths.data(), &floats);
  view.params = packed;
  return view;
}

/// The dimension of an MLP used as a score model; throws InvalidInput unless it maps R^d → R^d
/// (R^{d+1} → R^d for a noise-conditional one, which also takes log σ).
inline int score_model_dim(const Mlp& model) {
  if (model.noise_conditional()) return model.data_dim();  // checked by Mlp's constructor
  if (model.input_dim() != model.output_dim()) {
    throw InvalidInput("the MLP maps " + std::to_string(model.input_dim()) + " inputs to " +
                       std::to_string(model.output_dim()) +
                       " outputs; a score model needs as many outputs as inputs");
  }
  return model.input_dim();
}

}  // namespace langevin::detail
