#pragma once
// The elementwise parts of score-matching training, as functors over an index: the CPU backend
// runs them in OpenMP loops, the CUDA backend in one generic kernel (training_ops.cuh). The
// matrix products between them are GEMMs (CBLAS, cuBLAS). All matrices are row-major; tangent
// streams are stacked as `streams` consecutive (rows × width) planes.

#include <langevin/device/activation.hpp>
#include <langevin/device/config.hpp>
#include <langevin/device/elementary.hpp>
#include <langevin/device/normal_stream.hpp>

namespace langevin::training {

/// Loss kinds as the kernels see them (mirrors langevin::Loss).
enum class LossKind : int { Exact = 0, Sliced = 1, Dsm = 2, Ncsn = 3 };

/// Widest input (output) dimension for which the first (last) layer's product is computed
/// inside the hidden layer's pass instead of by a GEMM: a product with k ≤ 16 moves as many bytes
/// as it computes, so fusing it saves a pass over the (rows × width) matrix.
constexpr int kFusedNarrowDim = 16;

/// In, Out = the widths of the narrow first layer's input and last layer's output, and Streams the
/// number of tangent streams, when known at compile time (0, 0, −1: read at run time). With them
/// known, the host compiler vectorises the passes over a row (docs/PERFORMANCE.md).
template <int In, int Out, int Streams>
struct Shape {
  static constexpr int in = In;
  static constexpr int out = Out;
  static constexpr int streams = Streams;
};
using RuntimeShape = Shape<0, 0, -1>;

/// f(0), …, f(n − 1): unrolled when N ≥ 0 is n at compile time, a plain loop when N < 0. The
/// host compiler vectorises a pass over columns only when no loop is left inside it (GCC: "loop
/// nest containing two or more consecutive inner loops"), and it leaves even a loop of 2 or 3
/// constant trips in place unless told to unroll it.
template <int N, class F>
LANGEVIN_HD void repeat(int n, const F& f) {
  if constexpr (N >= 0) {
    LANGEVIN_UNROLL
    for (int k = 0; k < N; ++k) f(k);
  } else {
    for (int k = 0; k < n; ++k) f(k);
  }
}

/// Hidden layer, forward, element (row, col): the pre-activation z (from a GEMM already in z, or
/// here from a narrow input x and weights W), plus the bias; a = φ(z); each tangent stream's
/// pre-derivative p (from the GEMM, or here from the input tangents) and t = φ'(z) p.
template <Activation A, class S = RuntimeShape, bool Narrow = false>
struct ForwardHidden {
  float* z;
  const float* bias;
  float* a;
  float* p;
  float* t;
  long long rows;
  int width;
  int streams;
  // Narrow-input path (Narrow; otherwise z and p already hold X Wᵀ and T Wᵀ). A template
  // argument, not a test of `input`: a branch in the element would leave the CPU's pass over
  // columns scalar (its strided weight loads cannot be masked).
  const float* input;     // rows × in
  const float* tangents;  // streams × rows × in
  const float* weight;    // width × in
  int in;

  LANGEVIN_HD void operator()(long long row, int col) const {
    const int in = S::in > 0 ? S::in : this->in;
    const int streams = S::streams >= 0 ? S::streams : this->streams;
    const long long i = row * width + col;
    const long long plane = rows * width;
    constexpr int kIn = S::in > 0 ? S::in : -1;
    float v = bias[col];
    if constexpr (Narrow) {
      repeat<kIn>(in, [&](int k) { v = fmaf(input[row * in + k], weight[col * in + k], v); });
    } else {
      v += z[i];
    }
    float value, first, second;
    device::activate_with_derivatives<A>(v, value, first, second);
    z[i] = v;
    a[i] = value;
    repeat<S::streams>(streams, [&](int m) {
      float pre;
      if constexpr (Narrow) {
        pre = 0.0f;
        const float* tangent = tangents + (m * rows + row) * in;
        repeat<kIn>(in, [&](int k) { pre = fmaf(tangent[k], weight[col * in + k], pre); });
        p[m * plane + i] = pre;
      } else {
        pre = p[m * plane + i];
      }
      t[m * plane + i] = first * pre;
    });
  }
};

/// Hidden layer, backward, element (row, col): from ∂a and each stream's ∂t (from GEMMs, or here
/// from a narrow next layer's output gradients G and weights W), the gradient of the
/// pre-activation  ∂z = ∂a ⊙ φ'(z) + Σ_m ∂t_m ⊙ p_m ⊙ φ''(z)  (written over z) and of each
/// stream's pre-derivative  ∂p_m = ∂t_m ⊙ φ'(z)  (written over p_m).
template <Activation A, class S = RuntimeShape, bool Narrow = false>
struct BackwardHidden {
  float* z;
  float* p;
  const float* d_a;  // rows × width (GEMM path)
  const float* d_t;  // streams × rows × width (GEMM path)
  long long rows;
  int width;
  int streams;
  // Narrow-output path (Narrow, as in ForwardHidden; otherwise d_a and d_t hold G W and G_U W).
  const float* gradient;          // rows × out
  const float* tangent_gradient;  // streams × rows × out
  const float* weight;            // out × width
  int out;

  LANGEVIN_HD void operator()(long long row, int col) const {
    const int out = S::out > 0 ? S::out : this->out;
    const int streams = S::streams >= 0 ? S::streams : this->streams;
    const long long i = row * width + col;
    const long long plane = rows * width;
    float value, first, second;
    device::activate_with_derivatives<A>(z[i], value, first, second);
    constexpr int kOut = S::out > 0 ? S::out : -1;
    float d_value;
    if constexpr (Narrow) {
      d_value = 0.0f;
      repeat<kOut>(out, [&](int k) {
        d_value = fmaf(gradient[row * out + k], weight[k * width + col], d_value);
      });
    } else {
      d_value = d_a[i];
    }
    float d_pre = d_value * first;
    repeat<S::streams>(streams, [&](int m) {
      float d_tangent;
      if constexpr (Narrow) {
        d_tangent = 0.0f;
        const float* g = tangent_gradient + (m * rows + row) * out;
        repeat<kOut>(out, [&](int k) { d_tangent = fmaf(g[k], weight[k * width + col], d_tangent); });
      } else {
        d_tangent = d_t[m * plane + i];
      }
      d_pre = fmaf(d_tangent * p[m * plane + i], second, d_pre);
      p[m * plane + i] = d_tangent * first;
    });
    z[i] = d_pre;
  }
};

/// Standard normal number `k` of the vector for (row, stream) at `iteration` under `seed`: one
/// Philox counter per four coordinates, as the sampler's NormalStream uses them.
LANGEVIN_HD float philox_normal(unsigned long long seed, unsigned long long stream_id,
                                unsigned long long iteration, int dim, int k) {
  const uint4 words =
      device::philox_words(seed, stream_id, iteration * device::counters_per_draw(dim) + k / 4);
  float n0, n1;
  if (k % 4 < 2) {
    device::box_muller<device::ScalarOps>(words.x, words.y, n0, n1);
  } else {
    device::box_muller<device::ScalarOps>(words.z, words.w, n0, n1);
  }
  return k % 2 == 0 ? n0 : n1;
}

/// ±1 with equal odds, from the same counters.
LANGEVIN_HD float philox_sign(unsigned long long seed, unsigned long long stream_id,
                              unsigned long long iteration, int dim, int k) {
  const uint4 words =
      device::philox_words(seed, stream_id, iteration * device::counters_per_draw(dim) + k / 4);
  const unsigned int word = k % 4 == 0 ? words.x : k % 4 == 1 ? words.y : k % 4 == 2 ? words.z
                                                                                        : words.w;
  return (word & 1u) ? 1.0f : -1.0f;
}

/// The tangent directions of the input layer, (streams × rows × dim): the unit vectors e_m for
/// the exact loss, random projections v for the sliced one (Rademacher or Gaussian, fresh at each
/// iteration).
struct InitialTangents {
  float* t;
  long long rows;       // in this chunk
  long long first_row;  // global index of the chunk's first row (selects the random stream)
  int dim;
  int streams;
  LossKind loss;
  bool gaussian;
  unsigned long long seed;
  unsigned long long iteration;

  LANGEVIN_HD void operator()(long long i) const {  // i over streams × rows × dim
    const int k = static_cast<int>(i % dim);
    const long long row = first_row + (i / dim) % rows;
    const int m = static_cast<int>(i / (dim * rows));
    if (loss == LossKind::Exact) {
      t[i] = k == m ? 1.0f : 0.0f;
    } else {
      const unsigned long long id = static_cast<unsigned long long>(row) * streams + m;
      t[i] = gaussian ? philox_normal(seed, id, iteration, dim, k)
                      : philox_sign(seed, id, iteration, dim, k);
    }
  }
};

/// The batch's inputs: rows of the data (all of them in order for a full batch, else drawn with
/// replacement), plus σ·ζ for the denoising losses (ζ kept for the loss). For ncsn each row draws
/// its own level σ from `sigmas` and the network's input gets log σ as one more column. A row a
/// call: its index and level are drawn once, its normals from its NormalStream.
struct BatchInputs {
  const float* data;
  long long data_rows;
  float* x;            // rows × width (width = dim, or dim + 1 for ncsn)
  float* noise;        // rows × dim (dsm, ncsn), else null
  long long rows;      // in this chunk
  long long first_row; // global index of the chunk's first row
  int dim;             // the data's
  bool full_batch;
  float sigma;         // dsm
  const float* sigmas; // ncsn: the levels (device memory on the GPU), else null
  int levels;
  unsigned long long batch_seed;
  unsigned long long noise_seed;
  unsigned long long level_seed;
  unsigned long long iteration;

  LANGEVIN_HD int width() const { return sigmas != nullptr ? dim + 1 : dim; }

  /// The row's noise level: uniform over the levels (the high half of a 32 × 32-bit product).
  LANGEVIN_HD int level(long long row) const {
    const uint4 words = device::philox_words(level_seed, row, iteration);
    return static_cast<int>((static_cast<unsigned long long>(words.x) * levels) >> 32);
  }

  LANGEVIN_HD void operator()(long long chunk_row) const {
    const long long row = first_row + chunk_row;
    long long source = row;
    if (!full_batch) {
      // An unbiased-enough index in [0, data_rows): the high half of a 32 × 64-bit product.
      const uint4 words = device::philox_words(batch_seed, row, iteration);
      source = static_cast<long long>((static_cast<unsigned long long>(words.x) *
                                       static_cast<unsigned long long>(data_rows)) >> 32);
    }
    const float* in = data + source * dim;
    float* out = x + chunk_row * width();
    float scale = sigma;
    if (sigmas != nullptr) {
      scale = sigmas[level(row)];
      out[dim] = device::math::log(scale);
    }
    if (noise == nullptr) {
      for (int k = 0; k < dim; ++k) out[k] = in[k];
      return;
    }
    // The row's draw `iteration` of its normal stream (philox_normal's numbers), four at a time.
    float* z = noise + chunk_row * dim;
    device::NormalStream normals(noise_seed, row, dim, iteration);
    for (int first = 0; first < dim; first += 4) normals.draw<4>(z + first, dim - first < 4 ? dim - first : 4);
    for (int k = 0; k < dim; ++k) out[k] = fmaf(scale, z[k], in[k]);
  }
};

/// The loss per row, and its gradient with respect to the network's output s (written over s)
/// and to the output tangents u (written over u), each divided by nothing (the caller scales
/// by 1/rows). s arrives without the output bias, which is added here.
struct OutputLoss {
  float* s;                // rows × dim
  float* u;                // streams × rows × dim
  const float* bias;       // dim
  const float* tangents;   // streams × rows × dim: the input directions (sliced)
  const float* noise;      // rows × dim (dsm)
  float* row_loss;         // rows
  long long rows;
  int dim;
  int streams;
  LossKind loss;
  float sigma;

  LANGEVIN_HD void operator()(long long row) const {
    float* out = s + row * dim;
    const long long plane = rows * dim;
    for (int k = 0; k < dim; ++k) out[k] += bias[k];
    float value = 0.0f;
    if (loss == LossKind::Exact) {
      // ½‖s‖² + Σ_m ∂s_m/∂x_m, with stream m carrying e_m: ∂/∂s = s, ∂/∂u_m = e_m.
      for (int k = 0; k < dim; ++k) value = fmaf(0.5f * out[k], out[k], value);
      for (int m = 0; m < streams; ++m) {
        float* tangent_out = u + m * plane + row * dim;
        value += tangent_out[m];
        for (int k = 0; k < dim; ++k) tangent_out[k] = k == m ? 1.0f : 0.0f;
      }
    } else if (loss == LossKind::Sliced) {
      // (1/P) Σ_m vᵀ(∂s/∂x)v + ½(vᵀs)²: ∂/∂s = (1/P) Σ_m (vᵀs) v, ∂/∂u_m = v / P.
      const float inverse = 1.0f / static_cast<float>(streams);
      float projected[64];  // streams ≤ 64 (validated)
      for (int m = 0; m < streams; ++m) {
        const float* v = tangents + m * plane + row * dim;
        float* tangent_out = u + m * plane + row * dim;
        float along = 0.0f, trace = 0.0f;
        for (int k = 0; k < dim; ++k) {
          along = fmaf(v[k], out[k], along);
          trace = fmaf(v[k], tangent_out[k], trace);
          tangent_out[k] = v[k] * inverse;
        }
        projected[m] = along;
        value += inverse * (trace + 0.5f * along * along);
      }
      for (int k = 0; k < dim; ++k) {
        float gradient = 0.0f;
        for (int m = 0; m < streams; ++m) {
          gradient = fmaf(projected[m], tangents[m * plane + row * dim + k], gradient);
        }
        out[k] = gradient * inverse;
      }
    } else if (loss == LossKind::Dsm) {
      // ½‖σ s + ζ‖²: ∂/∂s = σ (σ s + ζ).
      const float* z = noise + row * dim;
      for (int k = 0; k < dim; ++k) {
        const float residual = fmaf(sigma, out[k], z[k]);
        value = fmaf(0.5f * residual, residual, value);
        out[k] = sigma * residual;
      }
    } else {
      // ncsn: s(x, σ) = net/σ, so σ² · ½‖s + ζ/σ‖² = ½‖net + ζ‖²: ∂/∂net = net + ζ.
      const float* z = noise + row * dim;
      for (int k = 0; k < dim; ++k) {
        const float residual = out[k] + z[k];
        value = fmaf(0.5f * residual, residual, value);
        out[k] = residual;
      }
    }
    row_loss[row] = value;
  }
};

/// x[i] = value.
struct Fill {
  float* destination;
  float value;
  LANGEVIN_HD void operator()(long long i) const { destination[i] = value; }
};

/// y = a·x + b·y over a flat vector.
struct Axpby {
  float* y;
  const float* x;
  float a;
  float b;
  LANGEVIN_HD void operator()(long long i) const { y[i] = fmaf(a, x[i], b * y[i]); }
};

/// z = x + a·(x − y): the extrapolation of accelerated gradient descent (z may alias neither).
struct Extrapolate {
  float* z;
  const float* x;
  const float* y;
  float a;
  LANGEVIN_HD void operator()(long long i) const { z[i] = fmaf(a, x[i] - y[i], x[i]); }
};

/// One Adam update of θ from gradient g (bias-corrected moments m, v).
struct AdamStep {
  float* theta;
  float* m;
  float* v;
  const float* g;
  float learning_rate;
  float beta1, beta2, epsilon;
  float correction1, correction2;  // 1 − β^t
  LANGEVIN_HD void operator()(long long i) const {
    const float gi = g[i];
    const float mi = fmaf(beta1, m[i], (1.0f - beta1) * gi);
    const float vi = fmaf(beta2, v[i], (1.0f - beta2) * gi * gi);
    m[i] = mi;
    v[i] = vi;
    const float m_hat = mi / correction1;
    const float v_hat = vi / correction2;
    theta[i] -= learning_rate * m_hat / (sqrtf(v_hat) + epsilon);
  }
};

/// Sum terms: x[i], x[i]², x[i]·y[i].
/// out[i] = Σ_s slices[s · count + i], the slices added in order (score_matching.hpp's
/// accumulation slots).
struct SumOfSlices {
  const float* slices;
  long long count;
  int slice_count;
  float* out;
  LANGEVIN_HD void operator()(long long i) const {
    float total = slices[i];
    for (int s = 1; s < slice_count; ++s) total += slices[s * count + i];
    out[i] = total;
  }
};

struct ValueTerm {
  const float* x;
  LANGEVIN_HD double operator()(long long i) const { return x[i]; }
};
struct SquareTerm {
  const float* x;
  LANGEVIN_HD double operator()(long long i) const { return double(x[i]) * x[i]; }
};
struct ProductTerm {
  const float* x;
  const float* y;
  LANGEVIN_HD double operator()(long long i) const { return double(x[i]) * y[i]; }
};
struct SquaredDistanceTerm {
  const float* x;
  const float* y;
  LANGEVIN_HD double operator()(long long i) const {
    const double d = double(x[i]) - y[i];
    return d * d;
  }
};

}  // namespace langevin::training
