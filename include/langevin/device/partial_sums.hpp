#pragma once
/// \file
/// The fixed order in which the library folds partial sums: by halves, partial[p] +=
/// partial[p + P/2] for p < P/2, then P/4, … 1, so that partial[0] holds the total. One tree for
/// every pass that keeps partial sums (the MLP's, the hinge form's), on scalars or the CPU's lane
/// vectors, on both backends (it is also the order a butterfly of warp shuffles gives), so that
/// their results agree bit for bit.

#include <langevin/device/config.hpp>

namespace langevin::device {
namespace partial_sums_detail {

template <class T>
LANGEVIN_HD void add_into(T& sum, const T& term) {
  sum += term;
}
template <class T, int N>
LANGEVIN_HD void add_into(T (&sum)[N], const T (&term)[N]) {
  LANGEVIN_UNROLL
  for (int k = 0; k < N; ++k) add_into(sum[k], term[k]);
}

/// Recursion on the stride, so that every index is a compile-time constant and the sums stay in
/// registers.
template <int Stride, class T, int P>
LANGEVIN_HD void fold_by_halves(T (&partial)[P]) {
  if constexpr (Stride > 0) {
    LANGEVIN_UNROLL
    for (int p = 0; p < Stride; ++p) add_into(partial[p], partial[p + Stride]);
    fold_by_halves<Stride / 2>(partial);
  }
}

}  // namespace partial_sums_detail

/// Folds partial[0 … P) into partial[0] (P a power of two). T is a float, a lane vector, or an
/// array of them, whose elements fold alike.
template <class T, int P>
LANGEVIN_HD void fold_partial_sums(T (&partial)[P]) {
  static_assert((P & (P - 1)) == 0, "a power of two of partial sums");
  partial_sums_detail::fold_by_halves<P / 2>(partial);
}

}  // namespace langevin::device
