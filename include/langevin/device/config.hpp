#pragma once
/// \file
/// Qualifiers for the code in include/langevin/device/, which is compiled twice: by nvcc for the
/// GPU and by the host compiler for the CPU backend. One source of truth for the math.

#if defined(__CUDACC__)
#define LANGEVIN_HD __host__ __device__ __forceinline__
#else
#define LANGEVIN_HD inline __attribute__((always_inline))
#endif

/// Unrolls the next loop (bounded by a compile-time constant) on both compilers, so that small
/// per-chain arrays indexed by the loop variable stay in registers. LANGEVIN_NO_FORCED_UNROLL
/// leaves the compiler to decide: the same code, far less of it, for the dimension tiers whose
/// vectors do not fit in registers anyway (the library compiles those tiers so,
/// cmake/LangevinKernelLists.cmake) and for builds that check rather than run fast
/// (scripts/check_sanitizers: instrumented, the unrolled CPU backend takes over ten minutes a
/// file to compile).
#if defined(LANGEVIN_NO_FORCED_UNROLL)
#define LANGEVIN_UNROLL
#elif defined(__CUDACC__)
#define LANGEVIN_UNROLL _Pragma("unroll")
#else
#define LANGEVIN_UNROLL _Pragma("GCC unroll 64")
#endif

/// Unrolls the next loop over a chain's coordinates on the GPU, where the state stays in
/// registers only if every index is a constant. On the CPU the lanes hold a block of chains'
/// state in memory past the smallest tiers (a lane vector or two per coordinate), and the
/// compiler decides: it unrolls the short loops of the small tiers by itself, and forcing the
/// rest tripled the code of the larger tiers (tier 32) for no measured speed
/// (docs/PERFORMANCE.md, Build time).
#if defined(__CUDACC__) && !defined(LANGEVIN_NO_FORCED_UNROLL)
#define LANGEVIN_UNROLL_STATE _Pragma("unroll")
#else
#define LANGEVIN_UNROLL_STATE
#endif

/// Keeps the next loop a loop on both compilers: one whose body evaluates the score, which
/// unrolled would be inlined once per trip.
#if defined(__CUDACC__)
#define LANGEVIN_NO_UNROLL _Pragma("unroll 1")
#else
#define LANGEVIN_NO_UNROLL _Pragma("GCC unroll 1")
#endif

namespace langevin::device {

/// State dimensions up to this are compile-time loop bounds: loops over coordinates unroll and
/// per-chain vectors stay in registers. Larger dimension tiers loop to the run-time d instead
/// (their vectors live in local memory on the GPU, on the stack on the CPU).
constexpr int kRegisterDim = 64;

}  // namespace langevin::device

/// The loop bound over coordinates for a dimension tier MaxDim ≥ d: the constant MaxDim up to
/// kRegisterDim (a macro, not a function, so that both compilers see a constant bound and honour
/// LANGEVIN_UNROLL), the run-time d beyond.
#define LANGEVIN_DIM_BOUND(MaxDim, d) \
  ((MaxDim) <= ::langevin::device::kRegisterDim ? (MaxDim) : (d))
