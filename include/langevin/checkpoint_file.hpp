#pragma once
/// \file
/// Checkpoint files: a Checkpoint (sampler.hpp) and the settings of the run that wrote it, in a
/// safetensors file (docs/FORMATS.md), so that a job killed at hour six resumes from its last
/// checkpoint instead of starting over:
///
///   config.checkpoint_every = 10000;
///   config.on_checkpoint = [&](const langevin::Checkpoint& c) {
///     langevin::write_checkpoint("run.ckpt", c, settings);   // atomically: temp, fsync, rename
///   };
///   ...
///   config.resume = std::make_shared<langevin::Checkpoint>(
///       langevin::read_checkpoint("run.ckpt").checkpoint);

#include <langevin/sampler.hpp>
#include <langevin/trainer.hpp>

#include <map>
#include <string>

namespace langevin {

/// Settings are free-form name → value text: what the caller needs to recognise the run (the CLI
/// records every option that decides the result and the inputs' SHA-256).
using RunSettings = std::map<std::string, std::string>;

struct CheckpointFile {
  Checkpoint checkpoint;
  RunSettings settings;
};

/// Writes the checkpoint and settings to `path` atomically (a temporary file in the same
/// directory, fsynced, then renamed over `path`): a crash never leaves a partial checkpoint there.
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                      const RunSettings& settings = {});

/// Reads a checkpoint file. Throws InvalidInput naming the file and the problem for anything that
/// is not one this library wrote: a malformed safetensors file, a missing or unknown format
/// marker, an update or accepted count that is not a plain decimal, missing or extra tensors.
/// Whether the checkpoint fits a run is checked when the run starts (SamplerConfig::resume).
CheckpointFile read_checkpoint(const std::string& path);

/// A training run's checkpoint (TrainCheckpoint) and settings, in a file of its own format (a
/// sampling run's checkpoint is refused there, and this one by read_checkpoint):
///
///   config.checkpoint_every = 500;
///   config.on_checkpoint = [&](const langevin::TrainCheckpoint& c) {
///     langevin::write_train_checkpoint("train.ckpt", c, settings);
///   };
///   ...
///   config.resume = std::make_shared<langevin::TrainCheckpoint>(
///       langevin::read_train_checkpoint("train.ckpt").checkpoint);
struct TrainCheckpointFile {
  TrainCheckpoint checkpoint;
  RunSettings settings;
};

/// Writes atomically, as write_checkpoint. The doubles are kept exactly (C's %a hexadecimal).
void write_train_checkpoint(const std::string& path, const TrainCheckpoint& checkpoint,
                            const RunSettings& settings = {});

/// Reads a training checkpoint; InvalidInput naming the file and the problem for anything else.
/// Whether it fits a run is checked when the run starts (TrainConfig::resume).
TrainCheckpointFile read_train_checkpoint(const std::string& path);

}  // namespace langevin
