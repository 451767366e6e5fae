#pragma once
// Runs a test body once per copy of the CPU backend's lanes code that this build has and this
// CPU runs (LANGEVIN_CPU_SIMD capping the choice to each in turn), so that the bit-identity tests
// hold every instruction set the machine can check, not only the one it would pick.

#include <langevin/backend.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace langevin::testing_simd {

/// Sets LANGEVIN_CPU_SIMD for its lifetime and restores what was there.
class SimdCap {
 public:
  /// An empty `simd` unsets it.
  explicit SimdCap(const std::string& simd) {
    if (const char* old = std::getenv("LANGEVIN_CPU_SIMD")) saved_ = old, had_ = true;
    if (simd.empty()) unsetenv("LANGEVIN_CPU_SIMD");
    else setenv("LANGEVIN_CPU_SIMD", simd.c_str(), 1);
  }
  ~SimdCap() {
    if (had_) setenv("LANGEVIN_CPU_SIMD", saved_.c_str(), 1);
    else unsetenv("LANGEVIN_CPU_SIMD");
  }
  SimdCap(const SimdCap&) = delete;
  SimdCap& operator=(const SimdCap&) = delete;

 private:
  std::string saved_;
  bool had_ = false;
};

/// body() under each instruction set of cpu_simd().runnable, each in a SCOPED_TRACE.
template <class Body>
void for_each_cpu_simd(const Body& body) {
  for (const std::string& simd : cpu_simd().runnable) {
    SCOPED_TRACE("LANGEVIN_CPU_SIMD=" + simd);
    SimdCap cap(simd);
    body();
  }
}

}  // namespace langevin::testing_simd
