#pragma once
// The .npy writer's preamble, for writers of a file's data in pieces (the MPI layer's collective
// write): the same bytes as write_npy's.

#include <cstdint>
#include <string>
#include <vector>

namespace langevin::detail {

/// The magic, version, header length and padded header of a little-endian float32 C-order
/// array of `shape`: its data follows at this string's size, a multiple of 64 bytes.
std::string npy_preamble(const std::vector<std::int64_t>& shape);

}  // namespace langevin::detail
