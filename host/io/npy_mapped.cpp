// A .npy file's float32 data mapped into memory (io/npy_format.hpp): the trajectory reader of
// diagnose_file, which must not need the file's size in memory.

#include "io/npy_format.hpp"

#include <langevin/error.hpp>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace langevin::detail {

MappedNpy::MappedNpy(void* base, std::size_t bytes, std::size_t data_offset,
                     std::vector<std::int64_t> shape)
    : base_(base), bytes_(bytes), data_offset_(data_offset), shape_(std::move(shape)) {}

MappedNpy::~MappedNpy() {
  if (base_ != nullptr) ::munmap(base_, bytes_);
}

const float* MappedNpy::data() const {
  return reinterpret_cast<const float*>(static_cast<const unsigned char*>(base_) + data_offset_);
}

std::unique_ptr<MappedNpy> map_npy_float32(const std::string& path) {
  const NpyLayout layout = npy_layout(path);
  if (!layout.float32_c_order || layout.data_offset % alignof(float) != 0 ||
      layout.file_bytes == layout.data_offset) {
    return nullptr;
  }
  const int descriptor = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (descriptor < 0) {
    throw InvalidInput(path + ": cannot open it: " + std::strerror(errno));
  }
  void* base = ::mmap(nullptr, static_cast<std::size_t>(layout.file_bytes), PROT_READ,
                      MAP_PRIVATE, descriptor, 0);
  ::close(descriptor);                     // the mapping keeps the file
  if (base == MAP_FAILED) return nullptr;  // the caller then reads it with read_npy
  return std::make_unique<MappedNpy>(base, static_cast<std::size_t>(layout.file_bytes),
                                     static_cast<std::size_t>(layout.data_offset), layout.shape);
}

}  // namespace langevin::detail
