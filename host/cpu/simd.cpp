// The CPU backend's entry points (cpu/backend.hpp) for the code that runs in lane vectors: the
// copy compiled for the widest instruction set this build has and this CPU runs
// (cpu/lanes.hpp), capped by LANGEVIN_CPU_SIMD. Chosen at every call, so that a test can run
// each copy in turn; reading one variable costs nothing beside a sampling run.

#include "cpu/backend.hpp"
#include "cpu/lanes.hpp"
#include "cpu_targets.hpp"

#include <langevin/backend.hpp>
#include <langevin/error.hpp>

#include <cstdlib>
#include <string>

extern "C" {
#define LANGEVIN_DECLARE_TABLE(name) \
  const langevin::cpu_backend::LanesKernels* langevin_cpu_lanes_##name();
LANGEVIN_FOR_EACH_CPU_TARGET(LANGEVIN_DECLARE_TABLE)
#undef LANGEVIN_DECLARE_TABLE
}

namespace langevin {
namespace {

using cpu_backend::LanesKernels;

/// The copies this build has, narrowest first.
std::vector<const LanesKernels*> built_kernels() {
  return {
#define LANGEVIN_TABLE(name) langevin_cpu_lanes_##name(),
      LANGEVIN_FOR_EACH_CPU_TARGET(LANGEVIN_TABLE)
#undef LANGEVIN_TABLE
  };
}

/// An instruction set's width within its family (x86: avx2 < avx512; Arm: neon < sve); 0 for
/// "scalar", −1 for a name not known.
int rank_of(const std::string& simd) {
  if (simd == "scalar") return 0;
  if (simd == "avx2" || simd == "neon") return 1;
  if (simd == "avx512" || simd == "sve") return 2;
  return -1;
}

bool arm_name(const std::string& simd) { return simd == "neon" || simd == "sve"; }

/// Whether this CPU runs code compiled for `simd` (the build's flags for it:
/// cmake/LangevinCpuTargets.cmake).
bool cpu_runs(const std::string& simd) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // x86-64-v3 (AVX2, FMA, BMI1/2; its other features come with them in every CPU that has them).
  const bool v3 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                  __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
  if (simd == "avx2") return v3;
  if (simd == "avx512") {  // x86-64-v4
    return v3 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
           __builtin_cpu_supports("avx512vl");
  }
  return false;
#elif defined(__aarch64__)
  return simd == "neon";  // every Armv8 CPU; the build has no SVE copy (cpu/lane_ops.hpp)
#else
  return false;
#endif
}

std::string names(const std::vector<const LanesKernels*>& kernels) {
  std::string text;
  for (const LanesKernels* k : kernels) text += (text.empty() ? "" : ", ") + std::string(k->simd);
  return text;
}

/// The copy to run, and the cap it was chosen under.
const LanesKernels& choose(std::string* cap_out = nullptr) {
  const std::vector<const LanesKernels*> built = built_kernels();
  std::string cap;
  if (const char* value = std::getenv("LANGEVIN_CPU_SIMD"); value != nullptr && *value != '\0') {
    cap = value;
  }
  if (cap_out != nullptr) *cap_out = cap;
  const bool arm = arm_name(built.front()->simd);
  if (!cap.empty()) {
    if (rank_of(cap) < 0) {
      throw InvalidInput("LANGEVIN_CPU_SIMD: '" + cap +
                         "' is not one of avx2, avx512, neon, sve, scalar (this build has " +
                         names(built) + ")");
    }
    if (cap != "scalar" && arm_name(cap) != arm) {
      throw InvalidInput("LANGEVIN_CPU_SIMD: '" + cap + "' is an " +
                         (arm ? "x86" : "Arm") + " instruction set; this build's CPU backend has " +
                         names(built));
    }
  }
  const LanesKernels* chosen = nullptr;
  bool capped = false;
  for (const LanesKernels* kernels : built) {
    if (!cpu_runs(kernels->simd)) continue;
    if (!cap.empty() && rank_of(kernels->simd) > rank_of(cap)) {
      capped = true;
      continue;
    }
    chosen = kernels;
  }
  if (chosen == nullptr && capped) {
    throw InvalidInput("LANGEVIN_CPU_SIMD: '" + cap + "': this build's CPU backend has no path "
                       "narrower than " + std::string(built.front()->simd) + " (it has " +
                       names(built) + ")");
  }
  if (chosen == nullptr) {
    throw Error("the CPU backend was built for " + names(built) +
                ", which this CPU does not run (x86 needs AVX2 and FMA at least)");
  }
  return *chosen;
}

}  // namespace

CpuSimd cpu_simd() {
  CpuSimd simd;
  simd.selected = choose(&simd.cap).simd;
  for (const LanesKernels* kernels : built_kernels()) {
    simd.built.emplace_back(kernels->simd);
    if (cpu_runs(kernels->simd)) simd.runnable.emplace_back(kernels->simd);
  }
  return simd;
}

namespace cpu_backend {

void sample_gmm(const device::GmmView& gmm, const device::ChainConfig& config) {
  choose().sample_gmm(gmm, config);
}
void score_gmm(const device::GmmView& gmm, const float* points, float* scores, long long n) {
  choose().score_gmm(gmm, points, scores, n);
}
void sample_mlp(const device::MlpView& net, Activation activation,
                const device::ChainConfig& config) {
  choose().sample_mlp(net, activation, config);
}
void score_mlp(const device::MlpView& net, Activation activation, const float* points,
               float* scores, long long n, float sigma) {
  choose().score_mlp(net, activation, points, scores, n, sigma);
}
void sample_hinge(const device::HingeView& hinge, const device::ChainConfig& config) {
  choose().sample_hinge(hinge, config);
}
void score_hinge(const device::HingeView& hinge, const float* points, float* scores, long long n) {
  choose().score_hinge(hinge, points, scores, n);
}

}  // namespace cpu_backend
}  // namespace langevin
