#pragma once
/// \file
/// File formats: NumPy .npy arrays, HDF5 arrays with their provenance, and safetensors tensor
/// files (see docs/FORMATS.md). Readers reject malformed files with InvalidInput naming the file
/// and the problem; writers write to a temporary name and rename, so an output path never holds
/// a half-written file.

#include <langevin/array.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace langevin {

/// Reads a .npy file (format 1.0, 2.0 or 3.0). Float (f2, f4, f8), signed and unsigned integer
/// (1 to 8 bytes) and bool arrays of either byte order and either memory order are converted to
/// float32 in C order; the shape is the file's (a 0-d array has shape ()).
Array read_npy(const std::string& path);

/// Writes `array` as a little-endian float32 .npy file (format 1.0), atomically.
void write_npy(const std::string& path, const Array& array);

/// Whether this build reads and writes HDF5 files. Without HDF5 (a build on a machine without
/// libhdf5-dev), the HDF5 functions below throw InvalidInput saying so. HDF5's usual build is
/// not thread-safe: call them from one thread at a time.
bool hdf5_available();

/// Reads a dataset of an HDF5 file: floating-point or integer numbers of rank 1, 2 or 3 (a
/// trajectory), converted to float32 in C order. With `dataset` empty: the dataset "samples" of
/// the root group, else "data", else the root group's only dataset; several others are an
/// InvalidInput listing their names. Sizes are checked against the file before allocating.
Array read_hdf5(const std::string& path, const std::string& dataset = "");

/// A value recorded with an HDF5 dataset: integer, real, string (UTF-8) or a 1-D array. Written
/// as HDF5 64-bit integers, 64-bit IEEE reals and variable-length strings. Give integers their
/// type (std::int64_t{5}): a plain int is ambiguous between the alternatives.
using Hdf5Attribute = std::variant<std::int64_t, std::uint64_t, double, std::string,
                                   std::vector<std::int64_t>, std::vector<double>>;
using Hdf5Attributes = std::map<std::string, Hdf5Attribute>;

/// Writes `array` as the float32 dataset `dataset` of a new HDF5 file with `attributes` on the
/// file's root group (where `h5dump -A` and h5py's `File.attrs` show them), atomically. Any
/// failure removes the partial file and throws Error("cannot write <path>: <reason>").
void write_hdf5(const std::string& path, const std::string& dataset, const Array& array,
                const Hdf5Attributes& attributes = {});

/// The attributes of an HDF5 file's root group whose type Hdf5Attribute can hold: integer and
/// real scalars and 1-D arrays, and strings; attributes of other types are left out.
Hdf5Attributes read_hdf5_attributes(const std::string& path);

/// Reads an array by the file's extension: .npy with read_npy, .h5 or .hdf5 with read_hdf5
/// (the dataset it picks by default); any other extension is an InvalidInput.
Array read_array(const std::string& path);

/// Writes an array by the file's extension: .npy with write_npy (without the attributes), .h5
/// or .hdf5 with write_hdf5 as the dataset "samples"; any other extension is an InvalidInput.
void write_array(const std::string& path, const Array& array,
                 const Hdf5Attributes& attributes = {});

/// Whether this build computes SHA-256 digests (with OpenSSL's libcrypto).
bool sha256_available();

/// The SHA-256 digest of a file's bytes in lower-case hex, to record which input produced an
/// output. Throws InvalidInput when the file cannot be read, Error when !sha256_available().
std::string file_sha256(const std::string& path);

/// The tensors and metadata of a safetensors file.
struct TensorFile {
  std::map<std::string, Array> tensors;
  std::map<std::string, std::string> metadata;
};

/// Reads a safetensors file. F32 tensors are read as is; F64, F16, BF16 and integer tensors are
/// converted to float32. Offsets, sizes and the header are checked before anything is allocated.
TensorFile read_safetensors(const std::string& path);

/// Writes a safetensors file with float32 tensors (sorted by name) and the metadata, atomically.
void write_safetensors(const std::string& path, const TensorFile& file);

}  // namespace langevin
