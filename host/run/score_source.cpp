// A mixture or a model read from a file, as the CLI and the C API take them.

#include "run/targets.hpp"

#include <langevin/error.hpp>

#include <filesystem>

namespace langevin::detail {

ScoreSource load_score_source(const std::string& path, const std::string& field) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".json") return load_gmm(path);
  if (extension == ".safetensors") return load_mlp(path);
  throw InvalidInput(field + " = " + path +
                     ": expected a score model (.safetensors) or a mixture (.json)");
}

int source_dim(const ScoreSource& source) {
  if (const auto* mlp = std::get_if<Mlp>(&source)) return mlp->data_dim();
  return std::get<GaussianMixture>(source).dim();
}

std::unique_ptr<ScoreTarget> make_target(const ScoreSource& source, ScoreForm form) {
  if (const auto* mlp = std::get_if<Mlp>(&source)) return make_target(*mlp, form);
  return make_target(std::get<GaussianMixture>(source));
}

}  // namespace langevin::detail
