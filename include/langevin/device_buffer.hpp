#pragma once
/// \file
/// DeviceBuffer<T>: the one owner of GPU memory in the library (RAII, move-only), on the device
/// that was current when it was allocated, and DeviceArray: a result left on the GPU for the
/// caller, with its shape and stream.
/// Needs no CUDA headers: a stream is a cudaStream_t, declared here as what it is.

#include <langevin/array.hpp>

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

struct CUstream_st;

namespace langevin {

/// A CUDA stream (cudaStream_t); nullptr is the default stream.
using Stream = CUstream_st*;

namespace detail {
/// The calling thread's current CUDA device.
int current_device();
/// Makes `device` the calling thread's current CUDA device.
void set_current_device(int device);
void* device_allocate(std::size_t bytes);
/// Frees memory that device_allocate gave on `device`.
void device_free(void* pointer, int device) noexcept;
/// Copies between the host and memory of CUDA device `device` (−1: the current one) on `stream`,
/// a stream of that device; the copy to the host waits for it.
void copy_host_to_device(void* to, const void* host, std::size_t bytes, Stream stream,
                         int device = -1);
void copy_device_to_host(void* host, const void* from, std::size_t bytes, Stream stream,
                         int device = -1);
void synchronize(Stream stream);
/// Waits for all work on CUDA device `device`, on every stream of it.
void synchronize_device(int device);
}  // namespace detail

template <class T>
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  /// Uninitialised memory for `count` values on the current device; throws Error if the device
  /// is out of memory.
  explicit DeviceBuffer(std::size_t count)
      : DeviceBuffer(count, count > 0 ? detail::current_device() : -1) {}
  /// A device copy of `values`.
  DeviceBuffer(const T* values, std::size_t count, Stream stream = nullptr) : DeviceBuffer(count) {
    upload(values, count, stream);
  }
  ~DeviceBuffer() { detail::device_free(data_, device_); }

  DeviceBuffer(DeviceBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        count_(std::exchange(other.count_, 0)),
        device_(std::exchange(other.device_, -1)) {}
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept {
    if (this != &other) {
      detail::device_free(data_, device_);
      data_ = std::exchange(other.data_, nullptr);
      count_ = std::exchange(other.count_, 0);
      device_ = std::exchange(other.device_, -1);
    }
    return *this;
  }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* data() { return data_; }
  const T* data() const { return data_; }
  std::size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  /// The CUDA device the memory is on (−1 when empty).
  int device() const { return device_; }

  /// Copies `count` ≤ size() values from the host (stream-ordered; synchronous for pageable memory).
  void upload(const T* values, std::size_t count, Stream stream = nullptr) {
    detail::copy_host_to_device(data_, values, count * sizeof(T), stream, device_);
  }
  /// Copies `count` ≤ size() values to the host and waits for them.
  void download(T* values, std::size_t count, Stream stream = nullptr) const {
    detail::copy_device_to_host(values, data_, count * sizeof(T), stream, device_);
  }

 private:
  // The device asked for first: a failure there then leaves nothing allocated.
  DeviceBuffer(std::size_t count, int device)
      : data_(static_cast<T*>(detail::device_allocate(count * sizeof(T)))),
        count_(count),
        device_(device) {}

  T* data_ = nullptr;
  std::size_t count_ = 0;
  int device_ = -1;
};

/// A float32 array on the GPU in C order: the sampler's output when the caller keeps it there.
/// The values are ready once `stream` reaches the point where the producing call returned.
struct DeviceArray {
  DeviceBuffer<float> buffer;
  std::vector<std::int64_t> shape;
  Stream stream = nullptr;

  float* data() { return buffer.data(); }
  const float* data() const { return buffer.data(); }
  /// Waits for the stream and copies the values to the host.
  Array to_host() const;
};

}  // namespace langevin
