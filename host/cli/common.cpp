#include "common.hpp"

#include "io/atomic_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace langevin::cli {

void add_common_options(CLI::App& command, CommonOptions& options, bool json_summary) {
  command.add_option("--backend", options.backend, "auto (the GPU when present), cpu or cuda")
      ->capture_default_str();
  command.add_option("--seed", options.seed, "seed of the Philox streams")
      ->check(integer_range<std::uint64_t>())
      ->capture_default_str();
  command.add_flag("--quiet", options.quiet, "print nothing but errors");
  if (json_summary) {
    command.add_flag("--json", options.json,
                     "print the summary as one JSON object on stdout instead of text");
  }
}

void add_device_options(CLI::App& command, DeviceOptions& options, bool several) {
  CLI::Option* device =
      command.add_option("--device", options.device,
                         "the CUDA device to run on (its index in `langevin info`; default: "
                         "device 0)")
          ->check(CLI::Range(0, 1 << 20));
  if (!several) return;
  command
      .add_option("--devices", options.devices,
                  "run on several CUDA devices, the chains split over them in contiguous "
                  "blocks (the same results as on one): all, or a list 0,1,...")
      ->excludes(device);
}

std::vector<int> parse_devices(const std::string& text) {
  if (text == "all") return all_devices();
  std::vector<int> devices;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    std::size_t used = 0;
    int value = -1;
    try {
      value = std::stoi(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (item.empty() || used != item.size() || value < 0) {
      throw InvalidInput("--devices = \"" + text + "\": expected all, or device indices 0,1,...");
    }
    devices.push_back(value);
    start = comma + 1;
  }
  return devices;
}

void print_summary(const CommonOptions& options, const nlohmann::json& summary,
                   const std::string& text) {
  if (options.json) {
    nlohmann::json line = summary;
    // What the CPU's blocks of chains ran in (LANGEVIN_CPU_SIMD, docs/TUNING.md).
    if (line.contains("backend") && line["backend"] == "cpu") line["simd"] = cpu_simd().selected;
    std::cout << line.dump() << "\n";
  } else if (!options.quiet) {
    std::cout << text;
  }
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

namespace {

// ".npy, .h5 or .hdf5"
std::string alternatives(const std::vector<std::string>& choices) {
  std::string text;
  for (std::size_t i = 0; i < choices.size(); ++i) {
    if (i > 0) text += i + 1 == choices.size() ? " or " : ", ";
    text += choices[i];
  }
  return text;
}

}  // namespace

void check_output_path(const std::string& path, const std::vector<std::string>& extensions,
                       const std::string& option) {
  namespace fs = std::filesystem;
  const fs::path target(path);
  if (std::find(extensions.begin(), extensions.end(), target.extension().string()) ==
      extensions.end()) {
    throw InvalidInput(option + " = " + path + ": expected a " + alternatives(extensions) +
                       " file");
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
  // Whether a file can be made there (permissions, a read-only or pseudo file system) is known
  // only by making one: the output itself is written after the run, too late to say so.
  const std::string probe = detail::temporary_name_for(path);
  std::FILE* file = std::fopen(probe.c_str(), "wb");
  if (file == nullptr) {
    throw InvalidInput(option + " = " + path + ": cannot create a file in " +
                       directory.string() + ": " + std::strerror(errno));
  }
  std::fclose(file);
  std::remove(probe.c_str());
}

void check_distinct_outputs(const std::vector<std::pair<std::string, std::string>>& outputs) {
  namespace fs = std::filesystem;
  // ./a.npy, a.npy and a link to it are one file.
  auto file = [](const std::string& path) {
    std::error_code error;
    const fs::path resolved = fs::weakly_canonical(path, error);
    return error ? fs::path(path).lexically_normal() : resolved;
  };
  for (std::size_t i = 0; i < outputs.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (outputs[i].second.empty() || outputs[j].second.empty()) continue;
      if (file(outputs[i].second) == file(outputs[j].second)) {
        throw InvalidInput(outputs[i].first + " = " + outputs[i].second + ": the file " +
                           outputs[j].first + " names; give each output a file of its own");
      }
    }
  }
}

double parse_number(const std::string& text, const std::string& field) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size()) {
    throw InvalidInput(field + " = \"" + text + "\": not a number");
  }
  return value;
}

std::vector<double> parse_noise_levels(const std::string& text, const std::string& option) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    parts.push_back(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (parts.size() != 3) {
    throw InvalidInput(option + " = \"" + text + "\": expected MAX,MIN,LEVELS");
  }
  const double max = parse_number(parts[0], option + " MAX");
  const double min = parse_number(parts[1], option + " MIN");
  const double levels = parse_number(parts[2], option + " LEVELS");
  if (levels != std::floor(levels) || levels < 1 || levels > 1e6) {
    throw InvalidInput(option + " LEVELS = " + parts[2] + ": must be a positive whole number");
  }
  return geometric_noise_levels(max, min, static_cast<int>(levels));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

CheckpointFlags add_checkpoint_options(CLI::App& command, std::string& checkpoint,
                                       std::int64_t& every, std::string& resume,
                                       const std::string& state, const std::string& steps,
                                       const std::string& result) {
  CheckpointFlags flags{};
  flags.checkpoint = command.add_option(
      "--checkpoint", checkpoint,
      "write " + state + " to this file (.ckpt) every --checkpoint-every " + steps +
          ", atomically: a killed run resumes from it with --resume");
  flags.every = command.add_option("--checkpoint-every", every, steps + " between checkpoints")
                    ->check(integer_range<std::int64_t>());
  flags.checkpoint->needs(flags.every);
  flags.every->needs(flags.checkpoint);
  flags.resume = command.add_option("--resume", resume,
                                    "continue the run that wrote this checkpoint (give the same "
                                    "options); the " + result +
                                        " is bit-identical to the uninterrupted run's");
  return flags;
}

void check_checkpoint_options(const std::string& checkpoint, std::int64_t every) {
  if (checkpoint.empty()) return;
  check_output_path(checkpoint, {".ckpt", ".safetensors"}, "--checkpoint");
  if (every < 1) {
    throw InvalidInput("--checkpoint-every = " + std::to_string(every) + ": must be at least 1");
  }
}

void check_same_run(const std::string& path, const RunSettings& theirs, const RunSettings& ours) {
  if (theirs.empty() && !ours.empty()) {
    throw InvalidInput("--resume = " + path + ": the checkpoint records no run settings (one "
                       "the library or Python wrote without them), so it cannot be checked to be "
                       "this run's; resume it where it was written");
  }
  std::vector<std::string> names;
  for (const auto& entry : ours) names.push_back(entry.first);
  for (const auto& entry : theirs) {
    if (ours.count(entry.first) == 0) names.push_back(entry.first);
  }
  for (const std::string& name : names) {
    const auto checkpoint = theirs.find(name);
    const auto run = ours.find(name);
    const std::string checkpoint_value = checkpoint == theirs.end() ? "(none)" : checkpoint->second;
    const std::string run_value = run == ours.end() ? "(none)" : run->second;
    if (checkpoint_value != run_value) {
      throw InvalidInput("--resume = " + path + ": the checkpoint's run has " + name + " = " +
                         checkpoint_value + ", this one " + run_value +
                         "; resume with the options of the run that wrote it");
    }
  }
}

std::string exact_setting(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

std::string engineering(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", value);
  return text;
}

}  // namespace langevin::cli
