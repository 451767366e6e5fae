// The seed model's fused Langevin chain (1 → H → 1 ReLU, H = 1024) as numbered kernel variants,
// in the manner of llm.c: kernel 0 is the plain reference; each later kernel changes one thing,
// checks its final states against kernel 0's, and is timed. docs/PERFORMANCE.md keeps the notes:
// what each changes, the gain predicted and the gain measured.
//
//   seed_step_kernels [KERNEL|all] [--chains N] [--steps K] [--repeat R]
//
// Every kernel runs the library's chain (device/chain.hpp) with the library's noise
// (NormalStream: Philox subsequence = global chain index; draw 0 the initial state, draw 1 + k
// the noise of update k): x₀ = μ + σ z₀, then x ← x + ε s(x) + √(2ε) z. The last row times the
// library's own Sampler on the same model, chains and steps, and checks it against kernel 0 too.
//
// Kernels:
//   0 reference: weights read from global memory, one running sum.
//   1 shared: the block copies (w₁, b₁, w₂) into shared memory as one float4 per unit (one
//     128-bit load instead of three), eight partial sums.
//   2 parameters: the weights travel as a kernel parameter (constant bank) and the loop is fully
//     unrolled, so that every weight is an operand of the arithmetic instruction itself: no loads.
//   3 hinge: the same network rewritten per unit as v_j·max(x, t_j) (t_j = −b₁ⱼ/w₁ⱼ,
//     v_j = w₂ⱼ|w₁ⱼ|) plus a line c₀ + c₁x, exact for d = 1 ReLU: per unit one max and one FMA,
//     both with a constant operand, instead of two FMAs and a max.
//   4 hinge in shared memory: the library's form (device/hinge.hpp, what its Sampler runs for
//     many chains): the pairs (t_j, v_j) staged in shared memory, two units per 128-bit load,
//     16 partial sums.

#include <langevin/device/cuda_check.hpp>
#include <langevin/device/hinge.hpp>
#include <langevin/device/normal_stream.hpp>
#include <langevin/langevin.hpp>
#include "ceilings.hpp"
#include "run/hinge_form.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace {

constexpr int kHidden = 1024;
constexpr int kThreads = 256;
constexpr int kPartialSums = 8;

struct Chains {
  long long count = 0;
  long long steps = 0;
  float epsilon = 5e-3f;
  unsigned long long seed = 1;
  float init_mean = 0.0f;
  float init_std = 1.0f;
};

/// The library's update around any score s(x): x₀ from draw 0, then one draw per update.
template <class Score>
__device__ float run_chain(const Chains& c, long long chain, Score score) {
  langevin::device::NormalStream noise(c.seed, static_cast<unsigned long long>(chain), 1, 0);
  float z;
  noise.draw<1>(&z, 1);
  float x = langevin::device::math::fma(c.init_std, z, c.init_mean);
  const float noise_scale = sqrtf(2.0f * c.epsilon);
  for (long long k = 0; k < c.steps; ++k) {
    const float s = score(x);
    noise.draw<1>(&z, 1);
    x = langevin::device::math::fma(noise_scale, z, langevin::device::math::fma(c.epsilon, s, x));
  }
  return x;
}

// ---- kernel 0: the reference ----------------------------------------------------------------

__global__ void kernel0_reference(Chains c, const float* w1, const float* b1, const float* w2,
                                  float b2, float* out) {
  const long long chain = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (chain >= c.count) return;
  out[chain] = run_chain(c, chain, [&](float x) {
    float sum = 0.0f;
    for (int j = 0; j < kHidden; ++j) sum = fmaf(w2[j], fmaxf(fmaf(w1[j], x, b1[j]), 0.0f), sum);
    return sum + b2;
  });
}

// ---- kernel 1: weights in shared memory, one float4 per unit, eight partial sums ------------

/// Σ over p of partial[p], pairwise (a fixed order).
template <int P>
__device__ float fold(const float (&partial)[P]) {
  float sums[P];
#pragma unroll
  for (int p = 0; p < P; ++p) sums[p] = partial[p];
#pragma unroll
  for (int width = P / 2; width > 0; width /= 2) {
#pragma unroll
    for (int p = 0; p < width; ++p) sums[p] += sums[p + width];
  }
  return sums[0];
}

__global__ void kernel1_shared(Chains c, const float4* units, float b2, float* out) {
  __shared__ float4 weights[kHidden];  // (w₁, b₁, w₂, 0): 16 KB
  for (int j = threadIdx.x; j < kHidden; j += blockDim.x) weights[j] = units[j];
  __syncthreads();
  const long long chain = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (chain >= c.count) return;
  out[chain] = run_chain(c, chain, [&](float x) {
    float partial[kPartialSums] = {};
    for (int j = 0; j < kHidden; j += kPartialSums) {
#pragma unroll
      for (int p = 0; p < kPartialSums; ++p) {
        const float4 u = weights[j + p];
        partial[p] = fmaf(u.z, fmaxf(fmaf(u.x, x, u.y), 0.0f), partial[p]);
      }
    }
    return fold(partial) + b2;
  });
}

// ---- kernel 2: weights as kernel-parameter operands, fully unrolled -------------------------

struct DenseParameters {  // 12 KB: kernel parameters may take up to 32 764 bytes (CUDA 12.1+)
  float w1[kHidden], b1[kHidden], w2[kHidden];
  float b2;
};

__global__ void kernel2_parameters(Chains c, const __grid_constant__ DenseParameters net,
                                   float* out) {
  const long long chain = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (chain >= c.count) return;
  out[chain] = run_chain(c, chain, [&](float x) {
    float partial[kPartialSums] = {};
#pragma unroll
    for (int j = 0; j < kHidden; ++j) {
      partial[j % kPartialSums] =
          fmaf(net.w2[j], fmaxf(fmaf(net.w1[j], x, net.b1[j]), 0.0f), partial[j % kPartialSums]);
    }
    return fold(partial) + net.b2;
  });
}

// ---- kernel 3: the hinge form as kernel-parameter operands ----------------------------------

/// s(x) = c₀ + c₁x + Σ_j v_j max(x, t_j), the seed network rewritten unit by unit.
struct HingeParameters {  // 8 KB
  float t[kHidden], v[kHidden];
  float c0, c1;
};

__global__ void kernel3_hinge(Chains c, const __grid_constant__ HingeParameters net, float* out) {
  const long long chain = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (chain >= c.count) return;
  out[chain] = run_chain(c, chain, [&](float x) {
    float partial[kPartialSums] = {};
#pragma unroll
    for (int j = 0; j < kHidden; ++j) {
      partial[j % kPartialSums] = fmaf(fmaxf(x, net.t[j]), net.v[j], partial[j % kPartialSums]);
    }
    return fmaf(net.c1, x, fold(partial) + net.c0);
  });
}

/// Kernel 3's parameters from the library's hinge form (host/run/hinge_form.cpp).
HingeParameters hinge_parameters(const langevin::detail::HingeForm& form) {
  HingeParameters h{};
  for (int j = 0; j < kHidden; ++j) {
    h.t[j] = form.pairs[2 * j];
    h.v[j] = form.pairs[2 * j + 1];
  }
  h.c0 = form.c0;
  h.c1 = form.c1;
  return h;
}

// ---- kernel 4: the library's hinge form, pairs in shared memory -----------------------------

__global__ void kernel4_hinge_shared(Chains c, langevin::device::HingeView hinge, float* out) {
  __shared__ float4 staged[kHidden / 2];  // (t_j, v_j, t_j+1, v_j+1): 8 KB
  for (int q = threadIdx.x; q < kHidden / 2; q += blockDim.x) {
    staged[q] = reinterpret_cast<const float4*>(hinge.pairs)[q];
  }
  __syncthreads();
  hinge.pairs = reinterpret_cast<const float*>(staged);
  const long long chain = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x;
  if (chain >= c.count) return;
  out[chain] = run_chain(c, chain, [&](float x) { return langevin::device::hinge_score(hinge, x); });
}

// ---- the harness ----------------------------------------------------------------------------

struct Result {
  double seconds = 0.0;
  std::vector<float> states;
};

Result time_kernel(const std::function<void(float*)>& launch, long long chains, int repeat) {
  langevin::DeviceBuffer<float> out(static_cast<std::size_t>(chains));
  Result result;
  result.seconds = gpu_median_seconds([&] { launch(out.data()); }, repeat);
  result.states.resize(static_cast<std::size_t>(chains));
  out.download(result.states.data(), result.states.size());
  return result;
}

/// Chains whose final state differs from the reference's by more than 10⁻³(1 + |x|): the sums'
/// order (and kernel 3's rewrite) changes the last bits of s(x) each update, and 2 000 updates of
/// a contracting chain keep such differences near 10⁻⁵.
struct Check {
  long long off = 0;
  double worst = 0.0;
};
Check check(const std::vector<float>& states, const std::vector<float>& reference) {
  Check result;
  for (std::size_t i = 0; i < states.size(); ++i) {
    const double gap = std::abs(static_cast<double>(states[i]) - reference[i]);
    const double allowed = 1e-3 * (1.0 + std::abs(static_cast<double>(reference[i])));
    result.worst = std::max(result.worst, gap / (1.0 + std::abs(static_cast<double>(reference[i]))));
    result.off += !(gap <= allowed);  // NaN counts
  }
  return result;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string which = "all";
  Chains c;
  c.count = 1000000;
  c.steps = 1000;
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--chains" && i + 1 < argc) c.count = std::stoll(argv[++i]);
    else if (flag == "--steps" && i + 1 < argc) c.steps = std::stoll(argv[++i]);
    else if (flag == "--repeat" && i + 1 < argc) repeat = std::stoi(argv[++i]);
    else which = flag;
  }
  if (!langevin::cuda_available()) {
    std::printf("seed_step_kernels: no CUDA GPU; nothing to run\n");
    return 0;
  }
  const langevin::Mlp model = langevin::Mlp::random({1, kHidden, 1}, langevin::Activation::Relu, 2026);
  std::vector<float> w1(kHidden), b1(kHidden), w2(kHidden);
  for (int j = 0; j < kHidden; ++j) {
    w1[j] = model.layers()[0].weight[j];
    b1[j] = model.layers()[0].bias[j];
    w2[j] = model.layers()[1].weight[j];
  }
  const float b2 = model.layers()[1].bias[0];
  const langevin::DeviceBuffer<float> d_w1(w1.data(), kHidden), d_b1(b1.data(), kHidden),
      d_w2(w2.data(), kHidden);
  std::vector<float4> units(kHidden);
  for (int j = 0; j < kHidden; ++j) units[j] = make_float4(w1[j], b1[j], w2[j], 0.0f);
  const langevin::DeviceBuffer<float4> d_units(units.data(), kHidden);
  DenseParameters dense{};
  std::copy(w1.begin(), w1.end(), dense.w1);
  std::copy(b1.begin(), b1.end(), dense.b1);
  std::copy(w2.begin(), w2.end(), dense.w2);
  dense.b2 = b2;
  const langevin::detail::HingeForm form = *langevin::detail::hinge_form(model);
  const HingeParameters hinge = hinge_parameters(form);
  const langevin::DeviceBuffer<float> d_pairs(form.pairs.data(), form.pairs.size());

  const unsigned blocks = static_cast<unsigned>((c.count + kThreads - 1) / kThreads);
  const std::vector<std::pair<std::string, std::function<void(float*)>>> kernels = {
      {"0 reference", [&](float* out) {
         kernel0_reference<<<blocks, kThreads>>>(c, d_w1.data(), d_b1.data(), d_w2.data(), b2, out);
         LANGEVIN_CUDA_CHECK_LAUNCH("kernel0_reference");
       }},
      {"1 shared float4", [&](float* out) {
         kernel1_shared<<<blocks, kThreads>>>(c, d_units.data(), b2, out);
         LANGEVIN_CUDA_CHECK_LAUNCH("kernel1_shared");
       }},
      {"2 parameters", [&](float* out) {
         kernel2_parameters<<<blocks, kThreads>>>(c, dense, out);
         LANGEVIN_CUDA_CHECK_LAUNCH("kernel2_parameters");
       }},
      {"3 hinge", [&](float* out) {
         kernel3_hinge<<<blocks, kThreads>>>(c, hinge, out);
         LANGEVIN_CUDA_CHECK_LAUNCH("kernel3_hinge");
       }},
      {"4 hinge shared", [&](float* out) {
         kernel4_hinge_shared<<<blocks, kThreads>>>(c, form.view(d_pairs.data()), out);
         LANGEVIN_CUDA_CHECK_LAUNCH("kernel4_hinge_shared");
       }},
  };

  const double ceiling = gpu_fma_gflops();
  const double flop = 2.0 * 2 * kHidden * static_cast<double>(c.count) * c.steps;
  std::printf("# seed_step_kernels: %s; %lld chains x %lld steps; FP32 FMA ceiling measured now "
              "%.0f GFLOP/s; 4096 FLOP counted per chain-step\n",
              langevin::gpus()[0].name.c_str(), c.count, c.steps, ceiling);
  std::printf("| kernel | seconds | chain-steps/s | counted GFLOP/s | of FMA ceiling | speed-up "
              "over 0 | chains off kernel 0 | largest relative gap |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
  Result reference;
  int failures = 0;
  auto print_row = [&](const std::string& name, double seconds, const Check& agreement) {
    std::printf("| %s | %.4f | %.4g | %.0f | %.1f %% | %.2f | %lld | %.2g |\n", name.c_str(),
                seconds, c.count * static_cast<double>(c.steps) / seconds, flop / seconds / 1e9,
                100.0 * flop / seconds / 1e9 / ceiling, reference.seconds / seconds,
                agreement.off, agreement.worst);
    std::fflush(stdout);
  };
  for (std::size_t k = 0; k < kernels.size(); ++k) {
    const bool wanted = which == "all" || which == std::to_string(k);
    if (!wanted && k != 0) continue;
    const Result r = time_kernel(kernels[k].second, c.count, k == 0 && !wanted ? 1 : repeat);
    if (k == 0) reference = r;
    if (!wanted) continue;
    const Check agreement = check(r.states, reference.states);
    failures += agreement.off > 0;
    print_row(kernels[k].first, r.seconds, agreement);
  }
  // The library itself, same model, chains, steps, seed and initial law.
  langevin::SamplerConfig config;
  config.chains = c.count;
  config.steps = c.steps;
  config.epsilon = c.epsilon;
  config.seed = c.seed;
  config.init_mean = c.init_mean;
  config.init_std = c.init_std;
  config.backend = langevin::Backend::Cuda;
  langevin::Sampler sampler(model, config);
  const Result library = time_kernel([&](float* out) { sampler.run_into(out); }, c.count, repeat);
  const Check agreement = check(library.states, reference.states);
  failures += agreement.off > 0;
  print_row("library Sampler", library.seconds, agreement);
  if (failures > 0) {
    std::printf("seed_step_kernels: FAILED: %d kernel(s) disagree with kernel 0\n", failures);
    return 1;
  }
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "seed_step_kernels: %s\n", error.what());
  return 2;
}
