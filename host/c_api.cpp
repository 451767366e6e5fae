// The C API (include/langevin/langevin.h) over the C++ one. Each entry point runs its body in
// guarded() (c_api_detail.hpp), which turns every exception into a status and a thread-local
// message, so that no C++ exception ever reaches a C or Fortran caller.

#include "c_api_detail.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <new>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace {

using langevin::detail::guarded;
using langevin::detail::require_pointer;

langevin::Backend to_backend(langevin_backend backend) {
  switch (backend) {
    case LANGEVIN_BACKEND_AUTO: return langevin::Backend::Auto;
    case LANGEVIN_BACKEND_CPU: return langevin::Backend::Cpu;
    case LANGEVIN_BACKEND_CUDA: return langevin::Backend::Cuda;
    default: break;  // any other int a C caller passed (the range markers included)
  }
  throw langevin::InvalidInput("backend = " + std::to_string(static_cast<int>(backend)) +
                               ": expected LANGEVIN_BACKEND_AUTO, _CPU or _CUDA");
}

std::unique_ptr<langevin::Sampler> make_sampler(const langevin_model& model,
                                                const langevin::SamplerConfig& config) {
  return std::make_unique<langevin::Sampler>(
      std::shared_ptr<const langevin::ScoreTarget>(
          langevin::detail::make_target(model.source, config.score_form)),
      config);
}

int model_dim(const langevin_model& model) { return langevin::detail::source_dim(model.source); }

std::int64_t element_count(const std::vector<std::int64_t>& shape) {
  std::int64_t count = 1;
  for (std::int64_t extent : shape) count *= extent;
  return count;
}

// The setters store; the library validates the whole configuration against the model when it is
// used (langevin_output_count, langevin_sample), naming the field at fault.
template <class Set>
langevin_status set(langevin_config* config, Set&& assign) {
  return guarded([&] {
    require_pointer(config, "config");
    assign(config->config);
  });
}

}  // namespace

extern "C" {

const char* langevin_last_error(void) { return langevin::detail::c_last_error().c_str(); }

const char* langevin_version(void) { return langevin::version(); }

// ---- models ---------------------------------------------------------------------------------

langevin_status langevin_model_load(const char* path, langevin_model** model) {
  return guarded([&] {
    require_pointer(path, "path");
    require_pointer(model, "model");
    *model = nullptr;
    *model = new langevin_model{langevin::detail::load_score_source(path, "path")};
  });
}

langevin_status langevin_model_gmm(int components, int dim, const double* weights,
                                   const double* means, const double* stds,
                                   langevin_model** model) {
  return guarded([&] {
    require_pointer(model, "model");
    *model = nullptr;
    if (components < 1) {
      throw langevin::InvalidInput("components = " + std::to_string(components) +
                                   ": must be at least 1");
    }
    if (dim < 1) throw langevin::InvalidInput("dim = " + std::to_string(dim) + ": must be at least 1");
    require_pointer(weights, "weights");
    require_pointer(means, "means");
    require_pointer(stds, "stds");
    std::vector<double> w(weights, weights + components);
    std::vector<std::vector<double>> m(components), s(components);
    for (int k = 0; k < components; ++k) {
      m[k].assign(means + static_cast<std::size_t>(k) * dim, means + static_cast<std::size_t>(k + 1) * dim);
      s[k].assign(stds + static_cast<std::size_t>(k) * dim, stds + static_cast<std::size_t>(k + 1) * dim);
    }
    *model = new langevin_model{langevin::GaussianMixture(std::move(w), std::move(m), std::move(s))};
  });
}

void langevin_model_free(langevin_model* model) { delete model; }

langevin_status langevin_model_dim(const langevin_model* model, int* dim) {
  return guarded([&] {
    require_pointer(model, "model");
    require_pointer(dim, "dim");
    *dim = model_dim(*model);
  });
}

langevin_status langevin_model_score(const langevin_model* model, const float* points,
                                     int64_t count, float* scores, langevin_backend backend) {
  return guarded([&] {
    require_pointer(model, "model");
    require_pointer(points, "points");
    require_pointer(scores, "scores");
    if (count < 1) throw langevin::InvalidInput("count = " + std::to_string(count) + ": must be at least 1");
    if (const auto* mixture = std::get_if<langevin::GaussianMixture>(&model->source)) {
      langevin::score_into(*mixture, points, count, scores, to_backend(backend));
    } else {
      langevin::score_into(std::get<langevin::Mlp>(model->source), points, count, scores, 0.0,
                           to_backend(backend));
    }
  });
}

// ---- sampler configuration ------------------------------------------------------------------

langevin_status langevin_config_create(langevin_config** config) {
  return guarded([&] {
    require_pointer(config, "config");
    *config = new langevin_config{};
  });
}

void langevin_config_free(langevin_config* config) { delete config; }

langevin_status langevin_config_set_chains(langevin_config* config, int64_t chains) {
  return set(config, [&](langevin::SamplerConfig& c) { c.chains = chains; });
}
langevin_status langevin_config_set_steps(langevin_config* config, int64_t steps) {
  return set(config, [&](langevin::SamplerConfig& c) { c.steps = steps; });
}
langevin_status langevin_config_set_epsilon(langevin_config* config, double epsilon) {
  return set(config, [&](langevin::SamplerConfig& c) { c.epsilon = epsilon; });
}
langevin_status langevin_config_set_seed(langevin_config* config, uint64_t seed) {
  return set(config, [&](langevin::SamplerConfig& c) { c.seed = seed; });
}
langevin_status langevin_config_set_first_chain(langevin_config* config, int64_t first_chain) {
  return set(config, [&](langevin::SamplerConfig& c) { c.first_chain = first_chain; });
}
langevin_status langevin_config_set_init_normal(langevin_config* config, double mean, double std) {
  return set(config, [&](langevin::SamplerConfig& c) {
    c.init_mean = mean;
    c.init_std = std;
    c.init_states = langevin::Array();
  });
}
langevin_status langevin_config_set_init_states(langevin_config* config, const float* states,
                                                int64_t chains, int dim) {
  return set(config, [&](langevin::SamplerConfig& c) {
    require_pointer(states, "states");
    if (chains < 1) throw langevin::InvalidInput("chains = " + std::to_string(chains) + ": must be at least 1");
    if (dim < 1) throw langevin::InvalidInput("dim = " + std::to_string(dim) + ": must be at least 1");
    const std::size_t values = static_cast<std::size_t>(chains) * static_cast<std::size_t>(dim);
    c.init_states = langevin::Array({chains, dim}, std::vector<float>(states, states + values));
  });
}
langevin_status langevin_config_keep_final(langevin_config* config) {
  return set(config, [&](langevin::SamplerConfig& c) { c.keep = langevin::Keep::Final; });
}
langevin_status langevin_config_keep_trajectory(langevin_config* config, int64_t burn_in,
                                                int64_t thin) {
  return set(config, [&](langevin::SamplerConfig& c) {
    c.keep = langevin::Keep::Trajectory;
    c.burn_in = burn_in;
    c.thin = thin;
  });
}
langevin_status langevin_config_set_method(langevin_config* config, langevin_method method) {
  return set(config, [&](langevin::SamplerConfig& c) {
    switch (method) {
      case LANGEVIN_ULA: c.method = langevin::Method::Ula; return;
      case LANGEVIN_MALA: c.method = langevin::Method::Mala; return;
      case LANGEVIN_PC: c.method = langevin::Method::Pc; return;
      case LANGEVIN_ODE: c.method = langevin::Method::Ode; return;
      case LANGEVIN_UNDERDAMPED: c.method = langevin::Method::Underdamped; return;
      default: break;
    }
    throw langevin::InvalidInput("method = " + std::to_string(static_cast<int>(method)) +
                                 ": expected LANGEVIN_ULA, LANGEVIN_MALA, LANGEVIN_PC, "
                                 "LANGEVIN_ODE or LANGEVIN_UNDERDAMPED");
  });
}
langevin_status langevin_config_set_backend(langevin_config* config, langevin_backend backend) {
  return set(config, [&](langevin::SamplerConfig& c) { c.backend = to_backend(backend); });
}
langevin_status langevin_config_set_device(langevin_config* config, int device) {
  return set(config, [&](langevin::SamplerConfig& c) { c.device = device; });
}
langevin_status langevin_config_set_devices(langevin_config* config, const int* devices,
                                            int count) {
  return set(config, [&](langevin::SamplerConfig& c) {
    if (count < 0) throw langevin::InvalidInput("count = " + std::to_string(count) + ": must be non-negative");
    if (count > 0) require_pointer(devices, "devices");
    c.devices.assign(devices, devices + count);
  });
}
langevin_status langevin_config_set_score_form(langevin_config* config,
                                               langevin_score_form form) {
  return set(config, [&](langevin::SamplerConfig& c) {
    if (form != LANGEVIN_SCORE_FORM_AUTO && form != LANGEVIN_SCORE_FORM_LAYERED) {
      throw langevin::InvalidInput("form = " + std::to_string(static_cast<int>(form)) +
                                   ": expected LANGEVIN_SCORE_FORM_AUTO or _LAYERED");
    }
    c.score_form = form == LANGEVIN_SCORE_FORM_LAYERED ? langevin::ScoreForm::Layered
                                                       : langevin::ScoreForm::Auto;
  });
}
langevin_status langevin_config_set_sigmas(langevin_config* config, const double* sigmas,
                                           int count) {
  return set(config, [&](langevin::SamplerConfig& c) {
    if (count < 0) throw langevin::InvalidInput("count = " + std::to_string(count) + ": must be non-negative");
    if (count > 0) require_pointer(sigmas, "sigmas");
    c.sigmas.assign(sigmas, sigmas + count);
  });
}
langevin_status langevin_config_set_denoise(langevin_config* config, int denoise) {
  return set(config, [&](langevin::SamplerConfig& c) { c.denoise = denoise != 0; });
}
langevin_status langevin_config_set_corrector(langevin_config* config, int steps, double snr,
                                              langevin_corrector_step step) {
  return set(config, [&](langevin::SamplerConfig& c) {
    if (step != LANGEVIN_CORRECTOR_SIGMA && step != LANGEVIN_CORRECTOR_CHAIN_NORMS) {
      throw langevin::InvalidInput("step = " + std::to_string(static_cast<int>(step)) +
                                   ": expected LANGEVIN_CORRECTOR_SIGMA or _CHAIN_NORMS");
    }
    c.corrector_steps = steps;
    c.snr = snr;
    c.corrector_step = step == LANGEVIN_CORRECTOR_CHAIN_NORMS
                           ? langevin::CorrectorStep::ChainNorms
                           : langevin::CorrectorStep::Sigma;
  });
}
langevin_status langevin_config_set_ode_tolerances(langevin_config* config, double rtol,
                                                   double atol) {
  return set(config, [&](langevin::SamplerConfig& c) {
    c.rtol = rtol;
    c.atol = atol;
  });
}

langevin_status langevin_config_set_friction(langevin_config* config, double friction) {
  return set(config, [&](langevin::SamplerConfig& c) { c.friction = friction; });
}

langevin_status langevin_output_count(const langevin_model* model, const langevin_config* config,
                                      int64_t* count) {
  return guarded([&] {
    require_pointer(model, "model");
    require_pointer(config, "config");
    require_pointer(count, "count");
    // A Sampler validates model and configuration together; on the GPU it also uploads the
    // model, which is cheap beside the run this call prepares for.
    langevin::SamplerConfig cpu_only = config->config;
    cpu_only.backend = langevin::Backend::Cpu;
    *count = element_count(make_sampler(*model, cpu_only)->output_shape());
  });
}

// ---- sampling -------------------------------------------------------------------------------

langevin_status langevin_sample(const langevin_model* model, const langevin_config* config,
                                float* out, int64_t capacity, langevin_memory memory,
                                langevin_result** result) {
  return guarded([&] {
    require_pointer(model, "model");
    require_pointer(config, "config");
    require_pointer(out, "out");
    if (result != nullptr) *result = nullptr;
    if (memory != LANGEVIN_HOST_MEMORY && memory != LANGEVIN_DEVICE_MEMORY) {
      throw langevin::InvalidInput("memory = " + std::to_string(static_cast<int>(memory)) +
                                   ": expected LANGEVIN_HOST_MEMORY or LANGEVIN_DEVICE_MEMORY");
    }
    const auto start = std::chrono::steady_clock::now();
    auto sampler = make_sampler(*model, config->config);
    const std::vector<std::int64_t> shape = sampler->output_shape();
    const std::int64_t count = element_count(shape);
    if (capacity < count) {
      throw langevin::InvalidInput("capacity = " + std::to_string(capacity) + ": the output needs " +
                                   std::to_string(count) + " floats");
    }
    if (memory == LANGEVIN_DEVICE_MEMORY) {
      if (sampler->backend() != langevin::Backend::Cuda) {
        throw langevin::InvalidInput(
            "memory = LANGEVIN_DEVICE_MEMORY: needs the cuda backend; this run uses " +
            std::string(langevin::to_string(sampler->backend())));
      }
      sampler->run_into(out);
      // The C API's calls return when their results are there: check_divergence() reads the
      // divergence counts on the run's stream, on the sampler's GPU, after the run.
      sampler->check_divergence();
    } else {
      sampler->run_into_host(out);
    }
    // acceptance_rate() waits for the run, so the time below covers all of it.
    const double acceptance = sampler->acceptance_rate();
    if (result != nullptr) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      *result = new langevin_result{shape, sampler->backend(), seconds, acceptance, 0, shape[0]};
    }
  });
}

langevin_status langevin_result_shape(const langevin_result* result, int* rank, int64_t shape[3]) {
  return guarded([&] {
    require_pointer(result, "result");
    require_pointer(rank, "rank");
    require_pointer(shape, "shape");
    *rank = static_cast<int>(result->shape.size());
    for (int i = 0; i < 3; ++i) shape[i] = i < *rank ? result->shape[i] : 1;
  });
}

langevin_status langevin_result_backend(const langevin_result* result, langevin_backend* backend) {
  return guarded([&] {
    require_pointer(result, "result");
    require_pointer(backend, "backend");
    *backend = result->backend == langevin::Backend::Cuda ? LANGEVIN_BACKEND_CUDA
                                                          : LANGEVIN_BACKEND_CPU;
  });
}

langevin_status langevin_result_seconds(const langevin_result* result, double* seconds) {
  return guarded([&] {
    require_pointer(result, "result");
    require_pointer(seconds, "seconds");
    *seconds = result->seconds;
  });
}

langevin_status langevin_result_acceptance_rate(const langevin_result* result, double* rate) {
  return guarded([&] {
    require_pointer(result, "result");
    require_pointer(rate, "rate");
    *rate = result->acceptance_rate;
  });
}

langevin_status langevin_result_rows(const langevin_result* result, int64_t* first,
                                     int64_t* count) {
  return guarded([&] {
    require_pointer(result, "result");
    require_pointer(first, "first");
    require_pointer(count, "count");
    *first = result->first_row;
    *count = result->rows;
  });
}

void langevin_result_free(langevin_result* result) { delete result; }

// ---- likelihoods ----------------------------------------------------------------------------

langevin_status langevin_model_log_likelihood(const langevin_model* model, const float* points,
                                              int64_t count, const double* sigmas, int levels,
                                              langevin_divergence divergence, int probes,
                                              uint64_t seed, int64_t first_point, double rtol,
                                              double atol, langevin_backend backend,
                                              float* log_density, float* latent) {
  return guarded([&] {
    require_pointer(model, "model");
    require_pointer(points, "points");
    require_pointer(log_density, "log_density");
    if (count < 1) {
      throw langevin::InvalidInput("count = " + std::to_string(count) + ": must be at least 1");
    }
    if (levels < 0 || (levels > 0 && sigmas == nullptr)) {
      throw langevin::InvalidInput("levels = " + std::to_string(levels) +
                                   (levels < 0 ? ": must be at least 0" : " with sigmas NULL"));
    }
    langevin::LikelihoodConfig config;
    config.sigmas.assign(sigmas, sigmas + levels);
    switch (divergence) {
      case LANGEVIN_DIVERGENCE_AUTO: config.divergence = langevin::DivergenceEstimator::Auto; break;
      case LANGEVIN_DIVERGENCE_EXACT:
        config.divergence = langevin::DivergenceEstimator::Exact;
        break;
      case LANGEVIN_DIVERGENCE_HUTCHINSON:
        config.divergence = langevin::DivergenceEstimator::Hutchinson;
        break;
      default:
        throw langevin::InvalidInput(
            "divergence = " + std::to_string(static_cast<int>(divergence)) +
            ": expected LANGEVIN_DIVERGENCE_AUTO, LANGEVIN_DIVERGENCE_EXACT or "
            "LANGEVIN_DIVERGENCE_HUTCHINSON");
    }
    config.probes = probes;
    config.seed = seed;
    config.first_point = first_point;
    config.rtol = rtol;
    config.atol = atol;
    config.backend = to_backend(backend);
    int dim = 0;
    std::visit([&](const auto& source) {
      if constexpr (std::is_same_v<std::decay_t<decltype(source)>, langevin::Mlp>) {
        dim = source.data_dim();
      } else {
        dim = source.dim();
      }
    }, model->source);
    const std::size_t values = static_cast<std::size_t>(count) * static_cast<std::size_t>(dim);
    const langevin::Array x({count, static_cast<std::int64_t>(dim)},
                            std::vector<float>(points, points + values));
    const langevin::Likelihood result =
        std::holds_alternative<langevin::GaussianMixture>(model->source)
            ? langevin::log_likelihood(std::get<langevin::GaussianMixture>(model->source), x,
                                       config)
            : langevin::log_likelihood(std::get<langevin::Mlp>(model->source), x, config);
    std::copy(result.log_density.data(), result.log_density.data() + count, log_density);
    if (latent != nullptr) std::copy(result.latent.data(), result.latent.data() + values, latent);
  });
}

// ---- diagnostics ----------------------------------------------------------------------------

langevin_status langevin_diagnose(const float* trajectory, int64_t chains, int64_t draws, int dim,
                                  int64_t superchains, double* rhat, double* ess_bulk,
                                  double* ess_tail, double* mcse_mean, double* nested_rhat) {
  return guarded([&] {
    require_pointer(trajectory, "trajectory");
    for (const auto& [pointer, name] : {std::pair<const double*, const char*>{rhat, "rhat"},
                                        {ess_bulk, "ess_bulk"},
                                        {ess_tail, "ess_tail"},
                                        {mcse_mean, "mcse_mean"}}) {
      require_pointer(pointer, name);
    }
    if (superchains > 0) require_pointer(nested_rhat, "nested_rhat");
    if (chains < 1 || draws < 1 || dim < 1) {
      throw langevin::InvalidInput("trajectory: " + std::to_string(chains) + " chains x " +
                                   std::to_string(draws) + " draws x dim " + std::to_string(dim) +
                                   ": every extent must be at least 1");
    }
    const std::size_t count = static_cast<std::size_t>(chains * draws * dim);
    const langevin::Array x({chains, draws, static_cast<std::int64_t>(dim)},
                            std::vector<float>(trajectory, trajectory + count));
    const langevin::Diagnostics d = langevin::diagnose(x, superchains);
    std::copy(d.rhat.begin(), d.rhat.end(), rhat);
    std::copy(d.ess_bulk.begin(), d.ess_bulk.end(), ess_bulk);
    std::copy(d.ess_tail.begin(), d.ess_tail.end(), ess_tail);
    std::copy(d.mcse_mean.begin(), d.mcse_mean.end(), mcse_mean);
    if (superchains > 0) std::copy(d.nested_rhat.begin(), d.nested_rhat.end(), nested_rhat);
  });
}

}  // extern "C"

std::string& langevin::detail::c_last_error() {
  thread_local std::string message;
  return message;
}
