// Checkpoint files: safetensors with the tensors "states" (chains, d) and, for trajectories,
// "trajectory"; the metadata holds a format marker, the update and accepted counts as decimals
// (exact, unlike a float tensor) and the run's settings as "run.<name>" entries.

#include <langevin/checkpoint_file.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>

#include <cstdint>
#include <limits>

namespace langevin {
namespace {

constexpr const char* kFormatKey = "format";
constexpr const char* kFormat = "langevin-checkpoint-1";
constexpr const char* kUpdateKey = "update";
constexpr const char* kAcceptedKey = "accepted";
constexpr const char* kSettingPrefix = "run.";

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

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& checkpoint,
                      const RunSettings& settings) {
  TensorFile file;
  file.tensors.emplace("states", checkpoint.states);
  if (checkpoint.trajectory.size() > 0) file.tensors.emplace("trajectory", checkpoint.trajectory);
  file.metadata[kFormatKey] = kFormat;
  file.metadata[kUpdateKey] = std::to_string(checkpoint.update);
  file.metadata[kAcceptedKey] = std::to_string(checkpoint.accepted);
  for (const auto& [name, value] : settings) file.metadata[kSettingPrefix + name] = value;
  write_safetensors(path, file);
}

CheckpointFile read_checkpoint(const std::string& path) {
  TensorFile file = read_safetensors(path);
  const auto format = file.metadata.find(kFormatKey);
  if (format == file.metadata.end()) fail(path, "no \"format\" in its metadata");
  if (format->second != kFormat) {
    fail(path, "format \"" + format->second + "\", expected \"" + kFormat + "\"");
  }
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

}  // namespace langevin
