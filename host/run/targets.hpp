#pragma once
// The library's score targets (include/langevin/target.hpp): a Gaussian mixture, and a model
// compiled by one selector into the form its kernels evaluate — the layered pass, or for a 1-D
// network with one hidden ReLU layer the hinge form (device/hinge.hpp) unless the layered pass
// is asked for. Each lives in a file of its own (gmm_target.cpp, mlp_target.cpp,
// hinge_target.cpp) with its two backends' calls; nothing else names a target and a backend
// together.

#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>
#include <langevin/sampler.hpp>
#include <langevin/target.hpp>

#include <cstdint>
#include <memory>
#include <variant>
#include <vector>

namespace langevin::detail {

std::unique_ptr<ScoreTarget> make_target(const GaussianMixture& mixture);
/// The selector: the form of `model` that runs under `form`.
std::unique_ptr<ScoreTarget> make_target(const Mlp& model, ScoreForm form);

/// A model's noise levels for a run of `config`: its own unless the configuration gives others
/// (the network takes log σ, so any level inside the trained range is meaningful); none for a
/// plain model, which refuses sigmas. MALA needs a log-density, which no model has.
std::vector<double> model_noise_levels(const Mlp& model, const SamplerConfig& config);

/// A mixture or a model, as the CLI and the C API read them from files.
using ScoreSource = std::variant<GaussianMixture, Mlp>;
/// A mixture (.json) or a model (.safetensors), by the path's extension; `field` names the path
/// in errors.
ScoreSource load_score_source(const std::string& path, const std::string& field);
/// The dimension of the data it scores.
int source_dim(const ScoreSource& source);
std::unique_ptr<ScoreTarget> make_target(const ScoreSource& source, ScoreForm form);

/// Scores `points` (N, d) of `target` on `backend` (CUDA: the current device), s(x) or, for
/// sigma > 0, s(x, σ).
Array score_points(const ScoreTarget& target, const Array& points, float sigma, Backend backend);
/// The same for `count` points in host memory into `scores` (count × d floats there).
void score_points(const ScoreTarget& target, const float* points, std::int64_t count,
                  float* scores, float sigma, Backend backend);

}  // namespace langevin::detail
