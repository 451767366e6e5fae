#ifndef LANGEVIN_LANGEVIN_H
#define LANGEVIN_LANGEVIN_H
/**
 * \file
 * The C API of langevin: sample Langevin chains on a score model or a Gaussian mixture from C,
 * Fortran (module `langevin`, share/langevin/fortran/langevin.f90) or anything that calls C.
 *
 * Every function returns a langevin_status; on failure langevin_last_error() gives a one-line
 * message naming the field and value at fault. No C++ exception crosses this boundary. Handles
 * are opaque; each `*_create`/`*_load` has a `*_free` (which accepts NULL). Results go into
 * memory the caller owns, on the host or (CUDA backend) on the device.
 *
 *     langevin_model* model;  langevin_config* config;
 *     langevin_model_load("two_modes.json", &model);
 *     langevin_config_create(&config);
 *     langevin_config_set_chains(config, 100000);
 *     langevin_sample(model, config, out, capacity, LANGEVIN_HOST_MEMORY, NULL);
 *
 * The chains, their Philox streams and the result are exactly those of the C++ API and the CLI
 * with the same configuration (docs/REPRODUCIBILITY.md).
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** What a call returns. Anything but LANGEVIN_OK leaves a message in langevin_last_error(). */
typedef enum langevin_status {
  LANGEVIN_OK = 0,
  LANGEVIN_INVALID_INPUT = 1, /**< a value out of range, a malformed file, inconsistent sizes */
  LANGEVIN_FAILURE = 2,       /**< a failure while running: device, I/O, out of memory */
} langevin_status;

/** Where a result buffer lives. */
/* The enums a caller passes in end with range markers, which make every int one of their values:
   a C caller may pass any int, and the library refuses those it does not know (in C++, reading
   an enum outside its range is undefined). */
#define LANGEVIN_ENUM_RANGE(prefix) prefix##_RANGE_MIN_ = -2147483647 - 1, prefix##_RANGE_MAX_ = 2147483647

typedef enum langevin_memory {
  LANGEVIN_HOST_MEMORY = 0,
  LANGEVIN_DEVICE_MEMORY = 1, /**< CUDA device memory; needs the cuda backend */
  LANGEVIN_ENUM_RANGE(LANGEVIN_MEMORY)
} langevin_memory;

typedef enum langevin_backend {
  LANGEVIN_BACKEND_AUTO = 0, /**< the GPU when one is present, else the CPU */
  LANGEVIN_BACKEND_CPU = 1,
  LANGEVIN_BACKEND_CUDA = 2,
  LANGEVIN_ENUM_RANGE(LANGEVIN_BACKEND)
} langevin_backend;

typedef enum langevin_score_form {
  LANGEVIN_SCORE_FORM_AUTO = 0,    /**< a model's fastest form (1-D one-hidden-layer ReLU: hinges) */
  LANGEVIN_SCORE_FORM_LAYERED = 1, /**< the layered pass always */
  LANGEVIN_ENUM_RANGE(LANGEVIN_SCORE_FORM)
} langevin_score_form;

typedef enum langevin_method {
  LANGEVIN_ULA = 0,  /**< x <- x + eps s(x) + sqrt(2 eps) z */
  LANGEVIN_MALA = 1, /**< ULA proposals with a Metropolis test (needs a Gaussian mixture) */
  LANGEVIN_PC = 2,   /**< predictor-corrector down the noise levels of an annealed run */
  LANGEVIN_ODE = 3,  /**< the probability-flow ODE from sigma_1 to sigma_L (adaptive) */
  LANGEVIN_UNDERDAMPED = 4, /**< positions and velocities under friction, BAOAB steps of time
                                 eps (default 0.1) */
  LANGEVIN_ENUM_RANGE(LANGEVIN_METHOD)
} langevin_method;

/** How LANGEVIN_PC sizes its corrector steps 2 (snr |z| / |s|)^2 (langevin::CorrectorStep). */
typedef enum langevin_corrector_step {
  LANGEVIN_CORRECTOR_SIGMA = 0,       /**< pure noise's norms at level sigma: 2 snr^2 sigma^2 */
  LANGEVIN_CORRECTOR_CHAIN_NORMS = 1, /**< each chain's own noise and score */
  LANGEVIN_ENUM_RANGE(LANGEVIN_CORRECTOR)
} langevin_corrector_step;

/** A score source: an MLP score model (.safetensors) or a Gaussian mixture. */
typedef struct langevin_model langevin_model;
/** A sampler configuration: chains, steps, step size, seed, initial states, output kind. */
typedef struct langevin_config langevin_config;
/** What a run reports besides its samples: shape, backend used, time, acceptance rate. */
typedef struct langevin_result langevin_result;

/** The message of the last failed call on this thread ("" when none). */
const char* langevin_last_error(void);
/** The library's version, e.g. "0.1.0". */
const char* langevin_version(void);

/* ---- models ---------------------------------------------------------------------------- */

/** Loads a score model (.safetensors) or a Gaussian mixture (.json) by the file's extension. */
langevin_status langevin_model_load(const char* path, langevin_model** model);
/** A Gaussian mixture of `components` components in `dim` dimensions: weights (components),
 *  means and stds (components x dim, row-major). Weights are normalised to sum to 1. */
langevin_status langevin_model_gmm(int components, int dim, const double* weights,
                                   const double* means, const double* stds,
                                   langevin_model** model);
void langevin_model_free(langevin_model* model);
/** The dimension d of the states the model's score takes. */
langevin_status langevin_model_dim(const langevin_model* model, int* dim);
/** The score s(x) at `count` points x (count x dim, row-major, host memory) into `scores`. */
langevin_status langevin_model_score(const langevin_model* model, const float* points,
                                     int64_t count, float* scores, langevin_backend backend);

/* ---- sampler configuration ------------------------------------------------------------- */

/** A configuration with the defaults of `langevin sample`: 1000 chains, seed 0, first chain 0,
 *  final states, ULA, auto backend; 2000 steps of eps = 5e-3 from N(0, 1), or for an annealed
 *  run 100 steps a level of eps = 0.1 sigma_L^2 from N(0, sigma_1^2) (langevin::with_defaults). */
langevin_status langevin_config_create(langevin_config** config);
void langevin_config_free(langevin_config* config);
langevin_status langevin_config_set_chains(langevin_config* config, int64_t chains);
/** Updates per chain (per noise level when annealing; predictor steps per level with
 *  LANGEVIN_PC, default 1). */
langevin_status langevin_config_set_steps(langevin_config* config, int64_t steps);
langevin_status langevin_config_set_epsilon(langevin_config* config, double epsilon);
langevin_status langevin_config_set_seed(langevin_config* config, uint64_t seed);
/** Global index of the first chain: a slice of a larger run, bit-identical to its rows. */
langevin_status langevin_config_set_first_chain(langevin_config* config, int64_t first_chain);
/** Initial states i.i.d. N(mean, std^2) per coordinate. */
langevin_status langevin_config_set_init_normal(langevin_config* config, double mean, double std);
/** Initial states given: chains x dim floats, row-major, host memory (copied). */
langevin_status langevin_config_set_init_states(langevin_config* config, const float* states,
                                                int64_t chains, int dim);
/** Keep only the final states: the result is chains x dim (the default). */
langevin_status langevin_config_keep_final(langevin_config* config);
/** Keep the states before updates burn_in, burn_in + thin, ...: chains x kept x dim. */
langevin_status langevin_config_keep_trajectory(langevin_config* config, int64_t burn_in,
                                                int64_t thin);
langevin_status langevin_config_set_method(langevin_config* config, langevin_method method);
langevin_status langevin_config_set_backend(langevin_config* config, langevin_backend backend);
/** The CUDA device to run on (its ordinal; -1, the default: the calling thread's current one). */
langevin_status langevin_config_set_device(langevin_config* config, int device);
/** Split the chains over `count` CUDA devices (ordinals), in contiguous blocks run concurrently;
 *  the result equals a one-device run's (count 0: back to one device). */
langevin_status langevin_config_set_devices(langevin_config* config, const int* devices,
                                            int count);
/** How a model's score is evaluated (the default: LANGEVIN_SCORE_FORM_AUTO). */
langevin_status langevin_config_set_score_form(langevin_config* config,
                                               langevin_score_form form);
/** Anneal over the noise levels sigmas[0] > ... > sigmas[count-1] (count 0: no annealing). */
langevin_status langevin_config_set_sigmas(langevin_config* config, const double* sigmas,
                                           int count);
/** Annealed runs: end with the denoising step x <- x + sigma_L^2 s(x, sigma_L) (LANGEVIN_PC:
 *  the last predictor step adds no noise). */
langevin_status langevin_config_set_denoise(langevin_config* config, int denoise);
/** LANGEVIN_PC: Langevin corrector steps before each predictor step (default 1; 0: the
 *  predictor alone), their signal-to-noise ratio (default 0.16) and how their size follows from
 *  it (default LANGEVIN_CORRECTOR_SIGMA). Leave epsilon at 0 with PC. */
langevin_status langevin_config_set_corrector(langevin_config* config, int steps, double snr,
                                              langevin_corrector_step step);
/** LANGEVIN_ODE: the integrator's relative and absolute tolerances (default 1e-5 each). Leave
 *  epsilon at 0 with the ODE; its steps are not used. */
langevin_status langevin_config_set_ode_tolerances(langevin_config* config, double rtol,
                                                   double atol);
/** LANGEVIN_UNDERDAMPED: the friction gamma, per unit time (default 1). */
langevin_status langevin_config_set_friction(langevin_config* config, double friction);

/** The number of floats langevin_sample writes for this model and configuration, after
 *  validating both (so a bad configuration fails here, before any buffer is sized). */
langevin_status langevin_output_count(const langevin_model* model, const langevin_config* config,
                                      int64_t* count);

/* ---- sampling -------------------------------------------------------------------------- */

/** Runs the chains into `out`, which holds `capacity` floats in `memory`. The states are
 *  row-major: chains x dim, or chains x kept x dim for a trajectory. `result` may be NULL;
 *  otherwise it receives a handle to free with langevin_result_free. */
langevin_status langevin_sample(const langevin_model* model, const langevin_config* config,
                                float* out, int64_t capacity, langevin_memory memory,
                                langevin_result** result);

/** The output's rank (2 or 3) and extents (shape[0..rank-1]). */
langevin_status langevin_result_shape(const langevin_result* result, int* rank, int64_t shape[3]);
/** The backend the run used: LANGEVIN_BACKEND_CPU or LANGEVIN_BACKEND_CUDA. */
langevin_status langevin_result_backend(const langevin_result* result, langevin_backend* backend);
/** Wall-clock seconds of the run (sampling and the copy into `out`). */
langevin_status langevin_result_seconds(const langevin_result* result, double* seconds);
/** MALA: the fraction of proposals accepted; NaN for ULA. */
langevin_status langevin_result_acceptance_rate(const langevin_result* result, double* rate);
/** The rows [first, first + count) of the output this process holds: all of them, except for a
 *  run over MPI ranks (langevin_mpi.h), where each rank holds its block. */
langevin_status langevin_result_rows(const langevin_result* result, int64_t* first,
                                     int64_t* count);
void langevin_result_free(langevin_result* result);

/* ---- likelihoods ----------------------------------------------------------------------- */

/** How langevin_model_log_likelihood takes the score's divergence (langevin::DivergenceEstimator). */
typedef enum langevin_divergence {
  LANGEVIN_DIVERGENCE_AUTO = 0,       /**< exact for a mixture and for models up to d = 16 */
  LANGEVIN_DIVERGENCE_EXACT = 1,      /**< the trace (a model: d forward-mode passes) */
  LANGEVIN_DIVERGENCE_HUTCHINSON = 2, /**< Rademacher probes, an unbiased estimate */
  LANGEVIN_ENUM_RANGE(LANGEVIN_DIVERGENCE)
} langevin_divergence;

/** log p(x) at the lowest noise level of `count` points (count x dim, row-major, host memory)
 *  into `log_density` (count floats; NaN where a point's ODE failed), by the probability-flow
 *  ODE up to the highest level and the prior N(0, sigma_1^2 I) there (langevin::log_likelihood):
 *  over the `levels` decreasing noise levels `sigmas` (NULL and 0: a noise-conditional model's
 *  own; a mixture needs them), the divergence taken by `divergence` (Hutchinson: `probes`
 *  Rademacher vectors keyed by `seed` and each point's index first_point + i), the
 *  Dormand-Prince pair held to `rtol` and `atol` (1e-5 each: `langevin likelihood`'s). `latent`
 *  (count x dim floats) receives the points carried to sigma_1, unless it is NULL. */
langevin_status langevin_model_log_likelihood(const langevin_model* model, const float* points,
                                              int64_t count, const double* sigmas, int levels,
                                              langevin_divergence divergence, int probes,
                                              uint64_t seed, int64_t first_point, double rtol,
                                              double atol, langevin_backend backend,
                                              float* log_density, float* latent);

/* ---- diagnostics ----------------------------------------------------------------------- */

/** Convergence diagnostics of `chains` chains of `draws` draws in `dim` dimensions (row-major
 *  chains x draws x dim, as a trajectory comes out of langevin_sample), per coordinate into
 *  arrays of `dim` doubles: the rank-normalised split R-hat, bulk and tail effective sample
 *  sizes and the mean's Monte Carlo standard error (Vehtari et al. 2021; langevin::diagnose).
 *  With superchains > 0 also the nested R-hat of that many groups of consecutive chains into
 *  `nested_rhat` (which may be NULL otherwise). Needs 2 chains and 4 draws at least. */
langevin_status langevin_diagnose(const float* trajectory, int64_t chains, int64_t draws, int dim,
                                  int64_t superchains, double* rhat, double* ess_bulk,
                                  double* ess_tail, double* mcse_mean, double* nested_rhat);

#ifdef __cplusplus
}
#endif

#endif /* LANGEVIN_LANGEVIN_H */
