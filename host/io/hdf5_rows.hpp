#pragma once
// The HDF5 writer's file without its data, for writers of an array's rows in pieces (the MPI
// layer's collective write): the same bytes as write_hdf5's once the data is in place.

#include <langevin/io.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace langevin::detail {

/// Creates `temporary` (an existing empty file, overwritten) as write_hdf5(path, dataset, …)
/// writes an array of `shape` with `attributes`, all but the data's bytes, and returns the byte
/// offset where the data goes: float32 little-endian in C order, contiguous. `path` names the
/// file in errors. Throws as write_hdf5 does (InvalidInput without HDF5).
std::uint64_t create_hdf5_for_rows(const std::string& temporary, const std::string& path,
                                   const std::string& dataset,
                                   const std::vector<std::int64_t>& shape,
                                   const Hdf5Attributes& attributes);

}  // namespace langevin::detail
