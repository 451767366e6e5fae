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
/// per-chain arrays indexed by the loop variable stay in registers.
#if defined(__CUDACC__)
#define LANGEVIN_UNROLL _Pragma("unroll")
#else
#define LANGEVIN_UNROLL _Pragma("GCC unroll 64")
#endif
