// The CUDA backend's entry points in a build without it (LANGEVIN_WITH_CUDA=OFF): no GPU is
// visible, so Backend::Auto resolves to the CPU and Backend::Cuda is refused before any of these
// is reached; a caller that reaches one anyway (a device pointer handed to compare_on_device,
// say) gets an error that says why.

#include "backend.hpp"
#include "device_scope.hpp"
#include "training/backends.hpp"

#include <langevin/device_buffer.hpp>
#include <langevin/error.hpp>
#include <langevin/stats.hpp>
#include <langevin/summary.hpp>

#include <string>

namespace langevin {
namespace {

[[noreturn]] void absent(const char* what) {
  throw Error(std::string(what) +
              ": this build of langevin has no CUDA backend (configured with "
              "LANGEVIN_WITH_CUDA=OFF)");
}

}  // namespace

namespace cuda_backend {

bool built() { return false; }
std::vector<GpuInfo> visible_gpus() { return {}; }

void sample_gmm(const device::GmmView&, const device::ChainConfig&, Stream) {
  absent("sampling on the GPU");
}
void score_gmm(const device::GmmView&, const float*, float*, long long, Stream) {
  absent("scoring on the GPU");
}
MlpScratchPlan plan_mlp_scratch(const device::MlpView&, long long) {
  absent("sampling on the GPU");
}
void sample_mlp(const device::MlpView&, Activation, long long, const MlpScratchPlan&, float*,
                const device::ChainConfig&, Stream) {
  absent("sampling on the GPU");
}
void score_mlp(const device::MlpView&, Activation, long long, const MlpScratchPlan&, float*,
               const float*, float*, long long, float, Stream) {
  absent("scoring on the GPU");
}
void likelihood_gmm(const device::GmmView&, const device::LikelihoodConfig&, Stream) {
  absent("likelihoods on the GPU");
}
MlpScratchPlan plan_likelihood_scratch(const device::MlpView&, long long) {
  absent("likelihoods on the GPU");
}
void likelihood_mlp(const device::MlpView&, Activation, long long, const MlpScratchPlan&, float*,
                    const device::LikelihoodConfig&, Stream) {
  absent("likelihoods on the GPU");
}
void sample_hinge(const device::HingeView&, const device::ChainConfig&, Stream) {
  absent("sampling on the GPU");
}
void score_hinge(const device::HingeView&, const float*, float*, long long, Stream) {
  absent("scoring on the GPU");
}

}  // namespace cuda_backend

namespace training {

TrainResult train_cuda(const Array&, const Mlp&, const TrainConfig&) {
  absent("training on the GPU");
}
LossAndGradient loss_and_gradient_cuda(const Mlp&, const Array&, const TrainConfig&,
                                       std::int64_t) {
  absent("training on the GPU");
}

}  // namespace training

Comparison compare_on_device(const float*, std::int64_t, const float*, std::int64_t, int,
                             double) {
  absent("compare_on_device");
}

SampleSummary summarize_on_device(const float*, std::int64_t, int, const HistogramSpec&,
                                  Stream) {
  absent("summarize_on_device");
}

namespace detail {

// A CPU runner's scope (device −1) changes nothing, as in a CUDA build.
DeviceScope::DeviceScope(int device) {
  if (device >= 0) absent("selecting a CUDA device");
}
DeviceScope::~DeviceScope() = default;

int current_device() { absent("the current CUDA device"); }

void* device_allocate(std::size_t bytes) {
  if (bytes == 0) return nullptr;
  absent("allocating GPU memory");
}
void device_free(void*, int) noexcept {}

void copy_host_to_device(void*, const void*, std::size_t bytes, Stream, int) {
  if (bytes != 0) absent("copying to the GPU");
}
void copy_device_to_host(void*, const void*, std::size_t bytes, Stream, int) {
  if (bytes != 0) absent("copying from the GPU");
}
void synchronize(Stream) { absent("waiting for a CUDA stream"); }
void synchronize_device(int) { absent("waiting for a CUDA device"); }
void set_current_device(int) { absent("choosing a CUDA device"); }

}  // namespace detail
}  // namespace langevin
