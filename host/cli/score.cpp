// langevin score: evaluate a score model or a mixture's score at given points.

#include "array_output.hpp"
#include "commands.hpp"
#include "common.hpp"
#include "ranks.hpp"

#include <langevin/device_buffer.hpp>

#include <cmath>
#include <iostream>
#include <memory>
#include <optional>

namespace langevin::cli {
namespace {

struct ScoreOptions {
  CommonOptions common;
  ScoreSourceOptions source;
  std::string in;
  std::string out;
  double sigma = 0.0;
  bool sigma_given = false;
  std::string score_form = "auto";
};

/// The score of every point of `points`: one point's score depends on that point alone, so any
/// split of the rows (over MPI ranks) gives the same bits.
Array scores_of(const ScoreOptions& options, const ScoreSource& source, const Array& points,
                Backend backend, ScoreForm form) {
  Array scores;
  if (const auto* gmm = std::get_if<GaussianMixture>(&source)) {
    // The score of the mixture convolved with N(0, sigma^2 I): the perturbed data's score.
    scores = score(options.sigma_given ? gmm->convolved(options.sigma) : *gmm, points, backend);
  } else {
    const Mlp& model = std::get<Mlp>(source);
    if (options.sigma_given != model.noise_conditional()) {
      throw InvalidInput(options.sigma_given
                             ? "--sigma needs a noise-conditional model; " +
                                   options.source.model_path + " is not one"
                             : options.source.model_path +
                                   " is noise-conditional: give the level with --sigma");
    }
    scores = options.sigma_given ? score(model, points, options.sigma, backend, form)
                                 : score(model, points, backend, form);
  }
  return scores;
}

void run_score(const ScoreOptions& options) {
  // Read and checked on every rank; over MPI ranks each scores its block of the rows.
  std::optional<ScoreSource> source;
  Backend backend = Backend::Auto;
  ScoreForm form = ScoreForm::Auto;
  Array points, rows;
  ranks().agree([&] {
    check_array_output_path(options.out, "--out");
    source.emplace(load_score_source(options.source));
    backend = parse_backend(options.common.backend, "--backend");
    form = parse_score_form(options.score_form, "--score-form");
    points = as_points(read_array(options.in), options.in);
    const Ranks::Block block = ranks().block(points.dim(0));
    const float* first = points.data() + block.first * points.dim(1);
    rows = Array({block.count, points.dim(1)},
                 std::vector<float>(first, first + block.count * points.dim(1)));
  });
  // score() runs on the current GPU: under MPI, each rank's own (where device 0 would put every
  // rank of a node on one GPU).
  const int gpu = ranks().node_gpu();
  Array scores;
  ranks().agree([&] {
    if (gpu >= 0 && rows.dim(0) > 0 && resolve(backend) == Backend::Cuda) {
      detail::set_current_device(gpu);
    }
    // Also with no rows (an empty file, or fewer rows than ranks): the request is checked.
    scores = scores_of(options, *source, rows, backend, form);
  });
  const std::vector<std::int64_t> shape = {points.dim(0), points.dim(1)};
  ranks().write_rows(options.out, "scores", scores, shape, ranks().block(points.dim(0)).first,
                     [&](const std::vector<std::int64_t>& all) {
    Hdf5Attributes attributes = describe_output("score", all);
    describe_score_source(attributes, options.source);
    describe_input_file(attributes, "points", options.in);
    if (options.sigma_given) attributes["sigma"] = options.sigma;
    attributes["backend"] = std::string(to_string(resolve(backend)));
    return attributes;
  });
  if (!ranks().lead()) return;
  nlohmann::json summary = {{"command", "score"}, {"points", points.dim(0)},
                            {"dim", points.dim(1)}, {"backend", to_string(resolve(backend))},
                            {"out", options.out}, {"shape", shape}};
  if (ranks().launched()) summary["ranks"] = ranks().ranks();
  print_summary(options.common, summary,
                "scored " + std::to_string(points.dim(0)) + " points -> " + options.out + " " +
                    format_shape(shape) + "\n");
}

}  // namespace

Command add_score_command(CLI::App& app) {
  auto options = std::make_shared<ScoreOptions>();
  CLI::App* command =
      app.add_subcommand("score",
                         "evaluate the score grad log p at the points of a .npy or .h5 file");
  add_score_source_options(*command, options->source);
  command->add_option("--in", options->in, "points (.npy or .h5, shape (N, d) or (N,))")
      ->required();
  command->add_option("--out", options->out, "scores (.npy or .h5, shape (N, d))")->required();
  command->add_option_function<double>(
      "--sigma",
      [options](double sigma) {
        options->sigma = sigma;
        options->sigma_given = true;
      },
      "noise level: the score of p convolved with N(0, sigma^2 I)");
  command->add_option("--score-form", options->score_form,
                      "auto: a model's fastest form, as the sampler runs it; layered: the "
                      "layered pass always")
      ->capture_default_str();
  add_common_options(*command, options->common);
  return {command, [options] { run_score(*options); }};
}

}  // namespace langevin::cli
