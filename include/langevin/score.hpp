#pragma once
/// \file
/// Score evaluation at given points: what the sampler computes at every step, one call away.

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

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

}  // namespace langevin
