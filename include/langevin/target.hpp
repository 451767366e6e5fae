#pragma once
/// \file
/// What the sampler runs its chains on, as its driver sees it (docs/DEVELOPING.md: targets,
/// runners, the driver). A score target is a mixture, a model compiled into the form its kernels
/// evaluate, or a user's own functor (sample_with); it loads itself onto a place — the host's
/// threads or one CUDA device — and runs a part of a run's chains there. The driver cuts a run
/// into parts (progress slices, devices), segments (checkpoints) and gathers what they give, the
/// same for every target; the library's targets and sample_with implement this interface, and a
/// caller needs it only to add a target of their own. Needs no CUDA headers.

#include <langevin/backend.hpp>
#include <langevin/device_buffer.hpp>

#include <memory>
#include <string>
#include <vector>

namespace langevin {

struct SamplerConfig;
namespace device {
struct ChainConfig;
struct LikelihoodConfig;
}

/// Where a target's kernels run: the CPU, or one CUDA device. While a target is loaded, runs or
/// scores on a CUDA place, that device is the calling thread's current one.
struct Place {
  Backend backend = Backend::Cpu;
  int device = -1;  // the CUDA device's ordinal; −1 on the CPU
};

/// A target's parameters on one place, ready to run chains there. `stream` orders the work on a
/// GPU (a stream of the place's device; nullptr: its default stream); the CPU ignores it.
class LoadedTarget {
 public:
  virtual ~LoadedTarget() = default;
  /// Runs the chains of `part` (its pointers are the place's memory: device memory on a GPU);
  /// asynchronous on a GPU, where errors may surface at the next synchronisation.
  virtual void sample(const device::ChainConfig& part, Stream stream) = 0;
  /// s(x), or s(x, σ) for σ > 0, at `n` points of d floats each, in the place's memory. (A
  /// target that only samples leaves this out: it then throws InvalidInput.)
  virtual void score(const float* points, float* scores, long long n, float sigma,
                     Stream stream);
  /// The log-likelihoods of `config` (device/likelihood.hpp; its pointers are the place's
  /// memory), asynchronous as sample(). (A target without a divergence leaves this out: it then
  /// throws InvalidInput.)
  virtual void log_likelihood(const device::LikelihoodConfig& config, Stream stream);
};

class ScoreTarget {
 public:
  virtual ~ScoreTarget() = default;
  /// The state dimension d.
  virtual int dim() const = 0;
  /// The form its kernels evaluate ("mixture", "layered", "hinge", …): what `langevin info`
  /// and the run summaries report.
  virtual std::string form() const = 0;
  /// The noise levels a run of `config` anneals over (empty: none). Throws InvalidInput when
  /// the target cannot run `config` (MALA without a log-density, levels it cannot take).
  virtual std::vector<double> noise_levels(const SamplerConfig& config) const = 0;
  /// Its parameters on `place` (uploaded there, on a GPU). What it loads may refer to the
  /// target's own memory: the target outlives it.
  virtual std::unique_ptr<LoadedTarget> load(const Place& place) const = 0;
};

}  // namespace langevin
