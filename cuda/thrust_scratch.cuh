#pragma once
// Thrust's temporary storage taken from DeviceBuffer (shared by the GPU statistics).

#include <langevin/device_buffer.hpp>

#include <cstddef>
#include <map>

namespace langevin::detail {

/// Thrust's temporary storage (sort and scan buffers) taken from DeviceBuffer, the library's one
/// owner of GPU memory, instead of Thrust's own cudaMalloc calls.
class ThrustScratch {
 public:
  using value_type = char;
  char* allocate(std::ptrdiff_t bytes) {
    // At least one byte: every block needs a distinct address to be found again.
    DeviceBuffer<char> block(static_cast<std::size_t>(bytes > 0 ? bytes : 1));
    char* address = block.data();
    blocks_.emplace(address, std::move(block));
    return address;
  }
  void deallocate(char* address, std::size_t) { blocks_.erase(address); }

 private:
  std::map<char*, DeviceBuffer<char>> blocks_;
};

}  // namespace langevin::detail
