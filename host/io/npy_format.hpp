#pragma once
// The .npy writer's preamble, for writers of a file's data in pieces (the MPI layer's collective
// write): the same bytes as write_npy's.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace langevin::detail {

/// The magic, version, header length and padded header of a little-endian float32 C-order
/// array of `shape`: its data follows at this string's size, a multiple of 64 bytes.
std::string npy_preamble(const std::vector<std::int64_t>& shape);

/// A .npy file's float32 data mapped into memory, read-only: the pages are the file's, read in
/// as they are touched and dropped again under memory pressure, so that an array larger than
/// memory can be read through. Unmapped on destruction.
class MappedNpy {
 public:
  MappedNpy(void* base, std::size_t bytes, std::size_t data_offset,
            std::vector<std::int64_t> shape);
  ~MappedNpy();
  MappedNpy(const MappedNpy&) = delete;
  MappedNpy& operator=(const MappedNpy&) = delete;

  const float* data() const;
  const std::vector<std::int64_t>& shape() const { return shape_; }

 private:
  void* base_;
  std::size_t bytes_;
  std::size_t data_offset_;
  std::vector<std::int64_t> shape_;
};

/// Where a .npy file's data lies and what it is, from its header (checked against the file's
/// size as read_npy checks it).
struct NpyLayout {
  std::vector<std::int64_t> shape;
  bool float32_c_order = false;  // float32 in the host's byte order, C order
  std::uint64_t data_offset = 0;
  std::uint64_t file_bytes = 0;
};
NpyLayout npy_layout(const std::string& path);

/// `path` mapped when it holds float32 in the host's byte order and C order (what the library
/// writes); null for any other dtype or order, which read_npy converts. Throws InvalidInput as
/// read_npy does for a file that is not a valid .npy.
std::unique_ptr<MappedNpy> map_npy_float32(const std::string& path);

}  // namespace langevin::detail
