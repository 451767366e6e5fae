#pragma once
// Runners (docs/DEVELOPING.md: targets, runners, the driver): where one part of a run executes —
// the host's threads, or one CUDA device by its ordinal — and how memory moves between it and
// the host. The driver sees nothing of a backend but this interface.

#include "device_scope.hpp"

#include <langevin/backend.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/target.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace langevin::detail {

class Runner {
 public:
  /// On the device's default stream until set_stream.
  explicit Runner(const Place& place) : place_(place) {}
  virtual ~Runner() = default;
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  const Place& place() const { return place_; }
  /// The stream its work is ordered on (a GPU's; nullptr: the device's default stream).
  Stream stream() const { return stream_; }
  /// Orders the next work on `stream`. Work left on the previous stream (a caller's, after
  /// run_on_device or run_into) is waited for first: a non-blocking stream and the default one
  /// are not ordered, and the next run reuses the buffers that work may still use.
  void set_stream(Stream stream) {
    if (stream != stream_) wait();
    stream_ = stream;
  }
  /// "cpu", "cuda:0", …
  std::string name() const;

  /// Whether its kernels read and write host memory (the CPU): the driver then gives them the
  /// caller's arrays themselves instead of copies.
  virtual bool shares_host_memory() const = 0;
  /// Chains a progress slice has at least, so that a slice keeps every core or SM busy.
  virtual std::int64_t min_slice() const = 0;
  /// `bytes` from the host into this runner's memory, ordered on its stream.
  virtual void upload(void* to, const void* from, std::size_t bytes) const = 0;
  /// `bytes` of this runner's memory to the host; returns when they are there.
  virtual void download(void* to, const void* from, std::size_t bytes) const = 0;
  /// Waits for everything launched here so far.
  virtual void wait() const = 0;

 private:
  Place place_;
  Stream stream_ = nullptr;
};

/// The host's threads (OpenMP): memory is the host's.
class CpuRunner final : public Runner {
 public:
  CpuRunner() : Runner(Place{Backend::Cpu, -1}) {}
  bool shares_host_memory() const override { return true; }
  std::int64_t min_slice() const override;
  void upload(void* to, const void* from, std::size_t bytes) const override;
  void download(void* to, const void* from, std::size_t bytes) const override;
  void wait() const override {}
};

/// One CUDA device and a stream on it.
class CudaRunner final : public Runner {
 public:
  explicit CudaRunner(int device);
  bool shares_host_memory() const override { return false; }
  std::int64_t min_slice() const override;
  void upload(void* to, const void* from, std::size_t bytes) const override;
  void download(void* to, const void* from, std::size_t bytes) const override;
  void wait() const override;
};

/// The runners a run of `config` uses, its chains split over them in this order: the CPU, or
/// config's CUDA device(s), each on its default stream (a caller's stream is a stream of one
/// device: Runner::set_stream gives it to that device's runner). `backend` is config.backend
/// resolved. Throws InvalidInput naming device or devices when they are not visible GPUs, or
/// given for the CPU.
std::vector<std::unique_ptr<Runner>> make_runners(Backend backend, int device,
                                                  const std::vector<int>& devices);

/// `count` values on a runner: host memory on the CPU, device memory on a GPU.
template <class T>
class RunnerBuffer {
 public:
  RunnerBuffer() = default;
  RunnerBuffer(const Runner& runner, std::size_t count) {
    if (runner.shares_host_memory()) {
      host_.assign(count, T{});
    } else {
      const DeviceScope scope(runner.place().device);
      device_ = DeviceBuffer<T>(count);
    }
  }
  T* data() { return host_.empty() ? device_.data() : host_.data(); }
  std::size_t size() const { return host_.empty() ? device_.size() : host_.size(); }

 private:
  std::vector<T> host_;
  DeviceBuffer<T> device_;
};

}  // namespace langevin::detail
