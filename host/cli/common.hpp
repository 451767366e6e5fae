#pragma once
// What the CLI's commands share: the options every computing command takes, how a score source
// (--model or --gmm) is read, output path checks, and timing.

#include <langevin/langevin.hpp>

#include "run/targets.hpp"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <limits>
#include <type_traits>
#include <optional>
#include <string>
#include <utility>
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

/// --device N, and where a command splits its chains over several GPUs, --devices all|LIST.
struct DeviceOptions {
  int device = -1;
  std::string devices;
};
void add_device_options(CLI::App& command, DeviceOptions& options, bool several);
/// --devices' ordinals: "all" is every visible GPU (none without one: the run then takes the
/// CPU, as --backend auto does), else a comma-separated list.
std::vector<int> parse_devices(const std::string& text);

/// Refuses integer option values outside the range of T (CLI11 2.1 would clamp
/// 99999999999999999999 to the type's limit and go on with it), and fractions.
template <class T>
CLI::Validator integer_range() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::size_t used = 0;
        bool fits = !text.empty();
        try {
          if constexpr (std::is_signed_v<T>) {
            const long long value = std::stoll(text, &used);
            fits = fits && value >= static_cast<long long>(std::numeric_limits<T>::min()) &&
                   value <= static_cast<long long>(std::numeric_limits<T>::max());
          } else {
            const unsigned long long value = std::stoull(text, &used);
            fits = fits && text.find('-') == std::string::npos &&
                   value <= static_cast<unsigned long long>(std::numeric_limits<T>::max());
          }
        } catch (const std::exception&) {
          fits = false;
        }
        if (fits && used == text.size()) return "";
        return "\"" + text + "\" is not a whole number from " +
               std::to_string(std::numeric_limits<T>::min()) + " to " +
               std::to_string(std::numeric_limits<T>::max());
      },
      "", "integer range");
}

/// Refuses a number below 0 (where the library reads a negative value as "the default", which
/// an option given on the command line is not).
inline CLI::Validator non_negative_number() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        std::size_t used = 0;
        try {
          const double value = std::stod(text, &used);
          if (used == text.size() && value >= 0.0) return "";
        } catch (const std::exception&) {
        }
        return "\"" + text + "\" is not a non-negative number";
      },
      "", "non-negative number");
}

/// A command's summary: `summary` as one line of JSON on stdout under --json (an explicit request
/// for output, so --quiet does not silence it; a CPU run's also names the instruction set its
/// blocks ran in, "simd"), else `text` unless --quiet.
void print_summary(const CommonOptions& options, const nlohmann::json& summary,
                   const std::string& text);

/// --model M.safetensors | --gmm G.json, exactly one.
struct ScoreSourceOptions {
  std::string model_path;
  std::string gmm_path;
};
void add_score_source_options(CLI::App& command, ScoreSourceOptions& options);
using detail::ScoreSource;
using detail::source_dim;
ScoreSource load_score_source(const ScoreSourceOptions& options);

/// Refuses an output path before any work is done: it must end in one of `extensions`, and its
/// directory must exist and take a new file. (The file itself is written atomically at the end.)
void check_output_path(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& option);

/// Refuses two of a command's outputs (option, path; empty paths are not given) naming one file,
/// which the later write would take from the earlier.
void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs);

/// "MAX,MIN,LEVELS" → the geometric noise levels σ_1 = MAX > … > σ_L = MIN.
std::vector<double> parse_noise_levels(const std::string& text, const std::string& option);

/// A number from text, or InvalidInput naming `field`.
double parse_number(const std::string& text, const std::string& field);

/// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

/// --checkpoint F --checkpoint-every N (each needing the other) and --resume F, for a command
/// whose checkpoints hold `state`, taken every N `steps`; `result` is what a resumed run gives.
struct CheckpointFlags {
  CLI::Option* checkpoint;
  CLI::Option* every;
  CLI::Option* resume;
};
CheckpointFlags add_checkpoint_options(CLI::App& command, std::string& checkpoint,
                                       std::int64_t& every, std::string& resume,
                                       const std::string& state, const std::string& steps,
                                       const std::string& result);

/// Refuses a --checkpoint path that cannot be written (extension, directory) and an interval
/// below 1, before any work.
void check_checkpoint_options(const std::string& checkpoint, std::int64_t every);

/// Refuses to resume from the checkpoint `path` unless the run that wrote it had this run's
/// settings (`ours`), naming the first that differs: --resume = PATH: the checkpoint's run has
/// NAME = THEIRS, this one OURS.
void check_same_run(const std::string& path, const RunSettings& theirs, const RunSettings& ours);

/// A double as checkpoints' settings record it: %.17g, which reads back to the same double.
std::string exact_setting(double value);

/// Diagnostics as `langevin diagnose` prints them: one line per coordinate under a header.
std::string diagnostics_table(const Diagnostics& diagnostics);

/// "1.23e+07"-style numbers for summaries.
std::string engineering(double value);

}  // namespace langevin::cli
