// The CPU runner, and the choice of runners for a run.

#include "run/runner.hpp"

#include <langevin/error.hpp>

#include <algorithm>
#include <cstring>

namespace langevin::detail {

std::string Runner::name() const {
  if (place_.backend == Backend::Cpu) return "cpu";
  return "cuda:" + std::to_string(place_.device);
}

// Whole blocks of 16 or 32 chains, enough of them for every thread.
std::int64_t CpuRunner::min_slice() const { return 4096; }

void CpuRunner::upload(void* to, const void* from, std::size_t bytes) const {
  if (bytes > 0 && to != from) std::memmove(to, from, bytes);
}

void CpuRunner::download(void* to, const void* from, std::size_t bytes) const {
  if (bytes > 0 && to != from) std::memmove(to, from, bytes);
}

namespace {

std::string list_text(const std::vector<int>& values) {
  std::string text;
  for (std::size_t i = 0; i < values.size(); ++i) {
    text += (i > 0 ? "," : "") + std::to_string(values[i]);
  }
  return text;
}

void require_visible(int device, const std::string& field) {
  const int count = static_cast<int>(gpus().size());
  if (device < 0 || device >= count) {
    throw InvalidInput(field + " = " + std::to_string(device) + ": " +
                       (count == 0 ? std::string("no CUDA GPU is visible")
                                   : "the visible CUDA devices are 0 … " +
                                         std::to_string(count - 1)));
  }
}

}  // namespace

std::vector<std::unique_ptr<Runner>> make_runners(Backend backend, int device,
                                                  const std::vector<int>& devices) {
  std::vector<std::unique_ptr<Runner>> runners;
  if (backend == Backend::Cpu) {
    if (device != -1 || !devices.empty()) {
      const std::string field = devices.empty() ? "device" : "devices";
      const std::string value = devices.empty() ? std::to_string(device) : list_text(devices);
      throw InvalidInput(field + " = " + value +
                         ": this run is on the cpu backend; devices name CUDA GPUs");
    }
    runners.push_back(std::make_unique<CpuRunner>());
    return runners;
  }
  if (devices.empty()) {
    if (device != -1) require_visible(device, "device");
    runners.push_back(
        std::make_unique<CudaRunner>(device == -1 ? current_device() : device));
    return runners;
  }
  if (device != -1) {
    throw InvalidInput("device = " + std::to_string(device) + ": give either device or devices (" +
                       list_text(devices) + "), not both");
  }
  for (std::size_t i = 0; i < devices.size(); ++i) {
    require_visible(devices[i], "devices[" + std::to_string(i) + "]");
    if (std::find(devices.begin(), devices.begin() + static_cast<std::ptrdiff_t>(i), devices[i]) !=
        devices.begin() + static_cast<std::ptrdiff_t>(i)) {
      throw InvalidInput("devices = " + list_text(devices) + ": device " +
                         std::to_string(devices[i]) + " is named twice");
    }
    runners.push_back(std::make_unique<CudaRunner>(devices[i]));
  }
  return runners;
}

}  // namespace langevin::detail
