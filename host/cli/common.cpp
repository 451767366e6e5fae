#include "common.hpp"

#include <cstdio>
#include <filesystem>

namespace langevin::cli {

void add_common_options(CLI::App& command, CommonOptions& options) {
  command.add_option("--backend", options.backend, "auto (the GPU when present), cpu or cuda")
      ->capture_default_str();
  command.add_option("--seed", options.seed, "seed of the Philox streams")->capture_default_str();
  command.add_flag("--quiet", options.quiet, "print nothing but errors");
}

void add_score_source_options(CLI::App& command, ScoreSourceOptions& options) {
  auto* model = command.add_option("--model", options.model_path,
                                   "MLP score model (.safetensors)");
  auto* gmm = command.add_option("--gmm", options.gmm_path, "Gaussian mixture target (.json)");
  model->excludes(gmm);
  gmm->excludes(model);
}

ScoreSource load_score_source(const ScoreSourceOptions& options) {
  if (!options.model_path.empty()) return load_mlp(options.model_path);
  if (!options.gmm_path.empty()) return load_gmm(options.gmm_path);
  throw InvalidInput("give the score: --model M.safetensors or --gmm G.json");
}

int source_dim(const ScoreSource& source) {
  if (const auto* gmm = std::get_if<GaussianMixture>(&source)) return gmm->dim();
  return std::get<Mlp>(source).input_dim();
}

void check_output_path(const std::string& path, const std::string& extension,
                       const std::string& option) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (target.extension() != extension) {
    throw InvalidInput(option + " = " + path + ": expected a " + extension + " file");
  }
  const fs::path directory = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code error;
  if (!fs::is_directory(directory, error)) {
    throw InvalidInput(option + " = " + path + ": directory " + directory.string() +
                       " does not exist");
  }
  if (fs::is_directory(target, error)) {
    throw InvalidInput(option + " = " + path + ": is a directory");
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string engineering(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace langevin::cli
