#pragma once
/// \file
/// Mlp: the score model s_θ: R^d → R^d, a stack of dense layers d → H₁ → … → H_L → d with one
/// hidden activation, float32. Loaded from and saved to safetensors (docs/FORMATS.md).

#include <langevin/activation.hpp>
#include <langevin/array.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace langevin {

/// y = W x + b, W stored (outputs × inputs) row-major, as PyTorch's nn.Linear.
struct DenseLayer {
  int inputs = 0;
  int outputs = 0;
  std::vector<float> weight;
  std::vector<float> bias;
};

class Mlp {
 public:
  /// Validates the stack: at least two layers (one hidden), at most device::kMaxLinearLayers,
  /// each layer's inputs equal to the previous layer's outputs, weight and bias sizes matching,
  /// every value finite. Throws InvalidInput naming the layer and field.
  Mlp(std::vector<DenseLayer> layers, Activation activation);

  /// A noise-conditional score model s(x, σ) = net(x, log σ)/σ for the noise levels `sigmas`
  /// (positive, decreasing): the network takes d + 1 inputs and gives d outputs.
  Mlp(std::vector<DenseLayer> layers, Activation activation, std::vector<double> sigmas);

  /// An MLP with the given widths (d, H₁, …, H_L, d) and Glorot-normal weights, biases
  /// N(0, 0.01²), drawn from Philox with `seed`: the same network on every machine.
  static Mlp random(const std::vector<int>& widths, Activation activation, std::uint64_t seed);

  int input_dim() const { return layers_.front().inputs; }
  int output_dim() const { return layers_.back().outputs; }
  /// The dimension of the data the model scores: output_dim().
  int data_dim() const { return output_dim(); }
  /// True for a noise-conditional model (see the constructor); its noise levels, σ_1 > … > σ_L.
  bool noise_conditional() const { return !sigmas_.empty(); }
  const std::vector<double>& noise_levels() const { return sigmas_; }
  /// (d, H₁, …, H_L, d_out).
  std::vector<int> widths() const;
  const std::vector<DenseLayer>& layers() const { return layers_; }
  Activation activation() const { return activation_; }
  std::int64_t parameter_count() const;
  /// Multiply-adds of one forward pass: Σ inputs·outputs over layers.
  std::int64_t multiply_adds() const;

  /// The parameter block the device code reads (device::MlpView; see device/mlp.hpp).
  std::vector<float> packed() const;

 private:
  std::vector<DenseLayer> layers_;
  Activation activation_ = Activation::Relu;
  std::vector<double> sigmas_;
};

/// How the sampler and score() evaluate a model. Auto: the fastest form the model has — a 1-D
/// network with one hidden ReLU layer runs as a sum of hinges (one max and one fused
/// multiply-add a unit, device/hinge.hpp), any other through the layered pass. Layered: the
/// layered pass always. The forms compute the same function; their float results differ within
/// rounding (tests/hinge_test.cpp states the bound).
enum class ScoreForm { Auto, Layered };
const char* to_string(ScoreForm form);
/// "auto" or "layered"; throws InvalidInput naming `field` otherwise.
ScoreForm parse_score_form(const std::string& name, const std::string& field = "score_form");

/// Throws InvalidInput naming `field` unless `sigmas` are positive, finite, strictly decreasing
/// and at most device::kMaxNoiseLevels of them.
void validate_noise_levels(const std::vector<double>& sigmas, const std::string& field);

/// σ_1 = max > … > σ_L = min, geometric (`levels` of them; one level is {max}).
std::vector<double> geometric_noise_levels(double max, double min, int levels);

/// An MLP from tensors named as a PyTorch nn.Sequential's state dict names its linear layers:
/// {i}.weight (out, in) and {i}.bias (out,) in increasing i (gaps allowed: the activations take
/// the others), all under one prefix or none ("0.weight", "layers.0.weight", "net.2.bias"). With
/// `sigmas`, a noise-conditional model (see the constructor). Throws InvalidInput naming
/// `source` and the tensor at fault.
Mlp mlp_from_tensors(const std::map<std::string, Array>& tensors, Activation activation,
                     std::vector<double> sigmas = {}, const std::string& source = "tensors");

/// Reads an MLP from safetensors: tensors as mlp_from_tensors names them (what save_mlp writes:
/// layers.{i}.weight, layers.{i}.bias), metadata "activation"; a noise-conditional model also
/// has "noise_conditioning" and "sigmas" (docs/FORMATS.md).
Mlp load_mlp(const std::string& path);
/// Writes an MLP as safetensors with metadata format=langevin-mlp, version, activation.
void save_mlp(const std::string& path, const Mlp& mlp);

}  // namespace langevin
