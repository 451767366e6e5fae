#pragma once
/// \file
/// NormalStream: the Gaussian noise of one chain, drawn from cuRAND's Philox4x32-10.
///
/// The contract (docs/REPRODUCIBILITY.md): chain i (its global index) uses Philox subsequence i
/// under the run's seed. Each draw of a d-dimensional normal vector consumes exactly
/// counters_per_draw(d) Philox counters (four 32-bit words each, turned into four normals by
/// the library's own Box–Muller, box_muller.hpp: the same bits on every backend), whatever d mod
/// 4 is. Draw 0 gives the initial state, draw 1 + k the noise of
/// step k. So the noise of any step is found by position alone: the CPU and GPU backends, any
/// launch shape, a split of the chains across runs and a resumed run all see the same numbers.
///
/// cuRAND's device API compiles for the host too when QUALIFIERS is defined as below before
/// curand_kernel.h is first included (a translation unit that already included it for the device
/// only must include this header first).

#ifndef QUALIFIERS
#define QUALIFIERS static __forceinline__ __host__ __device__
#endif
#include <curand_kernel.h>

#include <langevin/device/box_muller.hpp>
#include <langevin/device/config.hpp>
#include <langevin/device/math.hpp>

namespace langevin::device {

/// Philox counters consumed by one draw of a d-dimensional normal vector.
LANGEVIN_HD constexpr unsigned long long counters_per_draw(int dim) {
  return static_cast<unsigned long long>((dim + 3) / 4);
}

/// Four uniform 32-bit words: counter `counter` of Philox subsequence `subsequence` under
/// `seed`. For draws that are not normals (mini-batch indices, Rademacher signs).
LANGEVIN_HD uint4 philox_words(unsigned long long seed, unsigned long long subsequence,
                               unsigned long long counter) {
  curandStatePhilox4_32_10_t state;
  curand_init(seed, subsequence, 4ull * counter, &state);
  return curand4(&state);
}

class NormalStream {
 public:
  /// The stream of global chain `chain`, positioned at draw `draw` of a `dim`-dimensional vector.
  /// A draw may hold `extra` more counters (uniform() takes one each: MALA's accept test), so
  /// that draws stay a fixed number of counters apart.
  NormalStream() = default;  // a placeholder, to be assigned a stream before use

  LANGEVIN_HD NormalStream(unsigned long long seed, unsigned long long chain, int dim,
                           unsigned long long draw, int extra = 0) {
    curand_init(seed, chain, 4ull * (counters_per_draw(dim) + extra) * draw, &state_);
  }

  /// A uniform number in (0, 1), from one counter.
  LANGEVIN_HD float uniform() {
    const uint4 words = curand4(&state_);
    return math::fma(static_cast<float>(words.x), 2.3283064365386963e-10f, 1.1641532182693481e-10f);
  }

  /// Fills z[0 .. dim) with one draw. MaxDim bounds dim at compile time so that, up to
  /// kRegisterDim, z can live in registers (every index is a constant once the loops unroll).
  template <int MaxDim>
  LANGEVIN_HD void draw(float* z, int dim) {
LANGEVIN_UNROLL
    for (int group = 0; group < (LANGEVIN_DIM_BOUND(MaxDim, dim) + 3) / 4; ++group) {
      const int first = 4 * group;
      if (first >= dim) break;
      const uint4 words = curand4(&state_);
      float n0, n1, n2, n3;
      box_muller<ScalarOps>(words.x, words.y, n0, n1);
      z[first] = n0;
      if (first + 1 < MaxDim && first + 1 < dim) z[first + 1] = n1;
      if (first + 2 < MaxDim && first + 2 < dim) {
        box_muller<ScalarOps>(words.z, words.w, n2, n3);  // skipped when this group needs only two
        z[first + 2] = n2;
        if (first + 3 < MaxDim && first + 3 < dim) z[first + 3] = n3;
      }
    }
  }

 private:
  curandStatePhilox4_32_10_t state_;
};

}  // namespace langevin::device
