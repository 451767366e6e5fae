#pragma once
/// \file
/// Backends: where the chains run. Auto uses the GPU when one is present, the CPU otherwise.

#include <cstddef>
#include <string>
#include <vector>

namespace langevin {

enum class Backend { Auto, Cpu, Cuda };

const char* to_string(Backend backend);
/// "auto", "cpu" or "cuda"; throws InvalidInput naming `field` otherwise.
Backend parse_backend(const std::string& name, const std::string& field = "backend");

struct GpuInfo {
  int index = 0;
  std::string name;
  int compute_major = 0;
  int compute_minor = 0;
  int multiprocessors = 0;
  std::size_t memory_bytes = 0;
};

/// Whether this build has the CUDA backend (false when configured with LANGEVIN_WITH_CUDA=OFF).
bool cuda_built();
/// The CUDA devices this process can use; empty without a GPU or driver (any error from the
/// runtime when counting devices means "none") and in a build without the CUDA backend.
const std::vector<GpuInfo>& gpus();
bool cuda_available();

/// The library training's CPU GEMMs run in (`langevin info` shows it).
struct CpuBlas {
  std::string library;       // OpenBLAS's configuration string, "CBLAS", or the reference GEMM
  std::string kernels;       // OpenBLAS's kernel set for this CPU ("Haswell", "SkylakeX", …)
  bool avx512_cpu = false;   // the CPU has AVX-512 (F, DQ, BW, VL)
  bool narrower = false;     // OpenBLAS runs AVX2 kernels on it (docs/TUNING.md)
  std::string coretype;      // OPENBLAS_CORETYPE, when the environment sets it
};
CpuBlas cpu_blas();

/// The instruction set the CPU backend's blocks of chains run in (`langevin info` and the JSON
/// summaries name it): of the copies this build has, the widest this CPU runs, capped by the
/// environment variable LANGEVIN_CPU_SIMD (avx2, avx512, neon, sve). docs/TUNING.md.
struct CpuSimd {
  std::string selected;               // "avx2", "avx512" or "neon"
  std::vector<std::string> built;     // the copies this build has, narrowest first
  std::vector<std::string> runnable;  // those this CPU runs
  std::string cap;                    // LANGEVIN_CPU_SIMD, when the environment sets it
};
/// Throws InvalidInput naming LANGEVIN_CPU_SIMD for a value it does not take, and Error when this
/// CPU runs none of the build's copies.
CpuSimd cpu_simd();

/// Auto → Cuda or Cpu; Cuda without a GPU throws Error saying so; Cpu stays Cpu.
Backend resolve(Backend requested);

}  // namespace langevin
