#pragma once
// The one way the library changes the calling thread's current CUDA device.

namespace langevin::detail {

/// Makes `device` the calling thread's current CUDA device for the scope's lifetime and then
/// restores the one that was current (−1: changes nothing). A caller that chose its device
/// (cudaSetDevice) finds it unchanged after every call into the library.
class DeviceScope {
 public:
  explicit DeviceScope(int device);
  ~DeviceScope();
  DeviceScope(const DeviceScope&) = delete;
  DeviceScope& operator=(const DeviceScope&) = delete;

 private:
  int previous_ = -1;
};

}  // namespace langevin::detail
