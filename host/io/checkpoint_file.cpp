// Checkpoint files: safetensors with the tensors "states" (chains, d), for trajectories
// "trajectory" and for underdamped Langevin "velocities" (chains, d); the metadata holds a format marker, the update and accepted counts as decimals
// (exact, unlike a float tensor) and the run's settings as "run.<name>" entries.
// Training checkpoints: the same container with their own format marker, a 1-D tensor per
// parameter vector kept (absent: empty), counts as decimals and doubles as C99 hexadecimal
// floating point (%a: exact), settings as "run.<name>".

#include <langevin/checkpoint_file.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>

namespace langevin {
namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "langevin-checkpoint-1";
constexpr const char* kUpdateKey = "update";
constexpr const char* kAcceptedKey = "accepted";
constexpr const char* kSettingPrefix = "run.";
constexpr const char* kTrainFormat = "langevin-train-checkpoint-1";

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InvalidInput(path + ": not a langevin checkpoint: " + problem);
}

/// A plain decimal (digits only, no sign, no leading zeros past the first digit) up to `most`.
std::uint64_t parse_count(const std::string& path, const std::string& key,
                          const std::string& text, std::uint64_t most) {
  const bool well_formed = !text.empty() && text.size() <= 20 &&
                           text.find_first_not_of("0123456789") == std::string::npos &&
                           (text.size() == 1 || text[0] != '0');
  if (!well_formed) fail(path, key + " = \"" + text + "\" is not a non-negative decimal integer");
  std::uint64_t value = 0;
  for (char digit : text) {
    const auto d = static_cast<std::uint64_t>(digit - '0');
    if (value > (most - d) / 10) fail(path, key + " = " + text + " is out of range");
    value = value * 10 + d;
  }
  return value;
}

/// A metadata entry that must be there.
const std::string& entry(const std::string& path, const TensorFile& file, const std::string& key) {
  const auto found = file.metadata.find(key);
  if (found == file.metadata.end()) fail(path, "no \"" + key + "\" in its metadata");
  return found->second;
}

void check_format(const std::string& path, const TensorFile& file, const char* expected) {
  const std::string& format = entry(path, file, kFormatKey);
  if (format == expected) return;
  // The other kind of this library's checkpoints: say which, not that it is none.
  const bool sampling = format == kFormat;
  if (sampling || format == kTrainFormat) {
    throw InvalidInput(path + ": a " + (sampling ? "sampling" : "training") +
                       " checkpoint (format \"" + format + "\"); this run resumes from a " +
                       (sampling ? "training" : "sampling") + " one (\"" + expected + "\")");
  }
  fail(path, "format \"" + format + "\", expected \"" + expected + "\"");
}

std::string exact_text(double value) {
  char text[48];
  std::snprintf(text, sizeof text, "%a", value);
  return text;
}

/// A double as exact_text writes it (or any strtod form), whole, not NaN.
double parse_exact(const std::string& path, const std::string& key, const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || std::isnan(value)) {
    fail(path, key + " = \"" + text + "\" is not a number");
  }
  return value;
}

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                      const RunSettings& settings) {
  TensorFile file;
  file.tensors.emplace("states", checkpoint.states);
  if (checkpoint.trajectory.size() > 0) file.tensors.emplace("trajectory", checkpoint.trajectory);
  if (checkpoint.velocities.size() > 0) file.tensors.emplace("velocities", checkpoint.velocities);
  file.metadata[kFormatKey] = kFormat;
  file.metadata[kUpdateKey] = std::to_string(checkpoint.update);
  file.metadata[kAcceptedKey] = std::to_string(checkpoint.accepted);
  for (const auto& [name, value] : settings) file.metadata[kSettingPrefix + name] = value;
  write_safetensors(path, file);
}

CheckpointFile read_checkpoint(const std::string& path) {
  TensorFile file = read_safetensors(path);
  check_format(path, file, kFormat);
  CheckpointFile result;
  for (const auto& [key, value] : file.metadata) {
    if (key == kFormatKey) continue;
    if (key == kUpdateKey) {
      result.checkpoint.update = static_cast<std::int64_t>(
          parse_count(path, key, value, std::numeric_limits<std::int64_t>::max()));
    } else if (key == kAcceptedKey) {
      result.checkpoint.accepted =
          parse_count(path, key, value, std::numeric_limits<std::uint64_t>::max());
    } else if (key.rfind(kSettingPrefix, 0) == 0) {
      result.settings[key.substr(std::string(kSettingPrefix).size())] = value;
    } else {
      fail(path, "unknown metadata entry \"" + key + "\"");
    }
  }
  if (file.metadata.count(kUpdateKey) == 0) fail(path, "no \"update\" in its metadata");
  if (file.metadata.count(kAcceptedKey) == 0) fail(path, "no \"accepted\" in its metadata");
  const bool has_states = file.tensors.count("states") != 0;
  for (auto& [name, tensor] : file.tensors) {
    if (name == "states") {
      result.checkpoint.states = std::move(tensor);
    } else if (name == "trajectory") {
      result.checkpoint.trajectory = std::move(tensor);
    } else if (name == "velocities") {
      result.checkpoint.velocities = std::move(tensor);
    } else {
      fail(path, "unknown tensor \"" + name + "\"");
    }
  }
  if (!has_states) fail(path, "no \"states\" tensor");
  if (result.checkpoint.states.rank() != 2) {
    fail(path, "\"states\" must be a (chains, d) tensor, not " +
                   result.checkpoint.states.shape_string());
  }
  return result;
}

namespace {

/// The training checkpoint's parameter vectors by tensor name.
template <class Checkpoint, class F>
void for_each_vector(Checkpoint& c, F&& f) {
  f("parameters", c.parameters);
  f("extrapolated", c.extrapolated);
  f("moment1", c.moment1);
  f("moment2", c.moment2);
  f("average", c.average);
  f("best", c.best);
}

constexpr const char* kCounts[] = {"iteration", "evaluations", "best_iteration", "stale"};
constexpr const char* kDoubles[] = {"step", "momentum", "best_loss"};

}  // namespace

void write_train_checkpoint(const std::string& path, const TrainCheckpoint& checkpoint,
                            const RunSettings& settings) {
  TensorFile file;
  for_each_vector(checkpoint, [&](const char* name, const std::vector<float>& values) {
    if (!values.empty()) {
      file.tensors.emplace(name, Array({static_cast<std::int64_t>(values.size())}, values));
    }
  });
  file.metadata[kFormatKey] = kTrainFormat;
  const std::int64_t counts[] = {checkpoint.iteration, checkpoint.evaluations,
                                 checkpoint.best_iteration, checkpoint.stale};
  for (int i = 0; i < 4; ++i) file.metadata[kCounts[i]] = std::to_string(counts[i]);
  const double doubles[] = {checkpoint.step, checkpoint.momentum, checkpoint.best_loss};
  for (int i = 0; i < 3; ++i) file.metadata[kDoubles[i]] = exact_text(doubles[i]);
  for (const auto& [name, value] : settings) file.metadata[kSettingPrefix + name] = value;
  write_safetensors(path, file);
}

TrainCheckpointFile read_train_checkpoint(const std::string& path) {
  TensorFile file = read_safetensors(path);
  check_format(path, file, kTrainFormat);
  TrainCheckpointFile result;
  TrainCheckpoint& c = result.checkpoint;
  std::int64_t* counts[] = {&c.iteration, &c.evaluations, &c.best_iteration, &c.stale};
  for (int i = 0; i < 4; ++i) {
    *counts[i] = static_cast<std::int64_t>(parse_count(
        path, kCounts[i], entry(path, file, kCounts[i]), std::numeric_limits<std::int64_t>::max()));
  }
  double* doubles[] = {&c.step, &c.momentum, &c.best_loss};
  for (int i = 0; i < 3; ++i) *doubles[i] = parse_exact(path, kDoubles[i], entry(path, file, kDoubles[i]));
  for (const auto& [key, value] : file.metadata) {
    const bool known = key == kFormatKey || std::find(std::begin(kCounts), std::end(kCounts), key) != std::end(kCounts) ||
                       std::find(std::begin(kDoubles), std::end(kDoubles), key) != std::end(kDoubles);
    if (key.rfind(kSettingPrefix, 0) == 0) {
      result.settings[key.substr(std::string(kSettingPrefix).size())] = value;
    } else if (!known) {
      fail(path, "unknown metadata entry \"" + key + "\"");
    }
  }
  std::size_t taken = 0;
  for_each_vector(c, [&](const char* name, std::vector<float>& values) {
    const auto found = file.tensors.find(name);
    if (found == file.tensors.end()) return;
    if (found->second.rank() != 1) {
      fail(path, "\"" + std::string(name) + "\" must be a 1-D tensor, not " +
                     found->second.shape_string());
    }
    values = found->second.values();
    ++taken;
  });
  if (taken != file.tensors.size()) {
    for (const auto& entry : file.tensors) {
      const std::string& name = entry.first;
      bool known = false;
      for_each_vector(c, [&](const char* vector, const std::vector<float>&) { known |= name == vector; });
      if (!known) fail(path, "unknown tensor \"" + name + "\"");
    }
  }
  if (c.parameters.empty()) fail(path, "no \"parameters\" tensor");
  return result;
}

}  // namespace langevin
