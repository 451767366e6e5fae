#pragma once
/// \file
/// File formats: NumPy .npy arrays and safetensors tensor files (see docs/FORMATS.md).
/// Readers reject malformed files with InvalidInput naming the file and the problem; writers
/// write to a temporary name and rename, so an output path never holds a half-written file.

#include <langevin/array.hpp>

#include <map>
#include <string>

namespace langevin {

/// Reads a .npy file (format 1.0, 2.0 or 3.0). Float (f2, f4, f8), signed and unsigned integer
/// (1 to 8 bytes) and bool arrays of either byte order and either memory order are converted to
/// float32 in C order; the shape is the file's (a 0-d array has shape ()).
Array read_npy(const std::string& path);

/// Writes `array` as a little-endian float32 .npy file (format 1.0), atomically.
void write_npy(const std::string& path, const Array& array);

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
