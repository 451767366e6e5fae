// langevin sample: run Langevin chains on a score model or a Gaussian mixture (docs/CLI.md).

#include "array_output.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "progress.hpp"
#include "ranks.hpp"

#include <langevin/checkpoint_file.hpp>
#include <langevin/summary.hpp>
#include <langevin/version.hpp>

#include "io/atomic_file.hpp"
#include "validation.hpp"

#include <cmath>
#include <cstdio>
#include <initializer_list>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>

namespace langevin::cli {
namespace {

struct SampleOptions {
  CommonOptions common;
  DeviceOptions devices;
  std::string score_form = "auto";
  ScoreSourceOptions source;
  std::string out;
  std::int64_t chains = 1000;
  std::int64_t steps = 0;    // 0: the library's default (with_defaults)
  double epsilon = 0.0;      // 0: the library's default
  const CLI::Option* steps_option = nullptr;    // given 0 is an error, not the default
  const CLI::Option* epsilon_option = nullptr;
  std::string init;          // empty: N(0, 1), or N(0, sigma_1^2) when annealed
  std::string keep = "final";
  std::int64_t burn_in = 0;
  std::int64_t thin = 1;
  std::int64_t first_chain = 0;
  std::string sampler = "ula";
  int corrector_steps = kDefaultCorrectorSteps;  // --sampler pc
  double snr = kDefaultSnr;
  std::string corrector_step = "sigma";
  double rtol = kDefaultOdeTolerance;  // --sampler ode
  double atol = kDefaultOdeTolerance;
  const CLI::Option* rtol_option = nullptr;
  const CLI::Option* atol_option = nullptr;
  const CLI::Option* corrector_steps_option = nullptr;
  const CLI::Option* snr_option = nullptr;
  const CLI::Option* corrector_step_option = nullptr;
  double friction = kDefaultFriction;  // --sampler underdamped
  const CLI::Option* friction_option = nullptr;
  const CLI::Option* burn_in_option = nullptr;
  const CLI::Option* thin_option = nullptr;
  bool denoise = false;
  bool diagnose = false;
  std::string sigmas;
  std::string checkpoint;
  std::int64_t checkpoint_every = 0;
  std::string resume;
  std::string summary;          // running statistics instead of the samples
  int bins = 0;
  std::string range;
  std::int64_t chunk_chains = 0;
};

/// "N chains x S steps x L noise levels", or for the ODE "N chains through L noise levels": what
/// a run did, for its text summary.
std::string run_extent(std::int64_t chains, std::int64_t steps, std::size_t levels,
                       Method method) {
  std::string text = std::to_string(chains) + " chains";
  if (method == Method::Ode) return text + " through " + std::to_string(levels) + " noise levels";
  text += " x " + std::to_string(steps) + " steps";
  if (levels > 0) text += " x " + std::to_string(levels) + " noise levels";
  return text;
}

/// The settings only some samplers have (pc's corrector, the ODE's tolerances, underdamped
/// Langevin's friction): one list for
/// the summaries, the HDF5 attributes and the checkpoints' settings.
nlohmann::json sampler_settings(const SamplerConfig& config) {
  if (config.method == Method::Pc) {
    return {{"corrector_steps", config.corrector_steps},
            {"snr", config.snr},
            {"corrector_step", to_string(config.corrector_step)}};
  }
  if (config.method == Method::Ode) return {{"rtol", config.rtol}, {"atol", config.atol}};
  if (config.method == Method::Underdamped) return {{"friction", config.friction}};
  return nlohmann::json::object();
}

/// Refuses the options of sampler `owner` given to a run of another: "--snr: only with
/// --sampler pc (this run's sampler is ula)".
void only_with(Method owner, Method method, std::initializer_list<const CLI::Option*> options) {
  for (const CLI::Option* option : options) {
    if (option->count() > 0 && method != owner) {
      throw InvalidInput(option->get_name() + ": only with --sampler " + to_string(owner) +
                         " (this run's sampler is " + to_string(method) + ")");
    }
  }
}

/// Where a run went, for its text summary: "cpu", "cuda", "cuda (devices 0,1)", and over an MPI
/// launch's ranks "cpu x 4 ranks" (rank 0's devices).
std::string where(Backend backend, const std::vector<int>& devices) {
  std::string text = to_string(backend);
  if (devices.size() >= 2) {
    text += " (devices ";
    for (std::size_t i = 0; i < devices.size(); ++i) {
      text += (i > 0 ? "," : "") + std::to_string(devices[i]);
    }
    text += ")";
  }
  if (ranks().launched()) text += " x " + std::to_string(ranks().ranks()) + " ranks";
  return text;
}

/// The JSON summary's entries every sample command prints, with "ranks" under an MPI launch.
void add_ranks(nlohmann::json& summary) {
  if (ranks().launched()) summary["ranks"] = ranks().ranks();
}

/// The initial states as --init would give them: the option, or the default the run resolved.
std::string init_text(const SampleOptions& options, const SamplerConfig& resolved) {
  if (!options.init.empty()) return options.init;
  std::ostringstream text;
  text << "normal:" << resolved.init_mean << "," << resolved.init_std;
  return text.str();
}

/// --init normal:M,S or file:x0.npy (or .h5).
void apply_init(const std::string& spec, int dim, SamplerConfig& config) {
  const std::string field = "--init";
  if (spec.rfind("normal:", 0) == 0) {
    const std::string arguments = spec.substr(7);
    const std::size_t comma = arguments.find(',');
    if (comma == std::string::npos) {
      throw InvalidInput(field + " = \"" + spec + "\": expected normal:MEAN,STD");
    }
    config.init_mean = parse_number(arguments.substr(0, comma), field + " mean");
    config.init_std = parse_number(arguments.substr(comma + 1), field + " std");
    // (The library reads a negative deviation as its default, which this spelling is not.)
    if (config.init_std < 0.0) {
      throw InvalidInput(field + " std = " + arguments.substr(comma + 1) +
                         ": must be non-negative");
    }
  } else if (spec.rfind("file:", 0) == 0) {
    const std::string path = spec.substr(5);
    Array states = as_points(read_array(path), path);
    if (states.dim(0) != config.chains || states.dim(1) != dim) {
      throw InvalidInput(field + " = " + spec + ": shape " + states.shape_string() +
                         ", expected (chains, d) = (" + std::to_string(config.chains) + ", " +
                         std::to_string(dim) + ")");
    }
    // Checked here too, where the file's name is known (the library names init_states).
    detail::require_finite(states.data(), states.size(), dim, field + " = " + spec + ": states");
    config.init_states = std::move(states);
  } else {
    throw InvalidInput(field + " = \"" + spec +
                       "\": expected normal:MEAN,STD or file:PATH (.npy, .h5)");
  }
}

/// Everything that produced the samples, for an HDF5 output: the options as given and what the
/// run resolved (backend, noise levels).
/// The input files, hashed before the run so that the hashes are those of the files it read.
Hdf5Attributes describe_inputs(const SampleOptions& options) {
  Hdf5Attributes attributes;
  describe_score_source(attributes, options.source);
  if (options.init.rfind("file:", 0) == 0) {
    describe_input_file(attributes, "init", options.init.substr(5));
  }
  return attributes;
}

Hdf5Attributes describe_run(const SampleOptions& options, const SamplerConfig& config,
                            ChainRun& sampler, const std::vector<std::int64_t>& shape,
                            const Hdf5Attributes& inputs) {
  Hdf5Attributes attributes = describe_output("sample", shape);
  attributes.insert(inputs.begin(), inputs.end());
  attributes["seed"] = config.seed;
  attributes["epsilon"] = config.epsilon;
  attributes["steps"] = config.steps;
  attributes["chains"] = config.chains;
  attributes["first_chain"] = config.first_chain;
  attributes["init"] = init_text(options, config);
  attributes["keep"] = options.keep;
  attributes["burn_in"] = config.burn_in;
  attributes["thin"] = config.thin;
  attributes["sampler"] = std::string(to_string(config.method));
  attributes["denoise"] = std::int64_t{config.denoise};  // HDF5 has no booleans
  if (!config.sigmas.empty()) attributes["sigmas"] = config.sigmas;
  if (!sampler.noise_levels().empty()) attributes["noise_levels"] = sampler.noise_levels();
  attributes["backend"] = std::string(to_string(sampler.backend()));
  attributes["score_form"] = sampler.score_form();
  if (config.method == Method::Mala) attributes["acceptance_rate"] = sampler.acceptance_rate();
  const nlohmann::json extra = sampler_settings(config);  // items() does not keep it alive
  for (const auto& [name, value] : extra.items()) {
    if (value.is_string()) {
      attributes[name] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      attributes[name] = value.get<std::int64_t>();
    } else {
      attributes[name] = value.get<double>();
    }
  }
  return attributes;
}

/// Every setting that decides a run's result, for its checkpoints: a run resumes only from a
/// checkpoint of the same run. Inputs are identified by their SHA-256, not their paths.
/// `inputs` are describe_inputs(options): the input files' hashes, taken once per run.
RunSettings run_settings(const SampleOptions& options, const SamplerConfig& config, int dim,
                         const Hdf5Attributes& inputs) {
  const bool init_file = options.init.rfind("file:", 0) == 0;
  RunSettings settings = {
      {"target", std::get<std::string>(inputs.at("target"))},
      {"target_sha256", std::get<std::string>(inputs.at("target_sha256"))},
      {"dim", std::to_string(dim)},
      {"seed", std::to_string(config.seed)},
      {"epsilon", exact_setting(config.epsilon)},
      {"steps", std::to_string(config.steps)},
      {"chains", std::to_string(config.chains)},
      {"first_chain", std::to_string(config.first_chain)},
      {"init", options.init},
      {"keep", options.keep},
      {"burn_in", std::to_string(config.burn_in)},
      {"thin", std::to_string(config.thin)},
      {"sampler", to_string(config.method)},
      {"denoise", config.denoise ? "true" : "false"},
      {"sigmas", options.sigmas},
      {"backend", to_string(resolve(config.backend))},
      {"langevin_version", version()}};
  if (init_file) settings["init_sha256"] = std::get<std::string>(inputs.at("init_sha256"));
  const nlohmann::json extra = sampler_settings(config);  // items() does not keep it alive
  for (const auto& [name, value] : extra.items()) {
    if (value.is_string()) {
      settings[name] = value.get<std::string>();
    } else if (value.is_number_integer()) {
      settings[name] = std::to_string(value.get<std::int64_t>());
    } else {
      settings[name] = exact_setting(value.get<double>());
    }
  }
  return settings;
}

/// The checkpoint to resume from, after checking that it is one of this run's.
std::shared_ptr<const Checkpoint> load_resume(const std::string& path, const RunSettings& run) {
  CheckpointFile file = read_checkpoint(path);
  check_same_run(path, file.settings, run);
  return std::make_shared<const Checkpoint>(std::move(file.checkpoint));
}

/// --bins N --range LO,HI → the histogram of a summarised run.
HistogramSpec parse_histogram(const SampleOptions& options) {
  HistogramSpec histogram;
  if (options.bins == 0 && options.range.empty()) return histogram;
  const std::size_t comma = options.range.find(',');
  if (options.range.empty() || comma == std::string::npos) {
    throw InvalidInput("--range = \"" + options.range + "\": --bins needs --range LO,HI");
  }
  histogram.bins = options.bins;
  histogram.low = parse_number(options.range.substr(0, comma), "--range low");
  histogram.high = parse_number(options.range.substr(comma + 1), "--range high");
  if (histogram.bins == 0) throw InvalidInput("--bins = 0: --range needs --bins N (at least 1)");
  if (!(std::isfinite(histogram.low) && std::isfinite(histogram.high) &&
        histogram.low < histogram.high)) {
    throw InvalidInput("--range = " + options.range + ": expected LO,HI, finite, with LO < HI");
  }
  return histogram;
}

void write_summary(const SampleOptions& options, const ScoreSource& source,
                   const SamplerConfig& config, const SampleSummary& result, double seconds);

/// --summary: the chains run in chunks and only their running statistics are kept, written as
/// JSON with the run's settings (docs/FORMATS.md).
void run_summary(const SampleOptions& options, const ScoreSource& source,
                 const SamplerConfig& config, const SummaryOptions& summary_options,
                 Progress& progress) {
  const auto start = std::chrono::steady_clock::now();
  const SampleSummary result = ranks().summary(source, config, summary_options);
  const double seconds = seconds_since(start);
  progress.clear();
  // Rank 0 writes the file; the outcome is every rank's.
  ranks().agree([&] {
    if (ranks().lead()) write_summary(options, source, config, result, seconds);
  });
}

/// Rank 0's part of --summary: the file and the printed summary.
void write_summary(const SampleOptions& options, const ScoreSource& source,
                   const SamplerConfig& config, const SampleSummary& result, double seconds) {
  // The levels and backend as the run resolved them: a one-chain sampler tells without running.
  SamplerConfig probe = config;
  probe.chains = 1;
  probe.init_states = Array();
  const Sampler resolved(std::shared_ptr<const ScoreTarget>(detail::make_target(source,
                                                                              config.score_form)),
                         probe);
  const std::size_t levels = resolved.noise_levels().size();
  nlohmann::json file = nlohmann::json::parse(to_json(result));
  file["format"] = "langevin-summary-1";
  file["run"] = {{"source", options.source.gmm_path.empty() ? options.source.model_path
                                                            : options.source.gmm_path},
                 {"chains", config.chains},
                 {"steps", resolved.config().steps},
                 {"epsilon", resolved.config().epsilon},
                 {"seed", config.seed},
                 {"first_chain", config.first_chain},
                 {"keep", options.keep},
                 {"burn_in", config.burn_in},
                 {"thin", config.thin},
                 {"sampler", to_string(config.method)},
                 {"noise_levels", resolved.noise_levels()},
                 {"denoise", config.denoise},
                 {"init", init_text(options, resolved.config())},
                 {"backend", to_string(resolved.backend())},
                 {"devices", resolved.devices()},
                 {"score_form", resolved.score_form()},
                 {"version", version()}};
  file["run"].update(sampler_settings(config));
  const std::string text_out = file.dump(1) + "\n";
  detail::write_file_atomically(options.summary, [&](std::FILE* stream) {
    std::fwrite(text_out.data(), 1, text_out.size(), stream);
  });

  const double updates = static_cast<double>(total_updates(config, static_cast<int>(levels)));
  const double chain_steps = static_cast<double>(config.chains) * updates;
  const std::vector<double> variance = result.variance();
  nlohmann::json summary = {{"command", "sample"},
                            {"chains", config.chains},
                            {"steps", config.steps},
                            {"noise_levels", resolved.noise_levels()},
                            {"dim", result.dim},
                            {"sampler", to_string(config.method)},
                            {"backend", to_string(resolved.backend())},
                            {"devices", resolved.devices()},
                            {"score_form", resolved.score_form()},
                            {"seconds", seconds},
                            {"chain_steps_per_second", chain_steps / seconds},
                            {"summary", options.summary},
                            {"rows", result.count},
                            {"mean", result.mean}};
  add_ranks(summary);
  std::ostringstream text;
  text << "summarised "
       << run_extent(config.chains, resolved.config().steps, levels, config.method);
  text << " (d = " << result.dim << ", " << to_string(config.method) << ") on "
       << where(resolved.backend(), resolved.devices()) << " in " << engineering(seconds) << " s, "
       << engineering(chain_steps / seconds) << " chain-steps/s: " << result.count
       << " rows, coordinate 0 mean " << engineering(result.mean[0]) << ", std "
       << engineering(std::sqrt(variance[0])) << " -> " << options.summary << "\n";
  print_summary(options.common, summary, text.str());
}

/// What a run needs before it starts, read and checked on every rank (a failure on any is one
/// error on all, before any collective step).
struct SampleInputs {
  ScoreSource source;
  int dim = 0;
  SamplerConfig config;
  Hdf5Attributes inputs;  // the input files' hashes (HDF5 output and checkpoints only)
  RunSettings settings;   // checkpoints only
  SummaryOptions summary;  // --summary only
};

SampleInputs prepare(const SampleOptions& options) {
  const bool summarised = !options.summary.empty();
  if (summarised) {
    check_output_path(options.summary, {".json"}, "--summary");
  } else {
    if (options.out.empty()) {
      throw InvalidInput("--out: required (or --summary S.json to keep running statistics only)");
    }
    check_array_output_path(options.out, "--out");
  }
  const bool checkpoints = !options.checkpoint.empty() || !options.resume.empty();
  check_checkpoint_options(options.checkpoint, options.checkpoint_every);
  SampleInputs prepared{load_score_source(options.source)};
  const int dim = prepared.dim = source_dim(prepared.source);

  SamplerConfig& config = prepared.config;
  config.chains = options.chains;
  // The library reads 0 as "the default"; on the command line a 0 is a mistake.
  if (options.steps_option->count() > 0 && options.steps < 1) {
    throw InvalidInput("--steps = " + std::to_string(options.steps) + ": must be at least 1");
  }
  if (options.epsilon_option->count() > 0 && !(std::isfinite(options.epsilon) && options.epsilon > 0)) {
    throw InvalidInput("--epsilon = " + detail::number_text(options.epsilon) +
                       ": must be positive and finite");
  }
  config.steps = options.steps;
  config.epsilon = options.epsilon;
  config.seed = options.common.seed;
  config.first_chain = options.first_chain;
  config.burn_in = options.burn_in;
  config.thin = options.thin;
  config.backend = parse_backend(options.common.backend, "--backend");
  config.device = options.devices.device;
  if (!options.devices.devices.empty()) config.devices = parse_devices(options.devices.devices);
  config.score_form = parse_score_form(options.score_form, "--score-form");
  if (options.keep == "final") {
    config.keep = Keep::Final;
  } else if (options.keep == "trajectory") {
    config.keep = Keep::Trajectory;
  } else {
    throw InvalidInput("--keep = \"" + options.keep + "\": expected final or trajectory");
  }
  for (const CLI::Option* option : {options.burn_in_option, options.thin_option}) {
    if (option->count() > 0 && config.keep == Keep::Final) {
      throw InvalidInput(option->get_name() + ": only with --keep trajectory (a run keeping "
                         "final states keeps one step)");
    }
  }
  if (!options.init.empty()) apply_init(options.init, dim, config);
  config.method = parse_method(options.sampler, "--sampler");
  only_with(Method::Pc, config.method,
            {options.corrector_steps_option, options.snr_option, options.corrector_step_option});
  only_with(Method::Ode, config.method, {options.rtol_option, options.atol_option});
  only_with(Method::Underdamped, config.method, {options.friction_option});
  if (config.method == Method::Ode && options.steps_option->count() > 0) {
    throw InvalidInput("--steps: not with --sampler ode (its integrator chooses its own steps "
                       "within --rtol and --atol)");
  }
  config.friction = options.friction;
  config.corrector_steps = options.corrector_steps;
  config.snr = options.snr;
  config.corrector_step = parse_corrector_step(options.corrector_step, "--corrector-step");
  config.rtol = options.rtol;
  config.atol = options.atol;
  config.denoise = options.denoise;
  // The library refuses levels for a model that is not noise-conditional, naming the field.
  if (!options.sigmas.empty()) config.sigmas = parse_noise_levels(options.sigmas, "--sigmas");
  // The defaults made concrete here, so that the settings a checkpoint records and the
  // summaries name the step size and steps the run takes. (A plain model given --sigmas is
  // refused by the library, naming the field.)
  std::vector<double> levels = config.sigmas;
  if (levels.empty() && std::holds_alternative<Mlp>(prepared.source)) {
    levels = std::get<Mlp>(prepared.source).noise_levels();
  }
  config = with_defaults(std::move(config), levels);
  if (options.diagnose) {
    if (config.keep != Keep::Trajectory) {
      throw InvalidInput("--diagnose needs --keep trajectory (the chains' draws to diagnose)");
    }
    const std::int64_t kept = kept_steps(config, static_cast<int>(levels.size()));
    if (config.chains < 2 || kept < 4) {
      throw InvalidInput("--diagnose: " + std::to_string(config.chains) + " chains of " +
                         std::to_string(kept) + " kept steps; R-hat needs at least 2 chains "
                         "of 4 draws");
    }
  }
  if (summarised) {
    prepared.summary.histogram = parse_histogram(options);
    prepared.summary.chunk_chains = options.chunk_chains;
    return prepared;
  }

  prepared.inputs =
      is_hdf5_path(options.out) || checkpoints ? describe_inputs(options) : Hdf5Attributes{};
  if (checkpoints) prepared.settings = run_settings(options, config, dim, prepared.inputs);
  if (!options.resume.empty()) config.resume = load_resume(options.resume, prepared.settings);
  return prepared;
}

void run_sample(const SampleOptions& options) {
  std::optional<SampleInputs> agreed;
  ranks().agree([&] { agreed.emplace(prepare(options)); });
  SampleInputs& prepared = *agreed;
  const ScoreSource& source = prepared.source;
  const int dim = prepared.dim;
  SamplerConfig& config = prepared.config;

  // On a terminal the chains run in slices of ~1 % to show progress (bit-identical results);
  // elsewhere in one piece. Over MPI ranks, rank 0 shows its own block's.
  Progress progress("sampling", "chains", config.chains, options.common.quiet || !ranks().lead());
  if (progress.shown()) {
    config.on_progress = [&](std::int64_t done, std::int64_t total) {
      progress.update(done * config.chains / std::max<std::int64_t>(1, total));
    };
  }
  if (!options.summary.empty()) {
    run_summary(options, source, config, prepared.summary, progress);
    return;
  }
  if (!options.checkpoint.empty()) {
    config.checkpoint_every = options.checkpoint_every;
    config.on_checkpoint = [&](const Checkpoint& checkpoint) {
      write_checkpoint(options.checkpoint, checkpoint, prepared.settings);
    };
  }
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<ChainRun> sampler;
  try {
    sampler = ranks().make_run(
        std::shared_ptr<const ScoreTarget>(detail::make_target(source, config.score_form)),
        config);
  } catch (const InvalidInput& error) {
    // The library names the checkpoint's field; the user needs the file too.
    const std::string message = error.what();
    if (config.resume && message.rfind("checkpoint ", 0) == 0) {
      throw InvalidInput("--resume = " + options.resume + ": " + message);
    }
    throw;
  }
  const Array rows = sampler->run();
  const double seconds = seconds_since(start);
  progress.clear();
  const std::vector<std::int64_t> shape = sampler->output_shape();
  ranks().write_rows(options.out, "samples", rows, shape, sampler->first_row(),
                     [&](const std::vector<std::int64_t>& whole) {
                       return describe_run(options, sampler->config(), *sampler, whole,
                                           prepared.inputs);
                     });
  if (!ranks().lead()) return;

  const std::size_t levels = sampler->noise_levels().size();
  const SamplerConfig& ran = sampler->config();  // the defaults made concrete
  const double updates = static_cast<double>(total_updates(ran, static_cast<int>(levels)));
  // The updates this process ran: a resumed run did those after its checkpoint only.
  const double updates_run =
      updates - (config.resume ? static_cast<double>(config.resume->update) : 0.0);
  const double chain_steps = static_cast<double>(config.chains) * updates_run;
  nlohmann::json summary = {{"command", "sample"},
                            {"chains", config.chains},
                            {"steps", ran.steps},
                            {"epsilon", ran.epsilon},
                            {"noise_levels", sampler->noise_levels()},
                            {"dim", dim},
                            {"sampler", to_string(config.method)},
                            {"backend", to_string(sampler->backend())},
                            {"devices", sampler->devices()},
                            {"score_form", sampler->score_form()},
                            {"seconds", seconds},
                            {"chain_steps_per_second", chain_steps / seconds},
                            {"out", options.out},
                            {"shape", shape}};
  add_ranks(summary);
  std::ostringstream text;
  text << "sampled " << run_extent(config.chains, ran.steps, levels, config.method);
  text << " (d = " << dim << ", " << to_string(config.method) << ") on "
       << where(sampler->backend(), sampler->devices()) << " in " << engineering(seconds)
       << " s, " << engineering(chain_steps / seconds) << " chain-steps/s";
  if (config.method == Method::Mala) {
    summary["acceptance_rate"] = sampler->acceptance_rate();
    text << ", acceptance rate " << engineering(sampler->acceptance_rate());
  }
  summary.update(sampler_settings(config));
  if (config.resume) {
    summary["resumed_from_update"] = config.resume->update;
    text << ", resumed after update " << config.resume->update;
  }
  text << " -> " << options.out << " " << format_shape(shape) << "\n";
  if (options.diagnose) {
    // The whole file, whichever ranks wrote it: every chain takes part in R-hat.
    const Diagnostics diagnosed = diagnose_file(options.out);
    summary["diagnostics"] = nlohmann::json::parse(to_json(diagnosed));
    text << diagnostics_table(diagnosed);
  }
  print_summary(options.common, summary, text.str());
}

}  // namespace

Command add_sample_command(CLI::App& app) {
  auto options = std::make_shared<SampleOptions>();
  CLI::App* command = app.add_subcommand(
      "sample", "run Langevin chains x <- x + eps s(x) + sqrt(2 eps) z and save their states "
                "(annealed over the noise levels of a noise-conditional model)");
  add_score_source_options(*command, options->source);
  CLI::Option* out = command->add_option(
      "--out", options->out, "output samples (.npy, or .h5 recording the run's settings)");
  command->add_option("--chains", options->chains, "number of chains")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  options->steps_option = command->add_option("--steps", options->steps,
                      "Langevin updates per chain (per noise level when annealed; predictor steps "
                      "per level with --sampler pc; not used by ode); default 2000, or 100 per "
                      "level when annealed, 10 with pc")
      ->check(integer_range<std::int64_t>());
  options->epsilon_option = command->add_option("--epsilon", options->epsilon,
                      "step size eps; default 0.005, or 0.1 sigma_L^2 when annealed (steps "
                      "0.1 sigma_i^2 at level i)");
  command->add_option("--init", options->init,
                      "initial states: normal:MEAN,STD (i.i.d. per coordinate) or file:x0.npy "
                      "(or .h5; shape (chains, d)); default normal:0,1, or normal:0,sigma_1 when "
                      "annealed");
  command->add_option("--keep", options->keep,
                      "final: x_K, shape (chains, d); trajectory: x_k for k = B, B+T, ... < K, "
                      "shape (chains, kept, d)")
      ->capture_default_str();
  options->burn_in_option =
      command->add_option("--burn-in", options->burn_in, "first step a trajectory keeps (B)")
          ->check(integer_range<std::int64_t>())
          ->capture_default_str();
  options->thin_option =
      command->add_option("--thin", options->thin, "keep every T-th step of a trajectory")
          ->check(integer_range<std::int64_t>())
          ->capture_default_str();
  command->add_option("--first-chain", options->first_chain,
                      "global index of the first chain (rows C ... C+N-1 of a larger run)")
      ->check(integer_range<std::int64_t>())
      ->capture_default_str();
  command->add_option("--sampler", options->sampler,
                      "ula; mala: Metropolis-adjusted (needs --gmm; reports the acceptance rate); "
                      "pc: predictor-corrector, reverse-diffusion steps down the noise levels; "
                      "ode: the probability-flow ODE dx/dsigma = -sigma s(x, sigma), adaptive "
                      "Runge-Kutta (both: annealed runs, no --epsilon); underdamped: positions "
                      "and velocities under --friction, BAOAB steps of time --epsilon "
                      "(default 0.1)")
      ->capture_default_str();
  options->friction_option =
      command->add_option("--friction", options->friction,
                          "--sampler underdamped: the friction gamma (per unit time)")
          ->capture_default_str();
  options->corrector_steps_option =
      command->add_option("--corrector-steps", options->corrector_steps,
                          "--sampler pc: Langevin corrector steps before each predictor step "
                          "(0: the predictor alone)")
          ->check(CLI::Range(0, 1000000))
          ->capture_default_str();
  options->snr_option = command->add_option(
      "--snr", options->snr,
      "--sampler pc: the corrector's signal-to-noise ratio r: steps 2 (r |z| / |s|)^2")
      ->capture_default_str();
  options->corrector_step_option = command->add_option(
      "--corrector-step", options->corrector_step,
      "--sampler pc: sigma: the norms of pure noise at level sigma, a step 2 r^2 sigma^2 for "
      "every chain; chain: each chain's own noise z and score s (biased in few dimensions: "
      "docs/SAMPLERS.md)")
      ->capture_default_str();
  options->rtol_option =
      command->add_option("--rtol", options->rtol,
                          "--sampler ode: the integrator's relative tolerance")
          ->capture_default_str();
  options->atol_option =
      command->add_option("--atol", options->atol,
                          "--sampler ode: the integrator's absolute tolerance")
          ->capture_default_str();
  command->add_flag("--diagnose", options->diagnose,
                    "with --keep trajectory: print R-hat, bulk and tail ESS and the mean's MCSE "
                    "per coordinate of the chains written (as langevin diagnose OUT)");
  command->add_flag("--denoise", options->denoise,
                    "annealed runs: end with x <- x + sigma_L^2 s(x, sigma_L) (pc: the last "
                    "predictor step adds no noise)");
  command->add_option("--sigmas", options->sigmas,
                      "MAX,MIN,LEVELS: anneal a --gmm target over its convolutions with "
                      "N(0, sigma^2), or a noise-conditional model over these levels instead of "
                      "its own");
  const CheckpointFlags checkpoints = add_checkpoint_options(
      *command, options->checkpoint, options->checkpoint_every, options->resume,
      "the run's state", "updates (counted across noise levels)", "result");
  CLI::Option* summary =
      command->add_option("--summary", options->summary,
                          "keep running statistics instead of the samples (.json: per-coordinate "
                          "mean, variance, min, max, histogram); the chains run in chunks, so any "
                          "number fits in memory");
  summary->excludes(out)->excludes(checkpoints.checkpoint)->excludes(checkpoints.every)
      ->excludes(checkpoints.resume);
  command->add_option("--bins", options->bins, "--summary: histogram bins per coordinate")
      ->check(CLI::Range(0, 1000000))
      ->needs(summary);
  command->add_option("--range", options->range, "--summary: LO,HI of the histogram's bins")
      ->needs(summary);
  command->add_option("--chunk-chains", options->chunk_chains,
                      "--summary: chains per chunk (0: as many as 1 GiB of GPU or 256 MiB of "
                      "host memory holds)")
      ->check(integer_range<std::int64_t>())
      ->needs(summary);
  command->add_option("--score-form", options->score_form,
                      "auto: a model's fastest form (a 1-D one-hidden-layer ReLU network as a "
                      "sum of hinges); layered: the layered pass always")
      ->capture_default_str();
  add_device_options(*command, options->devices, true);
  add_common_options(*command, options->common);
  return {command, [options] { run_sample(*options); }};
}

}  // namespace langevin::cli
