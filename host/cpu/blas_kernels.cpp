// Which kernels the CPU's GEMM library (training's, host/training/cpu_ops.hpp) runs. A
// DYNAMIC_ARCH OpenBLAS picks them for the CPU at start-up unless OPENBLAS_CORETYPE names a set;
// AVX2 kernels on a CPU with AVX-512 (OPENBLAS_CORETYPE=Haswell in the environment, or an
// OpenBLAS older than the CPU) reach half the GEMM speed of its AVX-512 ones on CPUs with
// full-width AVX-512 units (docs/TUNING.md), so `langevin info` says so.
//
// OpenBLAS's functions are looked up at run time, so that any CBLAS links (another library
// reports itself as plain CBLAS).

#include <langevin/backend.hpp>

#include <dlfcn.h>

#include <cstdlib>
#include <strings.h>
#include <string>

namespace langevin {
namespace {

template <class F>
F* openblas_function(const char* name) {
  return reinterpret_cast<F*>(dlsym(RTLD_DEFAULT, name));
}

/// OpenBLAS's kernel sets for x86-64 with AVX-512 (its corename() spellings).
bool avx512_kernels(const std::string& kernels) {
  for (const char* name : {"SkylakeX", "Cooperlake", "SapphireRapids"}) {
    if (strcasecmp(kernels.c_str(), name) == 0) return true;
  }
  return false;
}

bool cpu_has_avx512() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  // What OpenBLAS's SkylakeX kernels use.
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

}  // namespace

CpuBlas cpu_blas() {
  CpuBlas blas;
#if LANGEVIN_HAVE_CBLAS
  using Text = char*();
  Text* config = openblas_function<Text>("openblas_get_config");
  Text* corename = openblas_function<Text>("openblas_get_corename");
  blas.library = config != nullptr ? config() : "CBLAS";  // "OpenBLAS 0.3.21 DYNAMIC_ARCH …"
  if (corename != nullptr) blas.kernels = corename();
#else
  blas.library = "none (the reference GEMM)";
#endif
  blas.avx512_cpu = cpu_has_avx512();
  blas.narrower = blas.avx512_cpu && !blas.kernels.empty() && !avx512_kernels(blas.kernels);
  if (const char* chosen = std::getenv("OPENBLAS_CORETYPE")) blas.coretype = chosen;
  return blas;
}

}  // namespace langevin
