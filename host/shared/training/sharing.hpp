#pragma once
// train() with the objective's partial sums shared over processes (partials.hpp): what the MPI
// layer's training calls; train() is this with every partial in one process.

#include "training/partials.hpp"

#include <langevin/trainer.hpp>

namespace langevin::detail {

/// Throws InvalidInput naming the first problem with training `initial` on `data` under
/// `config` (what train() checks before it starts).
void check_training_inputs(const Array& data, const Mlp& initial, const TrainConfig& config);

/// train(data, initial, config), this process computing `partials`' share of each evaluation.
/// Throws InvalidInput on the cuda backend unless this process computes every partial.
TrainResult train_sharing(const Array& data, const Mlp& initial, const TrainConfig& config,
                          const training::Partials& partials);

}  // namespace langevin::detail
