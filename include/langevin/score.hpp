#pragma once
/// \file
/// Score evaluation at given points: what the sampler computes at every step, one call away.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

#include <cstdint>

namespace langevin {

/// ∇ log p at each row of `points` (N, d); returns (N, d).
Array score(const GaussianMixture& target, const Array& points, Backend backend = Backend::Auto);
/// s_θ at each row of `points` (N, d); returns (N, d). A noise-conditional model needs a level:
/// use the overload with sigma. `form` as the sampler's (SamplerConfig::score_form), so that
/// score() gives the s the sampler steps with.
Array score(const Mlp& model, const Array& points, Backend backend = Backend::Auto,
            ScoreForm form = ScoreForm::Auto);
/// A noise-conditional model's score s(x, σ) at each row of `points` (N, d).
Array score(const Mlp& model, const Array& points, double sigma, Backend backend = Backend::Auto,
            ScoreForm form = ScoreForm::Auto);

/// The same in caller-owned host memory: `count` points of d floats at `points` (row-major) and
/// their scores into `scores` (count × d floats), with no copy on the CPU backend. `sigma`: the
/// level of a noise-conditional model, 0 for any other model.
void score_into(const GaussianMixture& target, const float* points, std::int64_t count,
                float* scores, Backend backend = Backend::Auto);
void score_into(const Mlp& model, const float* points, std::int64_t count, float* scores,
                double sigma = 0.0, Backend backend = Backend::Auto,
                ScoreForm form = ScoreForm::Auto);

}  // namespace langevin
