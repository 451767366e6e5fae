#pragma once
// What the CLI's commands share: the options every computing command takes, how a score source
// (--model or --gmm) is read, output path checks, and timing.

#include <langevin/langevin.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace langevin::cli {

/// --backend, --seed, --quiet, and --json where the command has a summary to print.
struct CommonOptions {
  std::string backend = "auto";
  std::uint64_t seed = 0;
  bool quiet = false;
  bool json = false;
};
void add_common_options(CLI::App& command, CommonOptions& options, bool json_summary = true);

/// A command's summary: `summary` as one line of JSON on stdout under --json (an explicit request
/// for output, so --quiet does not silence it), else `text` unless --quiet.
void print_summary(const CommonOptions& options, const nlohmann::json& summary,
                   const std::string& text);

/// --model M.safetensors | --gmm G.json, exactly one.
struct ScoreSourceOptions {
  std::string model_path;
  std::string gmm_path;
};
void add_score_source_options(CLI::App& command, ScoreSourceOptions& options);
using ScoreSource = std::variant<GaussianMixture, Mlp>;
ScoreSource load_score_source(const ScoreSourceOptions& options);
int source_dim(const ScoreSource& source);

/// Refuses an output path before any work is done: it must end in one of `extensions` and its
/// directory must exist. (The file itself is written atomically at the end.)
void check_output_path(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& option);

/// "MAX,MIN,LEVELS" → the geometric noise levels σ_1 = MAX > … > σ_L = MIN.
std::vector<double> parse_noise_levels(const std::string& text, const std::string& option);

/// A number from text, or InvalidInput naming `field`.
double parse_number(const std::string& text, const std::string& field);

/// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

/// "1.23e+07"-style numbers for summaries.
std::string engineering(double value);

}  // namespace langevin::cli
