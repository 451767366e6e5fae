// A model saved by PyTorch (safetensors.torch.save_file of an nn.Sequential's state dict, see
// tests/data/make_torch_fixture.py) loads as is and gives PyTorch's scores.

#include <langevin/langevin.hpp>

#include "test_files.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace langevin {
namespace {

using testing::kTestData;

TEST(TorchFixture, LoadsAndGivesPyTorchsScores) {
  const Mlp model = load_mlp(kTestData + "torch_mlp.safetensors");
  EXPECT_EQ(model.widths(), (std::vector<int>{2, 16, 8, 2}));
  EXPECT_EQ(model.activation(), Activation::Silu);
  const Array points = read_npy(kTestData + "torch_points.npy");
  const Array expected = read_npy(kTestData + "torch_scores.npy");  // float64 on disk
  const Array scores = score(model, points, Backend::Cpu);
  ASSERT_EQ(scores.shape(), expected.shape());
  // ~40 float operations per output (u = 6·10⁻⁸) against PyTorch's float64: 10⁻⁵ relative.
  for (std::int64_t i = 0; i < scores.size(); ++i) {
    EXPECT_NEAR(scores[i], expected[i], 1e-5 * (1 + std::abs(expected[i]))) << "value " << i;
  }
}

}  // namespace
}  // namespace langevin
