#pragma once
// What the bit-identity tests of runs share (checkpoint_test.cpp, sampler_test.cpp,
// split_test.cpp): a 3-D two-component mixture to sample, and the comparison of two results'
// shapes and bytes.

#include <langevin/array.hpp>
#include <langevin/gmm.hpp>

#include <cstddef>
#include <cstring>

namespace langevin::testing {

/// Two components in 3-D with different scales per coordinate.
inline GaussianMixture two_components_3d() {
  return GaussianMixture({0.5, 0.5}, {{-1.0, 0.0, 1.0}, {1.0, 2.0, -1.0}},
                         {{1.0, 0.5, 2.0}, {0.7, 1.0, 1.0}});
}

/// The same shape and the same bytes (so −0 differs from 0, and equal NaNs compare equal).
inline bool same_bits(const Array& a, const Array& b) {
  return a.shape() == b.shape() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0);
}

}  // namespace langevin::testing
