#pragma once
/// \file
/// The Langevin sampler: many independent chains of x ← x + ε s(x) + √(2ε) z, fused into one
/// kernel on the GPU, the same per-chain code over OpenMP threads on the CPU.
///
///   langevin::SamplerConfig config;
///   config.chains = 100000;
///   langevin::Array x = langevin::sample(langevin::load_gmm("two_modes.json"), config);

#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace langevin {

/// Largest state dimension the fused sampler takes. Each chain keeps its state, score and noise
/// in registers up to d = 64 (device::kRegisterDim), in per-thread local memory beyond.
constexpr int kMaxSamplerDim = 1024;

enum class Keep { Final, Trajectory };

/// A run stopped between two updates: everything needed to continue it so that the result is
/// bit-identical to the uninterrupted run's (a chain's noise depends on its global index and
/// update number only). Written by SamplerConfig::on_checkpoint, read back through
/// SamplerConfig::resume; the CLI stores it in a file (langevin sample --checkpoint).
struct Checkpoint {
  std::int64_t update = 0;     // updates done, counted across noise levels (0 < update < all)
  Array states;                // (chains, d): every chain's state after them
  Array trajectory;            // Keep::Trajectory: the output so far, in its full shape (rows of
                               // updates not yet reached are zero); empty for Keep::Final
  std::uint64_t accepted = 0;  // MALA: proposals accepted so far, all chains together
  Array velocities;            // Method::Underdamped: (chains, d), every chain's velocity after
                               // the updates; empty for the other methods
};

/// ULA: x ← x + ε s(x) + √(2ε) z. MALA: that proposal with a Metropolis–Hastings accept test
/// (needs a log-density: Gaussian-mixture targets, or sample_with a functor that has one).
/// Pc: predictor–corrector sampling of an annealed run (Song et al. 2021): reverse-diffusion
/// predictor steps down the noise levels, each after corrector_steps Langevin steps whose size
/// follows the signal-to-noise ratio snr (device/predictor_corrector.hpp). Ode: the
/// probability-flow ODE dx/dσ = −σ s(x, σ) from σ₁ to σ_L, each chain by an adaptive
/// Dormand–Prince 5(4) pair held to rtol and atol, deterministic given its initial draw
/// (device/probability_flow.hpp). Underdamped: positions and unit-mass velocities under friction,
/// by the BAOAB splitting, epsilon its time step (device/underdamped.hpp).
enum class Method { Ula, Mala, Pc, Ode, Underdamped };

/// How predictor–corrector sizes its corrector steps, ε = 2 (r ‖z‖/‖s‖)² with r = snr:
/// Sigma, with the norms of pure noise at level σ (‖z‖² = d, ‖s‖² = d/σ²), so ε = 2 r² σ² for
/// every chain; ChainNorms, with each chain's own noise and score. ChainNorms makes the step
/// depend on the state and, in few dimensions, biases the chains (docs/SAMPLERS.md).
enum class CorrectorStep { Sigma, ChainNorms };
const char* to_string(CorrectorStep step);
CorrectorStep parse_corrector_step(const std::string& name,
                                   const std::string& field = "corrector_step");
const char* to_string(Method method);
Method parse_method(const std::string& name, const std::string& field = "sampler");

/// What SamplerConfig's default steps (0), epsilon (0) and init_std (negative) stand for
/// (with_defaults): plain Langevin takes 2 000 steps of ε = 5·10⁻³ from N(0, 1); an annealed run
/// takes 100 steps per noise level of α_i = 0.1 σ_i² (ε = 0.1 σ_L²) from N(0, σ₁²): with the
/// exact score of mixtures of 1 to 10 dimensions and the 20 levels of ncsn's training defaults
/// the error left is near the sampling noise, and trained models stay within their tolerances
/// (docs/PERFORMANCE.md, "Annealed sampling's defaults" and "Training's defaults").
/// Predictor–corrector sampling takes kDefaultPcSteps predictor steps a level and no epsilon.
constexpr std::int64_t kDefaultSteps = 2000;
constexpr double kDefaultEpsilon = 5e-3;
constexpr std::int64_t kDefaultAnnealedSteps = 100;
constexpr double kDefaultAnnealedStepRatio = 0.1;
/// Predictor–corrector's defaults: 10 predictor steps a level (one a level, score_sde's N = L
/// over 20 levels, left weight errors up to 0.05 with the exact score), each after one corrector
/// step at signal-to-noise ratio 0.16 (score_sde's for the variance-exploding SDE); with the
/// exact score of mixtures of 1 to 10 dimensions the error left is near the sampling noise at a
/// fifth of the annealed defaults' score evaluations (docs/SAMPLERS.md).
constexpr std::int64_t kDefaultPcSteps = 10;
constexpr int kDefaultCorrectorSteps = 1;
constexpr double kDefaultSnr = 0.16;
/// The probability-flow ODE's default tolerances (score_sde's, for its RK45).
constexpr double kDefaultOdeTolerance = 1e-5;
/// Underdamped Langevin's defaults: a time step of 0.1 under friction 1. Its positions move by
/// about h per update where ULA's move by √(2ε), so h = 0.1 with the default steps covers the
/// time ULA's defaults do many times over; friction 1 damps a unit-variance target's
/// oscillation at half the critical rate (γ = 2ω). On the seed's two modes the defaults moved
/// more chains between the modes than ULA's, without recovering their weights (annealing does;
/// docs/SAMPLERS.md).
constexpr double kDefaultUnderdampedStep = 0.1;
constexpr double kDefaultFriction = 1.0;

struct SamplerConfig {
  std::int64_t chains = 1000;
  std::int64_t steps = 0;          // updates (per noise level when annealed); 0: the default
  double epsilon = 0.0;            // step size ε; 0: the default
  std::uint64_t seed = 0;
  std::int64_t first_chain = 0;    // global index of the first chain (its Philox subsequence)

  // Initial states: i.i.d. N(init_mean, init_std²) per coordinate, unless init_states is given
  // as a (chains, d) array. A negative init_std is the default: 1, or σ₁ when annealed.
  double init_mean = 0.0;
  double init_std = -1.0;
  Array init_states;

  Keep keep = Keep::Final;
  std::int64_t burn_in = 0;        // trajectory: first update kept (updates count across levels)
  std::int64_t thin = 1;           // trajectory: keep every thin-th update

  Method method = Method::Ula;
  /// Method::Pc: Langevin corrector steps before each predictor step (0: the predictor alone),
  /// their signal-to-noise ratio r and how their size follows from it (CorrectorStep).
  /// `steps` counts predictor steps per level, `epsilon` is not used (leave it 0).
  int corrector_steps = kDefaultCorrectorSteps;
  double snr = kDefaultSnr;
  CorrectorStep corrector_step = CorrectorStep::Sigma;
  /// Method::Ode: the integrator's relative and absolute tolerances. An update is one interval
  /// between two noise levels (levels − 1 in all); `steps` and `epsilon` are not used.
  double rtol = kDefaultOdeTolerance;
  double atol = kDefaultOdeTolerance;
  /// Method::Underdamped: the friction γ (per unit time; `epsilon` is the time step).
  double friction = kDefaultFriction;

  /// Annealing: `steps` updates at each noise level σ_1 > … > σ_L with step size ε σ_i²/σ_L².
  /// A noise-conditional model anneals over its own levels when this is empty, over these when
  /// given (one level σ is plain Langevin on s(x, σ)); a Gaussian mixture is annealed over its
  /// convolutions with N(0, σ_i² I) when levels are given here.
  std::vector<double> sigmas;
  bool denoise = false;            // annealed runs: end with x ← x + σ_L² s(x, σ_L)

  Backend backend = Backend::Auto;
  /// The CUDA device the chains run on (its ordinal; −1: the calling thread's current device),
  /// or, when `devices` names several, the devices they are split over in contiguous blocks of
  /// chains, run concurrently, with results bit-identical to a one-device run. Only for the
  /// cuda backend (auto: when it resolves to cuda). all_devices() lists every visible GPU.
  int device = -1;
  std::vector<int> devices;
  /// How a model's score is evaluated (mlp.hpp): its fastest form, or the layered pass always.
  ScoreForm score_form = ScoreForm::Auto;

  /// Progress: when set, the chains run in slices of about 1 % of them (at least a few thousand
  /// on the CPU, 2²⁰ on the GPU) and this is called on the calling thread after each slice with
  /// (chains done, chains in all). The results are bit-identical to an unsliced run, because a
  /// chain's result depends on its global index only.
  std::function<void(std::int64_t done, std::int64_t total)> on_progress;

  /// Checkpointing: with checkpoint_every > 0, the updates run in segments of that many (counted
  /// across noise levels) and on_checkpoint gets the run's state after each segment but the last.
  /// The chains' divergence is checked first: a run whose chains diverged stops with an Error
  /// instead. Progress, when asked for, then counts the chains' share of the updates done.
  std::int64_t checkpoint_every = 0;
  std::function<void(const Checkpoint&)> on_checkpoint;
  /// Continues a run of this same configuration from one of its checkpoints (init_states and
  /// init_mean/init_std are then not used). Validated against the configuration: shapes, update.
  std::shared_ptr<const Checkpoint> resume;
};

/// The configuration with its defaults (steps 0, epsilon 0, a negative init_std) made concrete
/// for a run annealed over `levels` (empty: plain Langevin); every other field as given. A
/// Sampler runs, and reports as its config(), this.
SamplerConfig with_defaults(SamplerConfig config, const std::vector<double>& levels);

/// Throws InvalidInput naming the first field that is out of range for a d-dimensional target
/// annealed over `levels` noise levels (0: not annealed). The defaults are valid.
void validate(const SamplerConfig& config, int dim, int levels = 0);

/// Updates per chain: steps × the number of noise levels (× 1 without annealing).
std::int64_t total_updates(const SamplerConfig& config, int levels = 0);
/// Updates a trajectory keeps: ⌈(updates − burn_in) / thin⌉ (0 when keeping the final state).
std::int64_t kept_steps(const SamplerConfig& config, int levels = 0);
/// (chains, d) for Keep::Final, (chains, kept, d) for Keep::Trajectory.
std::vector<std::int64_t> output_shape(const SamplerConfig& config, int dim, int levels = 0);

/// Every visible CUDA device's ordinal (empty without a GPU): SamplerConfig::devices for a run
/// over all of them.
std::vector<int> all_devices();

/// Chains whose state became NaN or infinite (a step size too large for the target).
struct Divergence {
  std::int64_t chains = 0;          // how many
  std::int64_t first_update = -1;   // the earliest update after which one was (−1: none)
};

class ScoreTarget;

/// A sampler bound to one target and configuration. Validates on construction and, on the GPU,
/// uploads the target's parameters once (to each device it runs on), so that run() can be called
/// again cheaply.
class Sampler {
 public:
  Sampler(const GaussianMixture& target, SamplerConfig config);
  /// The model's score in the form config.score_form selects (see ScoreForm).
  Sampler(const Mlp& model, SamplerConfig config);
  /// Any score target (target.hpp): what sample_with() runs a user's functor through.
  Sampler(std::shared_ptr<const ScoreTarget> target, SamplerConfig config);
  ~Sampler();
  Sampler(Sampler&&) noexcept;
  Sampler& operator=(Sampler&&) noexcept;

  const SamplerConfig& config() const;
  Backend backend() const;  // resolved: Cpu or Cuda
  /// The CUDA devices the chains run on, in the order their blocks of chains follow (empty on
  /// the CPU).
  std::vector<int> devices() const;
  int dim() const;
  /// The form the score is evaluated in: "mixture", "layered", "hinge" (see ScoreForm), or the
  /// name a target of one's own gives.
  std::string score_form() const;
  std::vector<std::int64_t> output_shape() const;

  /// Runs the chains and returns the result on the host. Throws Error when chains diverged
  /// (check_divergence), so that no NaN reaches the caller.
  Array run();
  /// Runs the chains into caller-owned host memory of output_shape() floats (C order), with the
  /// same checks as run(): what a caller that owns its output buffer (the C and Python APIs)
  /// runs into without a copy.
  void run_into_host(float* host_out);
  /// Runs the chains on the GPU and leaves the result there (Cuda backend, one device only).
  DeviceArray run_on_device(Stream stream = nullptr);
  /// Runs the chains on the GPU into caller-owned device memory of output_shape() floats, on
  /// the sampler's device (Cuda backend, one device only).
  void run_into(float* device_out, Stream stream = nullptr);

  /// The chains of the last run that diverged (ULA; MALA rejects non-finite proposals). Waits
  /// for the run. run() checks this itself; run_on_device and run_into leave it to the caller.
  Divergence divergence();
  /// Throws Error "N of M chains diverged …, the first after update K of U: the step size
  /// epsilon = E is too large for this target; try a smaller one" when any did.
  void check_divergence();

  /// MALA: the fraction of proposals accepted in the last run (waits for it); NaN for ULA.
  double acceptance_rate();
  /// The noise levels the chains are annealed over (empty: none).
  const std::vector<double>& noise_levels() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One-call forms of Sampler(target, config).run().
Array sample(const GaussianMixture& target, const SamplerConfig& config);
Array sample(const Mlp& model, const SamplerConfig& config);

}  // namespace langevin
