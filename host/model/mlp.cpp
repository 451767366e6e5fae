#include <langevin/device/chain.hpp>
#include <langevin/device/mlp.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <langevin/mlp.hpp>
#include <langevin/version.hpp>

#include "validation.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <regex>

namespace langevin {
namespace {

std::string layer_name(std::size_t l) { return "layers." + std::to_string(l); }

/// How a noise-conditional model takes σ, as its metadata names it.
constexpr const char* kNoiseConditioning = "input log(sigma), output divided by sigma";

}  // namespace

Mlp::Mlp(std::vector<DenseLayer> layers, Activation activation)
    : layers_(std::move(layers)), activation_(activation) {
  if (layers_.size() < 2) {
    throw InvalidInput("an MLP score model needs at least one hidden layer (two linear layers), got " +
                       std::to_string(layers_.size()));
  }
  if (layers_.size() > static_cast<std::size_t>(device::kMaxLinearLayers)) {
    throw InvalidInput("an MLP may have at most " + std::to_string(device::kMaxLinearLayers) +
                       " linear layers, got " + std::to_string(layers_.size()));
  }
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DenseLayer& layer = layers_[l];
    const std::string name = layer_name(l);
    if (layer.inputs < 1 || layer.outputs < 1) {
      throw InvalidInput(name + ": shape (" + std::to_string(layer.outputs) + ", " +
                         std::to_string(layer.inputs) + ") must have positive extents");
    }
    if (l > 0 && layer.inputs != layers_[l - 1].outputs) {
      throw InvalidInput(name + ".weight takes " + std::to_string(layer.inputs) + " inputs but " +
                         layer_name(l - 1) + " gives " + std::to_string(layers_[l - 1].outputs));
    }
    if (layer.weight.size() != static_cast<std::size_t>(layer.inputs) * layer.outputs) {
      throw InvalidInput(name + ".weight has " + std::to_string(layer.weight.size()) +
                         " values, expected " + std::to_string(layer.outputs) + " × " +
                         std::to_string(layer.inputs));
    }
    if (layer.bias.size() != static_cast<std::size_t>(layer.outputs)) {
      throw InvalidInput(name + ".bias has " + std::to_string(layer.bias.size()) +
                         " values, expected " + std::to_string(layer.outputs));
    }
    auto not_finite = [](float v) { return !std::isfinite(v); };
    if (std::any_of(layer.weight.begin(), layer.weight.end(), not_finite)) {
      throw InvalidInput(name + ".weight holds a NaN or infinite value");
    }
    if (std::any_of(layer.bias.begin(), layer.bias.end(), not_finite)) {
      throw InvalidInput(name + ".bias holds a NaN or infinite value");
    }
  }
}

Mlp::Mlp(std::vector<DenseLayer> layers, Activation activation, std::vector<double> sigmas)
    : Mlp(std::move(layers), activation) {
  validate_noise_levels(sigmas, "sigmas");
  if (input_dim() != output_dim() + 1) {
    throw InvalidInput("a noise-conditional MLP takes (x, log sigma): d + 1 inputs for d outputs, "
                       "but it has " + std::to_string(input_dim()) + " inputs and " +
                       std::to_string(output_dim()) + " outputs");
  }
  sigmas_ = std::move(sigmas);
}

void validate_noise_levels(const std::vector<double>& sigmas, const std::string& field) {
  if (sigmas.empty()) throw InvalidInput(field + ": give at least one noise level");
  if (sigmas.size() > static_cast<std::size_t>(device::kMaxNoiseLevels)) {
    throw InvalidInput(field + ": " + std::to_string(sigmas.size()) + " levels, at most " +
                       std::to_string(device::kMaxNoiseLevels));
  }
  for (std::size_t i = 0; i < sigmas.size(); ++i) {
    detail::require_noise_level(sigmas[i], field + "[" + std::to_string(i) + "]");
    if (i > 0 && !(sigmas[i] < sigmas[i - 1])) {
      throw InvalidInput(field + ": the levels must decrease (" + std::to_string(sigmas[i - 1]) +
                         " then " + std::to_string(sigmas[i]) + ")");
    }
  }
}

std::vector<double> geometric_noise_levels(double max, double min, int levels) {
  if (levels < 1) throw InvalidInput("sigmas: LEVELS = " + std::to_string(levels) + ": must be at least 1");
  if (!(std::isfinite(min) && min > 0 && std::isfinite(max) && max > min) && levels > 1) {
    throw InvalidInput("sigmas: need MAX > MIN > 0, got MAX = " + std::to_string(max) +
                       ", MIN = " + std::to_string(min));
  }
  std::vector<double> sigmas;
  for (int i = 0; i < levels; ++i) {
    sigmas.push_back(levels == 1 ? max : max * std::pow(min / max, double(i) / (levels - 1)));
  }
  validate_noise_levels(sigmas, "sigmas");
  return sigmas;
}

Mlp Mlp::random(const std::vector<int>& widths, Activation activation, std::uint64_t seed) {
  if (widths.size() < 3) {
    throw InvalidInput("widths: need at least (input, hidden, output), got " +
                       std::to_string(widths.size()) + " values");
  }
  std::vector<DenseLayer> layers;
  for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
    DenseLayer layer;
    layer.inputs = widths[l];
    layer.outputs = widths[l + 1];
    if (layer.inputs < 1 || layer.outputs < 1) {
      throw InvalidInput("widths[" + std::to_string(layer.inputs < 1 ? l : l + 1) +
                         "] must be positive");
    }
    // Glorot (Xavier) normal: variance 2 / (fan_in + fan_out). Philox stream l of `seed`.
    const float weight_std = std::sqrt(2.0f / static_cast<float>(layer.inputs + layer.outputs));
    device::NormalStream normals(seed, l, 1, 0);
    layer.weight.resize(static_cast<std::size_t>(layer.inputs) * layer.outputs);
    for (float& w : layer.weight) {
      float z;
      normals.draw<1>(&z, 1);
      w = weight_std * z;
    }
    layer.bias.resize(static_cast<std::size_t>(layer.outputs));
    for (float& b : layer.bias) {
      float z;
      normals.draw<1>(&z, 1);
      b = 0.01f * z;
    }
    layers.push_back(std::move(layer));
  }
  return Mlp(std::move(layers), activation);
}

std::vector<int> Mlp::widths() const {
  std::vector<int> result{layers_.front().inputs};
  for (const DenseLayer& layer : layers_) result.push_back(layer.outputs);
  return result;
}

std::int64_t Mlp::parameter_count() const {
  std::int64_t count = 0;
  for (const DenseLayer& layer : layers_) {
    count += static_cast<std::int64_t>(layer.weight.size() + layer.bias.size());
  }
  return count;
}

std::int64_t Mlp::multiply_adds() const {
  std::int64_t count = 0;
  for (const DenseLayer& layer : layers_) {
    count += static_cast<std::int64_t>(layer.inputs) * layer.outputs;
  }
  return count;
}

std::vector<float> Mlp::packed() const {
  const std::vector<int> all_widths = widths();
  long long floats = 0;
  const device::MlpView layout =
      device::mlp_layout(static_cast<int>(layers_.size()), all_widths.data(), &floats);
  std::vector<float> block(static_cast<std::size_t>(floats), 0.0f);  // padding stays zero
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const DenseLayer& layer = layers_[l];
    float* weights = block.data() + layout.weight_offset[l];
    const int stride = layout.row_stride[l];
    for (int j = 0; j < layer.outputs; ++j) {
      for (int k = 0; k < layer.inputs; ++k) {
        const float w = layer.weight[static_cast<std::size_t>(j) * layer.inputs + k];
        if (l == 0) {
          weights[static_cast<std::size_t>(k) * stride + j] = w;  // transposed: [input][unit]
        } else {
          weights[static_cast<std::size_t>(j) * stride + k] = w;
        }
      }
    }
    std::copy(layer.bias.begin(), layer.bias.end(), block.begin() + layout.bias_offset[l]);
  }
  return block;
}

Mlp mlp_from_tensors(const std::map<std::string, Array>& tensors, Activation activation,
                     std::vector<double> sigmas, const std::string& source) {
  // [prefix.]{i}.weight / [prefix.]{i}.bias, one prefix for all, in increasing i.
  const std::regex pattern(R"(((?:[A-Za-z_][A-Za-z0-9_]*\.|\d{1,6}\.)*?)(\d{1,6})\.(weight|bias))");
  const std::string expected =
      " (expected {i}.weight and {i}.bias, as an nn.Sequential's state dict names them, "
      "all under one prefix such as layers.)";
  std::map<int, std::pair<const Array*, const Array*>> by_index;
  std::string prefix;
  for (const auto& [name, tensor] : tensors) {
    std::smatch match;
    if (!std::regex_match(name, match, pattern)) {
      throw InvalidInput(source + ": unexpected tensor \"" + name + "\"" + expected);
    }
    if (by_index.empty()) {
      prefix = match[1].str();
    } else if (match[1].str() != prefix) {
      throw InvalidInput(source + ": tensor \"" + name + "\" is not under the prefix \"" + prefix +
                         "\" of the others" + expected);
    }
    auto& entry = by_index[std::stoi(match[2].str())];
    (match[3].str() == "weight" ? entry.first : entry.second) = &tensor;
  }
  if (by_index.empty()) throw InvalidInput(source + ": no tensors" + expected);
  std::vector<DenseLayer> layers;
  for (const auto& [index, pair] : by_index) {
    const std::string name = source + ": " + prefix + std::to_string(index);
    if (pair.first == nullptr) throw InvalidInput(name + ".weight is missing");
    if (pair.second == nullptr) throw InvalidInput(name + ".bias is missing");
    const Array& weight = *pair.first;
    const Array& bias = *pair.second;
    if (weight.rank() != 2) {
      throw InvalidInput(name + ".weight has shape " + weight.shape_string() +
                         ", expected (out, in)");
    }
    if (bias.rank() != 1 || bias.dim(0) != weight.dim(0)) {
      throw InvalidInput(name + ".bias has shape " + bias.shape_string() + ", expected (" +
                         std::to_string(weight.dim(0)) + ",)");
    }
    DenseLayer layer;
    layer.outputs = static_cast<int>(weight.dim(0));
    layer.inputs = static_cast<int>(weight.dim(1));
    layer.weight = weight.values();
    layer.bias = bias.values();
    layers.push_back(std::move(layer));
  }
  try {
    if (sigmas.empty()) return Mlp(std::move(layers), activation);
    return Mlp(std::move(layers), activation, std::move(sigmas));
  } catch (const InvalidInput& e) {
    throw InvalidInput(source + ": " + e.what());
  }
}

Mlp load_mlp(const std::string& path) {
  TensorFile file = read_safetensors(path);
  const auto activation_entry = file.metadata.find("activation");
  if (activation_entry == file.metadata.end()) {
    throw InvalidInput(path + ": metadata has no \"activation\" (relu, softplus, tanh or silu); "
                       "save with metadata={\"activation\": \"relu\"}, say");
  }
  const Activation activation =
      parse_activation(activation_entry->second, path + ": metadata \"activation\"");
  const auto format = file.metadata.find("format");
  if (format != file.metadata.end() && format->second != "langevin-mlp") {
    throw InvalidInput(path + ": metadata \"format\" = \"" + format->second +
                       "\", expected \"langevin-mlp\"");
  }

  std::vector<double> sigmas;
  const auto conditioning = file.metadata.find("noise_conditioning");
  if (conditioning != file.metadata.end()) {
    if (conditioning->second != kNoiseConditioning) {
      throw InvalidInput(path + ": metadata \"noise_conditioning\" = \"" + conditioning->second +
                         "\", expected \"" + kNoiseConditioning + "\"");
    }
    const auto levels = file.metadata.find("sigmas");
    if (levels == file.metadata.end()) {
      throw InvalidInput(path + ": a noise-conditional model needs metadata \"sigmas\"");
    }
    try {
      sigmas = nlohmann::json::parse(levels->second).get<std::vector<double>>();
    } catch (const nlohmann::json::exception&) {
      throw InvalidInput(path + ": metadata \"sigmas\" = " + levels->second +
                         ": expected a JSON list of numbers");
    }
  }
  return mlp_from_tensors(file.tensors, activation, std::move(sigmas), path);
}

void save_mlp(const std::string& path, const Mlp& mlp) {
  TensorFile file;
  file.metadata["format"] = "langevin-mlp";
  file.metadata["version"] = "1";
  file.metadata["library_version"] = version();
  file.metadata["activation"] = to_string(mlp.activation());
  if (mlp.noise_conditional()) {
    file.metadata["noise_conditioning"] = kNoiseConditioning;
    nlohmann::json levels = mlp.noise_levels();
    file.metadata["sigmas"] = levels.dump();
  }
  for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
    const DenseLayer& layer = mlp.layers()[l];
    file.tensors[layer_name(l) + ".weight"] = Array({layer.outputs, layer.inputs}, layer.weight);
    file.tensors[layer_name(l) + ".bias"] = Array({layer.outputs}, layer.bias);
  }
  write_safetensors(path, file);
}

}  // namespace langevin

namespace langevin {

const char* to_string(ScoreForm form) { return form == ScoreForm::Layered ? "layered" : "auto"; }

ScoreForm parse_score_form(const std::string& name, const std::string& field) {
  if (name == "auto") return ScoreForm::Auto;
  if (name == "layered") return ScoreForm::Layered;
  throw InvalidInput(field + " = \"" + name + "\": expected auto or layered");
}

}  // namespace langevin
