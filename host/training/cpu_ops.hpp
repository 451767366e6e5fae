#pragma once
// The CPU backend of training: buffers in host memory, GEMMs through CBLAS (OpenBLAS) when the
// build found it and a plain reference GEMM otherwise, elementwise functors over OpenMP threads,
// and sums in a fixed order (so a run gives the same numbers with any thread count).
//
// Sources outside the library that instantiate these templates (the tests) must compile with
// the library's CPU flags (tests/CMakeLists.txt): their copies of the inline functions are one
// symbol with the library's, and the linker keeps one of them for every caller.

#include <algorithm>
#include <cstddef>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace langevin::training {

struct CpuOps {
  using Buffer = std::vector<float>;

  /// Below this many elements a pass runs on one thread: a parallel region's barrier costs
  /// microseconds, and far more when another process holds a core (OpenMP threads then wait
  /// for a descheduled peer).
  static constexpr long long kParallelThreshold = 1 << 15;

  /// Whether a pass of `count` elements should start threads of its own: not when it is small,
  /// and not inside for_each_slot's threads, where each chunk's passes run on one thread.
  static bool spread(long long count) {
#ifdef _OPENMP
    if (omp_in_parallel()) return false;
#endif
    return count >= kParallelThreshold;
  }

  /// A narrow first or last layer's product goes into the hidden layer's pass only for the
  /// compile-time shapes (Shape), whose passes the compiler vectorises; with run-time widths the
  /// pass's inner loops stay scalar, and GEMMs are faster (docs/PERFORMANCE.md).
  static constexpr bool kFusesRuntimeNarrowLayers = false;

  /// Accumulation slots of a batch's chunks (score_matching.hpp): enough for the threads of a
  /// large machine; the result depends on this number, never on the threads.
  static int accumulation_slots() { return 16; }

  /// Chunks that may run at once, each with a workspace of `bytes`: one per thread, within
  /// 1 GiB of workspaces in all.
  static int concurrent_chunks(long long bytes) {
#ifdef _OPENMP
    const long long threads = omp_get_max_threads();
#else
    const long long threads = 1;
#endif
    constexpr long long kWorkspaceBudget = 1ll << 30;
    return static_cast<int>(std::max(1ll, std::min(threads, kWorkspaceBudget / std::max(1ll, bytes))));
  }

  /// f(slot, worker) for slot = 0 … slots − 1, on up to `workers` threads; worker < workers
  /// names the thread's workspace. Slots hold different numbers of chunks: dynamic scheduling
  /// balances them.
  template <class F>
  static void for_each_slot(int slots, int workers, const F& f) {
#pragma omp parallel for schedule(dynamic, 1) num_threads(workers) if (workers > 1 && slots > 1)
    for (int slot = 0; slot < slots; ++slot) {
#ifdef _OPENMP
      f(slot, omp_get_thread_num());
#else
      f(slot, 0);
#endif
    }
  }

  static Buffer allocate(std::size_t count) { return Buffer(count, 0.0f); }
  static void upload(float* destination, const float* host, std::size_t count) {
    std::copy(host, host + count, destination);
  }
  static void download(float* host, const float* source, std::size_t count) {
    std::copy(source, source + count, host);
  }
  static void copy(float* destination, const float* source, std::size_t count) {
    std::copy(source, source + count, destination);
  }
  static void fill(float* destination, float value, std::size_t count) {
    std::fill(destination, destination + count, value);
  }

  /// Row-major C (m × n) = alpha · op(A) · op(B) + beta · C, op(X) = Xᵀ when transposed: CBLAS
  /// where the build found it, else reference_gemm. Out of line (cpu_gemm.cpp), so that which
  /// one is a choice of one library source, not of every source that includes this header.
  static void gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                   const float* a, int lda, const float* b, int ldb, float beta, float* c,
                   int ldc);

  /// The plain GEMM, used where no CBLAS was found (and as the tests' reference).
  static void reference_gemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha,
                             const float* a, int lda, const float* b, int ldb, float beta,
                             float* c, int ldc) {
#pragma omp parallel for schedule(static) if (spread(static_cast<long long>(m) * n * k))
    for (int i = 0; i < m; ++i) {
      for (int j = 0; j < n; ++j) {
        double sum = 0.0;
        for (int p = 0; p < k; ++p) {
          const float x = transpose_a ? a[static_cast<long long>(p) * lda + i]
                                      : a[static_cast<long long>(i) * lda + p];
          const float y = transpose_b ? b[static_cast<long long>(j) * ldb + p]
                                      : b[static_cast<long long>(p) * ldb + j];
          sum += static_cast<double>(x) * y;
        }
        float& out = c[static_cast<long long>(i) * ldc + j];
        out = static_cast<float>(alpha * sum + (beta == 0.0f ? 0.0 : double(beta) * out));
      }
    }
  }

  /// Rows a loss evaluation of `rows` processes at a time: at most 512, so that the chunk's
  /// (rows × width) matrices stay in the caches (for width 1024: 2 MiB each), whatever a row's
  /// workspace takes.
  /// A batch of fewer than 2 048 rows still gets four chunks (of 128 rows at least), so that the
  /// threads take whole chunks instead of sharing each chunk's small GEMMs and passes. A
  /// function of the rows alone: the chunks fix the order of the sums, never the threads.
  static long long chunk_rows(long long rows, long long /*bytes_per_row*/) {
    constexpr long long kRows = 512, kLeast = 128, kChunks = 4;
    return std::clamp((rows + kChunks - 1) / kChunks, kLeast, kRows);
  }

  /// f(row, col) over a rows × cols grid; rows across threads, columns as SIMD lanes. f(r, c)
  /// must touch only its own element of every output (the training passes' elementwise
  /// functors do), so that columns are independent: the compiler cannot prove that of the
  /// functors' several output pointers, and without `omp simd` keeps the loop scalar.
  /// Each thread works on its own copy of f: with the caller's, every store through one of its
  /// pointers might have changed the pointers themselves, and the compiler reloads them per
  /// element, which also defeats the vectoriser ("evolution of base is not affine").
  template <class F>
  static void for_each_2d(long long rows, int cols, const F& f) {
#pragma omp parallel if (spread(rows * cols))
    {
      const F local = f;
#pragma omp for schedule(static)
      for (long long r = 0; r < rows; ++r) {
#pragma omp simd
        for (int c = 0; c < cols; ++c) local(r, c);
      }
    }
  }

  /// f(i) for i < count. Like every functor of functors.hpp (the GPU runs them a thread an
  /// element), f(i) touches only element i's outputs: SIMD lanes may take consecutive i, on a
  /// thread's own copy of f (see for_each_2d).
  template <class F>
  static void for_each(long long count, const F& f) {
#pragma omp parallel if (spread(count))
    {
      const F local = f;
#pragma omp for simd schedule(static)
      for (long long i = 0; i < count; ++i) local(i);
    }
  }

  /// Σ term(i) in double: fixed chunks summed in order, whatever the thread count.
  template <class Term>
  static double sum(long long count, const Term& term) {
    constexpr long long kChunk = 4096;
    const long long chunks = (count + kChunk - 1) / kChunk;
    std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
#pragma omp parallel for schedule(static) if (spread(count))
    for (long long c = 0; c < chunks; ++c) {
      double s = 0.0;
      const long long end = std::min(count, (c + 1) * kChunk);
      for (long long i = c * kChunk; i < end; ++i) s += term(i);
      partial[static_cast<std::size_t>(c)] = s;
    }
    double total = 0.0;
    for (double s : partial) total += s;
    return total;
  }
};

}  // namespace langevin::training
