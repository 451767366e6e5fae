// One instruction set's table of the lanes code's entry points (cpu/lanes.hpp). The build
// compiles this file with the lanes sources for each instruction set and names the table after
// it (LANGEVIN_LANES_TABLE: langevin_cpu_lanes_avx2, …); where there are several, everything
// else in the copy is made local to it (cmake/LangevinCpuTargets.cmake), so that no inline
// function compiled for one instruction set stands in for another's.

#include "cpu/lane_ops.hpp"
#include "cpu/lanes.hpp"

extern "C" const langevin::cpu_backend::LanesKernels* LANGEVIN_LANES_TABLE() {
  namespace lanes = langevin::cpu_backend::lanes;
  static const langevin::cpu_backend::LanesKernels kernels{
      langevin::device::lane_instruction_set(), &lanes::sample_gmm,   &lanes::score_gmm,
      &lanes::sample_mlp,                       &lanes::score_mlp,    &lanes::sample_hinge,
      &lanes::score_hinge};
  return &kernels;
}
