#pragma once
// Where `data`, `sample` and `score` write their arrays: a .npy file, or an HDF5 file whose root
// group records what produced the array (docs/FORMATS.md, "Arrays: HDF5").

#include "common.hpp"

#include <functional>
#include <string>

namespace langevin::cli {

/// Refuses an array output path before any work is done: it must be a .npy, .h5 or .hdf5 file in
/// an existing directory, and HDF5 only in a build that has it.
void check_array_output_path(const std::string& path, const std::string& option);

/// Whether `path` names an HDF5 file (.h5, .hdf5).
bool is_hdf5_path(const std::string& path);

/// Writes `array` to `path`: a .npy file, or the dataset `dataset` of an HDF5 file with the
/// attributes `describe` returns. They are gathered only for HDF5 (hashing inputs takes time).
void write_array_output(const std::string& path, const std::string& dataset, const Array& array,
                        const std::function<Hdf5Attributes()>& describe);

/// What every output records: "command" and "langevin_version", and its "shape".
Hdf5Attributes describe_output(const std::string& command, const std::vector<std::int64_t>& shape);
inline Hdf5Attributes describe_output(const std::string& command, const Array& array) {
  return describe_output(command, array.shape());
}

/// Records an input file as "<key>_path" and "<key>_sha256", the hash saying which file it was
/// even if the path later names another ("unavailable (...)" in a build without OpenSSL).
void describe_input_file(Hdf5Attributes& attributes, const std::string& key,
                         const std::string& path);

/// Records the score source: "target" ("model" or "gmm") and its file as target_path and
/// target_sha256.
void describe_score_source(Hdf5Attributes& attributes, const ScoreSourceOptions& source);

}  // namespace langevin::cli
