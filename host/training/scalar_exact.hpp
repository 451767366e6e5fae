#pragma once
// The exact score-matching loss of a one-hidden-layer network on 1-D data (the seed problem:
// s(x) = b₂ + Σ_j w₂ⱼ φ(w₁ⱼ x + b₁ⱼ)), on the CPU, in one fused pass per row: nothing of size
// rows × width is ever written. The general path (score_matching.hpp) writes the hidden values,
// their tangents and their gradients to memory and reads them back about a dozen times per
// evaluation, which bounds it by memory bandwidth; here a row's units stay in registers and the
// gradient accumulators (3 × width floats per thread) in the L1 cache.
//
// Per row, with z_j = w₁ⱼx + b₁ⱼ, a_j = φ(z_j), f_j = φ'(z_j), g_j = φ''(z_j):
//   s = b₂ + Σ w₂ⱼ a_j,   u = ds/dx = Σ w₂ⱼ f_j w₁ⱼ,   ℓ = ½ s² + u,
//   ∂ℓ/∂b₂ = s,   ∂ℓ/∂w₂ⱼ = s a_j + f_j w₁ⱼ,   ∂ℓ/∂z_j = s w₂ⱼ f_j + w₂ⱼ w₁ⱼ g_j,
//   ∂ℓ/∂b₁ⱼ = ∂ℓ/∂z_j,   ∂ℓ/∂w₁ⱼ = ∂ℓ/∂z_j x + w₂ⱼ f_j,
// averaged over the rows. Rows go in fixed blocks whose partial gradients are added in block
// order, so that the result does not depend on the thread count (nor, over MPI ranks that each
// compute a share of the blocks, on the rank count: partials.hpp).

#include "training/partials.hpp"
#include "training/score_matching.hpp"

#include <langevin/device/activation.hpp>

#include <algorithm>
#include <vector>

namespace langevin::training {

template <Activation A>
class ScalarExactScoreMatching {
 public:
  /// Whether this path computes the loss `setup` asks for on `layout`: exact loss, full batch,
  /// widths (1, H, 1).
  static bool applies(const ParameterLayout& layout, const LossSetup& setup) {
    return setup.loss == LossKind::Exact && setup.full_batch && layout.layers() == 2 &&
           layout.widths[0] == 1 && layout.widths[2] == 1;
  }

  /// Computes the blocks `partials` gives this process (all of them, by default).
  explicit ScalarExactScoreMatching(const ParameterLayout& layout,
                                    const Partials& partials = all_partials())
      : layout_(layout), hidden_(layout.widths[1]), partials_(partials) {}

  void prepare(const float* data, long long data_rows, unsigned long long /*iteration*/) {
    data_ = data;
    rows_ = data_rows;
    const long long blocks = (rows_ + kBlockRows - 1) / kBlockRows;
    block_loss_.assign(static_cast<std::size_t>(blocks), 0.0);
    block_gradient_.assign(static_cast<std::size_t>(blocks * gradient_size()), 0.0f);
  }

  double loss(const float* theta) { return run(theta, nullptr); }
  double loss_and_gradient(const float* theta, float* gradient) { return run(theta, gradient); }

 private:
  static constexpr long long kBlockRows = 512;

  // One block's gradient: ∂w₁ (H), ∂b₁ (H), ∂w₂ (H), ∂b₂ (1), in the layout's order.
  long long gradient_size() const { return 3LL * hidden_ + 1; }

  double run(const float* theta, float* gradient) {
    const float* w1 = theta + layout_.weight_offset[0];
    const float* b1 = theta + layout_.bias_offset[0];
    const float* w2 = theta + layout_.weight_offset[1];
    const float b2 = theta[layout_.bias_offset[1]];
    const long long blocks = static_cast<long long>(block_loss_.size());
    const std::pair<long long, long long> share = partials_.share(blocks);
    const long long first_block = share.first, end_block = share.second;
    const int hidden = hidden_;
    const bool with_gradient = gradient != nullptr;
#pragma omp parallel for schedule(static) if (end_block - first_block > 1)
    for (long long block = first_block; block < end_block; ++block) {
      float* g = block_gradient_.data() + block * gradient_size();
      float* g_w1 = g;
      float* g_b1 = g + hidden;
      float* g_w2 = g + 2 * hidden;
      if (with_gradient) std::fill(g, g + gradient_size(), 0.0f);
      double loss = 0.0;
      const long long end = std::min(rows_, (block + 1) * kBlockRows);
      for (long long row = block * kBlockRows; row < end; ++row) {
        const float x = data_[row];
        float s = 0.0f, u = 0.0f;
#pragma omp simd reduction(+ : s, u)
        for (int j = 0; j < hidden; ++j) {
          float a, f, second;
          device::activate_with_derivatives<A>(fmaf(w1[j], x, b1[j]), a, f, second);
          s = fmaf(w2[j], a, s);
          u = fmaf(w2[j] * f, w1[j], u);
        }
        s += b2;
        loss += 0.5 * static_cast<double>(s) * s + u;
        if (!with_gradient) continue;
        g[3 * hidden] += s;
#pragma omp simd
        for (int j = 0; j < hidden; ++j) {
          float a, f, second;
          device::activate_with_derivatives<A>(fmaf(w1[j], x, b1[j]), a, f, second);
          const float d_z = fmaf(s * w2[j], f, w2[j] * w1[j] * second);
          g_w2[j] = fmaf(s, a, fmaf(f, w1[j], g_w2[j]));
          g_b1[j] += d_z;
          g_w1[j] = fmaf(d_z, x, fmaf(w2[j], f, g_w1[j]));
        }
      }
      block_loss_[static_cast<std::size_t>(block)] = loss;
    }
    partials_.gather(with_gradient ? block_gradient_.data() : nullptr, gradient_size(),
                     block_loss_.data(), blocks);
    double total = 0.0;
    for (double loss : block_loss_) total += loss;
    if (with_gradient) write_gradient(gradient);
    return total / static_cast<double>(rows_);
  }

  /// The blocks' gradients added in block order, divided by the rows, into θ's layout.
  void write_gradient(float* gradient) const {
    const long long blocks = static_cast<long long>(block_loss_.size());
    const float scale = 1.0f / static_cast<float>(rows_);
    float* out_w1 = gradient + layout_.weight_offset[0];
    float* out_b1 = gradient + layout_.bias_offset[0];
    float* out_w2 = gradient + layout_.weight_offset[1];
    float* out_b2 = gradient + layout_.bias_offset[1];
    const int hidden = hidden_;
    for (long long k = 0; k < gradient_size(); ++k) {
      float sum = 0.0f;
      for (long long block = 0; block < blocks; ++block) {
        sum += block_gradient_[static_cast<std::size_t>(block * gradient_size() + k)];
      }
      const float value = sum * scale;
      if (k < hidden) out_w1[k] = value;
      else if (k < 2 * hidden) out_b1[k - hidden] = value;
      else if (k < 3 * hidden) out_w2[k - 2 * hidden] = value;
      else *out_b2 = value;
    }
  }

  const ParameterLayout& layout_;
  int hidden_;
  const Partials& partials_;
  const float* data_ = nullptr;
  long long rows_ = 0;
  std::vector<double> block_loss_;
  std::vector<float> block_gradient_;
};

}  // namespace langevin::training
