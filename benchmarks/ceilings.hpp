#pragma once
// Hardware ceilings, measured rather than assumed (ceilings_cpu.cpp, ceilings_gpu.cu): what the
// benchmarks report their fractions of. Each takes a second or two.

#include <functional>
#include <string>

/// FP32 FMA rate of the CPU cores in GFLOP/s: OpenMP threads, independent chains of the widest
/// vectors of an instruction set the lanes are built for (`simd`: cpu_simd()'s names), or of
/// the one they run in (cpu_simd().selected).
double cpu_fma_gflops(const std::string& simd);
double cpu_fma_gflops();
/// Host memory copy bandwidth in GB/s (bytes read plus bytes written), OpenMP threads.
double cpu_copy_gbytes();
/// FP32 FMA rate of GPU 0 in GFLOP/s.
double gpu_fma_gflops();
/// Device-to-device copy bandwidth of GPU 0 in GB/s (bytes read plus bytes written).
double gpu_copy_gbytes();
/// Median seconds of `repeat` runs of `work` on the default stream (CUDA events around each),
/// after one untimed warm-up run. For the GPU benchmarks' timings.
double gpu_median_seconds(const std::function<void()>& work, int repeat);
