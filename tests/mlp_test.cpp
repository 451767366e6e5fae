// The MLP: forward pass against a plain double-precision reference for every activation and
// depth, the packed layout, safetensors round trips and PyTorch-style files, validation.


#include <langevin/langevin.hpp>

#include "reference_activation.hpp"
#include "statistics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace langevin {
namespace {

using testing::kFloatUnitRoundoff;


// The textbook forward pass in double, with a running bound on the float forward error:
// a layer's float result differs from exact by at most γ_n (|W||h| + |b|) (γ_n = n u / (1 − n u),
// n = fan-in + 1 rounded operations), plus the propagated error through |W| and the activation
// (Lipschitz ≤ 1.1 for all four), plus 4 ulp for the activation's own rounding.
struct ReferenceOutput {
  std::vector<double> output;
  std::vector<double> error_bound;
};

ReferenceOutput reference_forward(const Mlp& mlp, const std::vector<double>& x) {
  std::vector<double> h = x, error(x.size(), 0.0);
  for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
    const DenseLayer& layer = mlp.layers()[l];
    const bool last = l + 1 == mlp.layers().size();
    const double n = layer.inputs + 1;
    const double gamma = n * kFloatUnitRoundoff / (1 - n * kFloatUnitRoundoff);
    std::vector<double> next(layer.outputs), next_error(layer.outputs);
    for (int j = 0; j < layer.outputs; ++j) {
      double value = layer.bias[j], magnitude = std::abs(layer.bias[j]), propagated = 0.0;
      for (int i = 0; i < layer.inputs; ++i) {
        const double w = layer.weight[static_cast<std::size_t>(j) * layer.inputs + i];
        value += w * h[i];
        magnitude += std::abs(w * h[i]);
        propagated += std::abs(w) * error[i];
      }
      const double pre_error = propagated + gamma * magnitude;
      if (last) {
        next[j] = value;
        next_error[j] = pre_error;
      } else {
        next[j] = testing::activation(mlp.activation(), value);
        next_error[j] = 1.1 * pre_error + 4 * kFloatUnitRoundoff * std::abs(next[j]) + 1e-30;
      }
    }
    h = next;
    error = next_error;
  }
  return {h, error};
}

void check_forward(const Mlp& mlp, std::uint64_t seed) {
  const int d = mlp.input_dim();
  const std::int64_t n = 64;
  // Inputs of magnitude up to ~4, drawn from a network-independent stream.
  const Mlp source = Mlp::random({1, static_cast<int>(n * d), 1}, Activation::Relu, seed);
  Array x({n, d});
  for (std::int64_t i = 0; i < n * d; ++i) x[i] = 20.0f * source.layers()[0].weight[i];
  // The layered pass itself: score() takes the hinge form for 1-D ReLU networks of one hidden
  // layer, whose own bound hinge_test.cpp checks.
  const Array s = score(mlp, x, Backend::Cpu, ScoreForm::Layered);
  for (std::int64_t i = 0; i < n; ++i) {
    const ReferenceOutput ref =
        reference_forward(mlp, std::vector<double>(x.data() + i * d, x.data() + (i + 1) * d));
    for (int k = 0; k < d; ++k) {
      EXPECT_NEAR(s[i * d + k], ref.output[k], 2.0 * ref.error_bound[k])
          << "point " << i << ", output " << k;
    }
  }
}

class MlpForward : public ::testing::TestWithParam<Activation> {};

TEST_P(MlpForward, OneHiddenLayerMatchesReference) {
  // 37 hidden units: the blocked loop and its tail; d = 1 (16 partial sums) and d = 3 (4).
  check_forward(Mlp::random({1, 37, 1}, GetParam(), 1), 100);
  check_forward(Mlp::random({3, 37, 3}, GetParam(), 2), 101);
  check_forward(Mlp::random({1, 1024, 1}, GetParam(), 3), 102);
  check_forward(Mlp::random({20, 64, 20}, GetParam(), 4), 103);
  check_forward(Mlp::random({100, 64, 100}, GetParam(), 7), 106);  // run-time-loop tier
}

TEST_P(MlpForward, DeepNetworksMatchReference) {
  check_forward(Mlp::random({2, 19, 23, 2}, GetParam(), 5), 104);
  check_forward(Mlp::random({4, 32, 16, 8, 4}, GetParam(), 6), 105);
  check_forward(Mlp::random({300, 32, 16, 300}, GetParam(), 8), 107);
}

INSTANTIATE_TEST_SUITE_P(Activations, MlpForward,
                         ::testing::Values(Activation::Relu, Activation::Softplus,
                                           Activation::Tanh, Activation::Silu),
                         [](const ::testing::TestParamInfo<Activation>& info) {
                           return std::string(to_string(info.param));
                         });

TEST(Mlp, RandomIsReproducibleAndGlorotScaled) {
  const Mlp a = Mlp::random({4, 256, 4}, Activation::Tanh, 9);
  const Mlp b = Mlp::random({4, 256, 4}, Activation::Tanh, 9);
  EXPECT_EQ(a.layers()[0].weight, b.layers()[0].weight);
  double squares = 0;
  for (float w : a.layers()[0].weight) squares += w * w;
  const double variance = squares / a.layers()[0].weight.size();
  // Glorot: 2 / (4 + 256); 1024 draws give a relative standard error of √(2/1024) ≈ 4.4 %.
  EXPECT_NEAR(variance, 2.0 / 260.0, 4 * 0.044 * 2.0 / 260.0);
  EXPECT_EQ(a.widths(), (std::vector<int>{4, 256, 4}));
  EXPECT_EQ(a.multiply_adds(), 4 * 256 + 256 * 4);
  EXPECT_EQ(a.parameter_count(), 4 * 256 + 256 + 256 * 4 + 4);
}

TEST(Mlp, RejectsInconsistentLayers) {
  DenseLayer first{1, 4, std::vector<float>(4, 0.1f), std::vector<float>(4, 0.0f)};
  DenseLayer second{3, 1, std::vector<float>(3, 0.1f), std::vector<float>(1, 0.0f)};
  try {
    Mlp({first, second}, Activation::Relu);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("layers.1.weight takes 3 inputs"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Mlp({first}, Activation::Relu), InvalidInput);
  first.bias[2] = NAN;
  EXPECT_THROW(Mlp({first, DenseLayer{4, 1, std::vector<float>(4, 0.1f), {0.0f}}},
                   Activation::Relu),
               InvalidInput);
}

class MlpFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() /
                 ("langevin_mlp_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(directory_);
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }
  std::string path(const std::string& name) const { return (directory_ / name).string(); }
  std::filesystem::path directory_;
};

TEST_F(MlpFiles, SaveLoadRoundTripIsExact) {
  const Mlp mlp = Mlp::random({2, 33, 17, 2}, Activation::Silu, 12);
  save_mlp(path("m.safetensors"), mlp);
  const Mlp loaded = load_mlp(path("m.safetensors"));
  EXPECT_EQ(loaded.activation(), Activation::Silu);
  ASSERT_EQ(loaded.layers().size(), mlp.layers().size());
  for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
    EXPECT_EQ(loaded.layers()[l].weight, mlp.layers()[l].weight);
    EXPECT_EQ(loaded.layers()[l].bias, mlp.layers()[l].bias);
  }
  const Array x({2, 2}, {0.5f, -1.0f, 2.0f, 3.0f});
  EXPECT_EQ(score(loaded, x, Backend::Cpu).values(), score(mlp, x, Backend::Cpu).values());
  const TensorFile file = read_safetensors(path("m.safetensors"));
  EXPECT_EQ(file.metadata.at("format"), "langevin-mlp");
  EXPECT_EQ(file.metadata.at("activation"), "silu");
}

TEST_F(MlpFiles, LoadsAnNnSequentialStateDictWithGaps) {
  // nn.Sequential(Linear, ReLU, Linear) names its linear layers 0 and 2.
  const Mlp mlp = Mlp::random({1, 8, 1}, Activation::Relu, 13);
  TensorFile file;
  file.metadata["activation"] = "relu";
  file.tensors["layers.0.weight"] = Array({8, 1}, mlp.layers()[0].weight);
  file.tensors["layers.0.bias"] = Array({8}, mlp.layers()[0].bias);
  file.tensors["layers.2.weight"] = Array({1, 8}, mlp.layers()[1].weight);
  file.tensors["layers.2.bias"] = Array({1}, mlp.layers()[1].bias);
  write_safetensors(path("torch.safetensors"), file);
  const Mlp loaded = load_mlp(path("torch.safetensors"));
  EXPECT_EQ(loaded.widths(), (std::vector<int>{1, 8, 1}));
  EXPECT_EQ(loaded.layers()[1].weight, mlp.layers()[1].weight);
}

TEST_F(MlpFiles, LoadsABareNnSequentialUnderAnyOnePrefix) {
  // torch.save(nn.Sequential(...).state_dict()) names the layers 0, 2, … with no prefix; a
  // module holding the Sequential as `net` prefixes them with "net.".
  const Mlp mlp = Mlp::random({2, 8, 8, 2}, Activation::Tanh, 14);
  for (const std::string prefix : {"", "net.", "model.score.", "blocks.3.net."}) {
    TensorFile file;
    file.metadata["activation"] = "tanh";
    for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
      const DenseLayer& layer = mlp.layers()[l];
      const std::string name = prefix + std::to_string(2 * l);
      file.tensors[name + ".weight"] = Array({layer.outputs, layer.inputs}, layer.weight);
      file.tensors[name + ".bias"] = Array({layer.outputs}, layer.bias);
    }
    write_safetensors(path("sequential.safetensors"), file);
    const Mlp loaded = load_mlp(path("sequential.safetensors"));
    EXPECT_EQ(loaded.widths(), mlp.widths()) << prefix;
    for (std::size_t l = 0; l < mlp.layers().size(); ++l) {
      EXPECT_EQ(loaded.layers()[l].weight, mlp.layers()[l].weight) << prefix;
      EXPECT_EQ(loaded.layers()[l].bias, mlp.layers()[l].bias) << prefix;
    }
    const Mlp direct = mlp_from_tensors(file.tensors, Activation::Tanh);
    EXPECT_EQ(direct.packed(), mlp.packed()) << prefix;
  }
}

TEST(MlpFromTensors, RefusesTwoPrefixesAndNamesTheSource) {
  std::map<std::string, Array> tensors;
  tensors["a.0.weight"] = Array({2, 1});
  tensors["a.0.bias"] = Array({2});
  tensors["b.2.weight"] = Array({1, 2});
  tensors["b.2.bias"] = Array({1});
  try {
    mlp_from_tensors(tensors, Activation::Relu, {}, "state_dict");
    FAIL() << "two prefixes were accepted";
  } catch (const InvalidInput& e) {
    EXPECT_NE(std::string(e.what()).find("state_dict: tensor \"b.2.bias\" is not under the prefix \"a.\""),
              std::string::npos) << e.what();
  }
  const Mlp conditional = Mlp::random({2, 4, 1}, Activation::Relu, 3);
  tensors.clear();
  for (std::size_t l = 0; l < 2; ++l) {
    const DenseLayer& layer = conditional.layers()[l];
    tensors[std::to_string(l) + ".weight"] = Array({layer.outputs, layer.inputs}, layer.weight);
    tensors[std::to_string(l) + ".bias"] = Array({layer.outputs}, layer.bias);
  }
  const Mlp ncsn = mlp_from_tensors(tensors, Activation::Relu, {1.0, 0.1});
  EXPECT_TRUE(ncsn.noise_conditional());
  EXPECT_EQ(ncsn.data_dim(), 1);
}

TEST_F(MlpFiles, RejectsFilesThatAreNotMlps) {
  auto message = [&](const TensorFile& file) -> std::string {
    write_safetensors(path("bad.safetensors"), file);
    try {
      load_mlp(path("bad.safetensors"));
    } catch (const InvalidInput& e) {
      return e.what();
    }
    return "";
  };
  TensorFile no_activation;
  no_activation.tensors["layers.0.weight"] = Array({2, 1});
  EXPECT_NE(message(no_activation).find("\"activation\""), std::string::npos);

  TensorFile stray;
  stray.metadata["activation"] = "relu";
  stray.tensors["encoder.weight"] = Array({2, 1});
  EXPECT_NE(message(stray).find("unexpected tensor \"encoder.weight\""), std::string::npos);

  TensorFile missing_bias;
  missing_bias.metadata["activation"] = "relu";
  missing_bias.tensors["layers.0.weight"] = Array({2, 1});
  missing_bias.tensors["layers.1.weight"] = Array({1, 2});
  missing_bias.tensors["layers.1.bias"] = Array({1});
  EXPECT_NE(message(missing_bias).find("layers.0.bias is missing"), std::string::npos);

  TensorFile bad_activation;
  bad_activation.metadata["activation"] = "gelu";
  bad_activation.tensors["layers.0.weight"] = Array({2, 1});
  EXPECT_NE(message(bad_activation).find("gelu"), std::string::npos);
}

}  // namespace
}  // namespace langevin
