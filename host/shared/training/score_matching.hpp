#pragma once
// The score-matching loss and its gradient on one batch, for any Ops backend (cpu_ops.hpp,
// cuda/training_ops.cuh): GEMMs for the layers, the functors of functors.hpp in between.
//
// Parameters θ are one flat vector: for each layer l, W_l (outputs × inputs, row-major) then b_l.
// The batch is processed in chunks of Ops::chunk_rows() rows (on the CPU, so that a chunk's
// hidden matrices stay in cache; on the GPU, one chunk). Chunk c adds its loss and gradient
// into accumulation slot c mod S (S = Ops::accumulation_slots(), at most the chunk count), each
// slot's chunks in order, and the slots are summed in order at the end: the CPU runs the slots
// on its threads at once, each chunk's passes and GEMMs on one thread, and the result does not
// depend on how many threads there are (nor, over MPI ranks that each compute a share of the
// slots, on how many ranks: partials.hpp).
// Per chunk of r rows (row-major): x (r × d); hidden l: Z_l, A_l (r × n_l); the tangent streams
// T_l and their pre-derivatives P_l (M·r × n_l); the output S (r × d) and U (M·r × d).

#include "training/functors.hpp"
#include "training/partials.hpp"

#include <langevin/activation.hpp>

#include <algorithm>
#include <cstddef>
#include <limits>
#include <type_traits>
#include <vector>

namespace langevin::training {

/// Where each layer's weights and bias sit in the flat parameter vector.
struct ParameterLayout {
  std::vector<int> widths;  // d, n_1, …, n_L, d
  std::vector<long long> weight_offset;
  std::vector<long long> bias_offset;
  long long count = 0;

  explicit ParameterLayout(std::vector<int> all_widths) : widths(std::move(all_widths)) {
    for (std::size_t l = 0; l + 1 < widths.size(); ++l) {
      weight_offset.push_back(count);
      count += static_cast<long long>(widths[l]) * widths[l + 1];
      bias_offset.push_back(count);
      count += widths[l + 1];
    }
  }
  int layers() const { return static_cast<int>(widths.size()) - 1; }
};

/// f(std::true_type{}) or f(std::false_type{}): a run-time flag as a compile-time one.
template <class F>
void with_bool(bool flag, const F& f) {
  if (flag) {
    f(std::true_type{});
  } else {
    f(std::false_type{});
  }
}

/// What a batch's loss needs besides the network.
struct LossSetup {
  LossKind loss = LossKind::Exact;
  int streams = 0;          // tangent streams: d (exact), projections (sliced), 0 (dsm, ncsn)
  bool gaussian_projections = false;
  float sigma = 0.1f;       // dsm
  const float* sigmas = nullptr;  // ncsn: the levels, on the backend
  int levels = 0;
  bool full_batch = true;
  unsigned long long batch_seed = 0, noise_seed = 0, projection_seed = 0, level_seed = 0;
};

/// S (functors.hpp: Shape) fixes the narrow layers' dimension and the stream count at compile
/// time where the caller knows them; RuntimeShape reads them at run time. The fused passes
/// (d ≤ kFusedNarrowDim) use it, where the backend fuses at all (Ops::kFusesRuntimeNarrowLayers).
template <class Ops, Activation A, class S = RuntimeShape>
class ScoreMatching {
 public:
  using Buffer = typename Ops::Buffer;

  /// Computes the accumulation slots `partials` gives this process (all of them, by default).
  ScoreMatching(Ops& ops, const ParameterLayout& layout, long long rows, const LossSetup& setup,
                const Partials& partials = all_partials())
      : ops_(ops),
        layout_(layout),
        rows_(rows),
        setup_(setup),
        partials_(partials),
        in_(layout.widths.front()),
        dim_(layout.widths.back()),
        fused_in_(in_ <= kFusedNarrowDim && (S::in > 0 || Ops::kFusesRuntimeNarrowLayers)),
        fused_out_(dim_ <= kFusedNarrowDim && (S::out > 0 || Ops::kFusesRuntimeNarrowLayers)) {
    Workspace sizing;
    long long floats_per_row = 0;
    for_each_workspace_buffer(sizing, 1, [&](Buffer&, long long count) { floats_per_row += count; });
    // The GEMMs take int dimensions: streams × rows of a chunk must fit in one.
    const long long int_rows = std::numeric_limits<int>::max() / std::max(1, setup.streams);
    chunk_ = std::max(1ll, std::min({rows, ops.chunk_rows(rows, floats_per_row * sizeof(float)), int_rows}));
    chunks_ = (rows + chunk_ - 1) / chunk_;
    slots_ = static_cast<int>(std::min<long long>(chunks_, ops.accumulation_slots()));
    Workspace first = make_workspace();
    const int workers = std::min(slots_, ops.concurrent_chunks(first.bytes));
    workspaces_.push_back(std::move(first));
    while (static_cast<int>(workspaces_.size()) < workers) workspaces_.push_back(make_workspace());
    // Over ranks even one slot goes through the slots' buffer: its owner hands it on.
    shared_ = partials.shared();
    if (slots_ > 1 || shared_) {
      slot_gradients_ = ops.allocate(static_cast<std::size_t>(slots_ * layout.count));
    }
  }

  /// Selects the data and iteration whose batch rows, noise and projections every loss
  /// evaluation uses until the next call (they are drawn again, identically, per evaluation).
  void prepare(const float* data, long long data_rows, unsigned long long iteration) {
    data_ = data;
    data_rows_ = data_rows;
    iteration_ = iteration;
  }

  /// The mean loss at θ (without weight decay).
  double loss(const float* theta) { return run(theta, nullptr); }

  /// The mean loss at θ, and its gradient into `gradient` (layout of θ).
  double loss_and_gradient(const float* theta, float* gradient) { return run(theta, gradient); }

 private:
  const float* weight(const float* theta, int l) const { return theta + layout_.weight_offset[l]; }
  const float* bias(const float* theta, int l) const { return theta + layout_.bias_offset[l]; }

  /// One chunk's buffers: the inputs, every layer's planes, the output and its adjoints.
  struct Workspace {
    Buffer x, tangents_in, noise, s, u, row_loss, d_a, d_t, ones;
    std::vector<Buffer> z, a, p, t;
    long long bytes = 0;
  };

  /// visit(buffer, count) for each buffer of a workspace of `chunk` rows: one list for
  /// allocating workspaces and for sizing the chunks.
  template <class Visit>
  void for_each_workspace_buffer(Workspace& w, long long chunk, const Visit& visit) const {
    const int hidden_layers = layout_.layers() - 1;
    int widest = 0;
    for (int l = 1; l <= hidden_layers; ++l) widest = std::max(widest, layout_.widths[l]);
    const long long m = std::max(1, setup_.streams);  // buffers of at least one stream
    visit(w.x, chunk * in_);
    visit(w.tangents_in, m * chunk * dim_);
    visit(w.noise, chunk * dim_);
    w.z.resize(hidden_layers);
    w.a.resize(hidden_layers);
    w.p.resize(hidden_layers);
    w.t.resize(hidden_layers);
    for (int l = 0; l < hidden_layers; ++l) {
      const long long plane = chunk * layout_.widths[l + 1];
      visit(w.z[l], plane);
      visit(w.a[l], plane);
      visit(w.p[l], m * plane);
      visit(w.t[l], m * plane);
    }
    visit(w.s, chunk * dim_);
    visit(w.u, m * chunk * dim_);
    visit(w.row_loss, chunk);
    visit(w.d_a, chunk * widest);
    visit(w.d_t, m * chunk * widest);
    visit(w.ones, chunk);
  }

  Workspace make_workspace() {
    Workspace w;
    for_each_workspace_buffer(w, chunk_, [&](Buffer& buffer, long long count) {
      buffer = ops_.allocate(static_cast<std::size_t>(count));
      w.bytes += count * static_cast<long long>(sizeof(float));
    });
    Ops::fill(w.ones.data(), 1.0f, static_cast<std::size_t>(chunk_));
    return w;
  }

  double run(const float* theta, float* gradient) {
    std::vector<double> slot_loss(static_cast<std::size_t>(slots_), 0.0);
    const std::pair<long long, long long> share = partials_.share(slots_);
    const long long first_slot = share.first;
    const int my_slots = static_cast<int>(share.second - share.first);
    ops_.for_each_slot(my_slots, std::min(my_slots, static_cast<int>(workspaces_.size())),
                       [&](int mine, int worker) {
      const int slot = static_cast<int>(first_slot) + mine;
      Workspace& w = workspaces_[static_cast<std::size_t>(worker)];
      float* slot_gradient =
          slots_ == 1 && !shared_
              ? gradient
              : slot_gradients_.data() + static_cast<long long>(slot) * layout_.count;
      for (long long c = slot; c < chunks_; c += slots_) {
        const long long first = c * chunk_;
        const long long rows = std::min(chunk_, rows_ - first);
        draw_inputs(w, first, rows);
        forward(w, theta, rows);
        slot_loss[static_cast<std::size_t>(slot)] += ops_.sum(rows, ValueTerm{w.row_loss.data()});
        if (gradient != nullptr) backward(w, theta, slot_gradient, rows, c == slot ? 0.0f : 1.0f);
      }
    });
    if (shared_) share_slots(gradient != nullptr, slot_loss);
    if (gradient != nullptr && (slots_ > 1 || shared_)) {
      ops_.for_each(layout_.count, SumOfSlices{slot_gradients_.data(), layout_.count, slots_, gradient});
    }
    double total = 0.0;
    for (double part : slot_loss) total += part;
    return total / static_cast<double>(rows_);
  }

  /// Over ranks: every slot's gradient and loss to every rank, through the host.
  void share_slots(bool with_gradient, std::vector<double>& slot_loss) {
    const std::size_t floats = static_cast<std::size_t>(slots_ * layout_.count);
    if (with_gradient) {
      host_slots_.resize(floats);
      Ops::download(host_slots_.data(), slot_gradients_.data(), floats);
    }
    partials_.gather(with_gradient ? host_slots_.data() : nullptr, layout_.count,
                     slot_loss.data(), slots_);
    if (with_gradient) Ops::upload(slot_gradients_.data(), host_slots_.data(), floats);
  }

  void draw_inputs(Workspace& w, long long first, long long rows) {
    const bool noisy = setup_.loss == LossKind::Dsm || setup_.loss == LossKind::Ncsn;
    ops_.for_each(rows,
                  BatchInputs{data_, data_rows_, w.x.data(), noisy ? w.noise.data() : nullptr, rows,
                              first, dim_, setup_.full_batch, setup_.sigma, setup_.sigmas,
                              setup_.levels, setup_.batch_seed, setup_.noise_seed,
                              setup_.level_seed, iteration_});
    if (setup_.streams > 0) {
      ops_.for_each(static_cast<long long>(setup_.streams) * rows * dim_,
                    InitialTangents{w.tangents_in.data(), rows, first, dim_, setup_.streams,
                                    setup_.loss, setup_.gaussian_projections,
                                    setup_.projection_seed, iteration_});
    }
  }

  void forward(Workspace& w, const float* theta, long long rows) {
    const int layers = layout_.layers();
    const int m = setup_.streams;
    const int r = static_cast<int>(rows);
    const float* input = w.x.data();
    const float* tangent_input = w.tangents_in.data();
    for (int l = 0; l + 1 < layers; ++l) {  // input or hidden → hidden l + 1
      const int in = layout_.widths[l], out = layout_.widths[l + 1];
      const bool narrow = l == 0 && fused_in_;
      if (!narrow) {  // Z = A Wᵀ, P = T Wᵀ
        ops_.gemm(false, true, r, out, in, 1.0f, input, in, weight(theta, l), in, 0.0f,
                  w.z[l].data(), out);
        if (m > 0) {
          ops_.gemm(false, true, m * r, out, in, 1.0f, tangent_input, in, weight(theta, l), in,
                    0.0f, w.p[l].data(), out);
        }
      }
      with_bool(narrow, [&](auto is_narrow) {
        ops_.for_each_2d(rows, out,
                         ForwardHidden<A, S, decltype(is_narrow)::value>{
                             w.z[l].data(), bias(theta, l), w.a[l].data(), w.p[l].data(),
                             w.t[l].data(), rows, out, m, narrow ? input : nullptr, tangent_input,
                             weight(theta, l), in});
      });
      input = w.a[l].data();
      tangent_input = w.t[l].data();
    }
    const int last = layers - 1;
    const int in = layout_.widths[last];
    ops_.gemm(false, true, r, dim_, in, 1.0f, input, in, weight(theta, last), in, 0.0f, w.s.data(),
              dim_);
    if (m > 0) {
      ops_.gemm(false, true, m * r, dim_, in, 1.0f, tangent_input, in, weight(theta, last), in,
                0.0f, w.u.data(), dim_);
    }
    ops_.for_each(rows, OutputLoss{w.s.data(), w.u.data(), bias(theta, last), w.tangents_in.data(),
                                   w.noise.data(), w.row_loss.data(), rows, dim_, m, setup_.loss,
                                   setup_.sigma});
  }

  // After forward(): w.s holds ∂ℓ/∂S and w.u holds ∂ℓ/∂U (per row, unscaled). Adds the chunk's
  // share (scaled by 1/rows of the whole batch) to `gradient`; beta = 0 overwrites instead.
  void backward(Workspace& w, const float* theta, float* gradient, long long rows, float beta) {
    const int layers = layout_.layers();
    const int m = setup_.streams;
    const int r = static_cast<int>(rows);
    const float scale = 1.0f / static_cast<float>(rows_);
    const float* g_out = w.s.data();
    const float* g_tangent_out = w.u.data();
    int out = dim_;
    for (int l = layers - 1; l >= 0; --l) {
      const int in = layout_.widths[l];
      const float* a_in = l == 0 ? w.x.data() : w.a[l - 1].data();
      const float* t_in = l == 0 ? w.tangents_in.data() : w.t[l - 1].data();
      // ∂W_l += Gᵀ A + G_Uᵀ T, ∂b_l += Gᵀ 1.
      float* d_weight = gradient + layout_.weight_offset[l];
      ops_.gemm(true, false, out, in, r, scale, g_out, out, a_in, in, beta, d_weight, in);
      if (m > 0) {
        ops_.gemm(true, false, out, in, m * r, scale, g_tangent_out, out, t_in, in, 1.0f,
                  d_weight, in);
      }
      ops_.gemm(true, false, out, 1, r, scale, g_out, out, w.ones.data(), 1, beta,
                gradient + layout_.bias_offset[l], 1);
      if (l == 0) break;
      // Down into hidden layer l: ∂A = G W_l, ∂T = G_U W_l (fused into the pass for a narrow
      // output layer), then through the activation.
      const bool narrow = l == layers - 1 && fused_out_;
      if (!narrow) {
        ops_.gemm(false, false, r, in, out, 1.0f, g_out, out, weight(theta, l), in, 0.0f,
                  w.d_a.data(), in);
        if (m > 0) {
          ops_.gemm(false, false, m * r, in, out, 1.0f, g_tangent_out, out, weight(theta, l), in,
                    0.0f, w.d_t.data(), in);
        }
      }
      const int hidden = l - 1;  // index into z_, p_ …
      with_bool(narrow, [&](auto is_narrow) {
        ops_.for_each_2d(rows, in,
                         BackwardHidden<A, S, decltype(is_narrow)::value>{
                             w.z[hidden].data(), w.p[hidden].data(), w.d_a.data(), w.d_t.data(), rows,
                             in, m, narrow ? g_out : nullptr, g_tangent_out, weight(theta, l),
                             out});
      });
      g_out = w.z[hidden].data();          // now ∂Z
      g_tangent_out = w.p[hidden].data();  // now ∂P
      out = in;
    }
  }

  Ops& ops_;
  const ParameterLayout& layout_;
  long long rows_;
  LossSetup setup_;
  const Partials& partials_;
  bool shared_ = false;            // the slots are computed over ranks (partials.hpp)
  std::vector<float> host_slots_;  // their gradients on the host, to hand on
  int in_;   // the network's input width: d, or d + 1 for ncsn (log σ)
  int dim_;  // the data's dimension: the network's outputs
  bool fused_in_;
  bool fused_out_;
  const float* data_ = nullptr;
  long long data_rows_ = 0;
  unsigned long long iteration_ = 0;
  long long chunk_ = 1;   // rows per chunk
  long long chunks_ = 0;
  int slots_ = 1;
  std::vector<Workspace> workspaces_;  // one per chunk that may run at once
  Buffer slot_gradients_;              // slots_ × θ, when there is more than one slot
};

}  // namespace langevin::training
