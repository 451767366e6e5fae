// The CPU backend's hinge form: blocks of 16 chains (or points), SIMD across them.

#include "cpu/chain_lanes.hpp"
#include "cpu/hinge_lanes.hpp"
#include "cpu/lanes.hpp"
#include "cpu/points.hpp"

namespace langevin::cpu_backend {
namespace lanes {

namespace {
constexpr int kHingeLanes = device::kVectorLanes;  // one lane vector of chains
}

void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config) {
  device::run_chains_cpu_lanes(device::HingeLanesScore<kHingeLanes>{hinge}, config);
}

void score_hinge(const device::HingeView& hinge, const float* points, float* scores,
                     long long n) {
  cpu_points::score_points_lanes(device::HingeLanesScore<kHingeLanes>{hinge}, 1, points, scores,
                                 n, device::NoThreadSetup{}, 0.0f);
}

}  // namespace lanes
}  // namespace langevin::cpu_backend
