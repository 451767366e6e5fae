#pragma once
// GPU ceilings measured by ceiling_gpu.cu.

/// FP32 FMA rate of device 0 in GFLOP/s.
double gpu_fma_gflops();
/// Device-to-device copy bandwidth of device 0 in GB/s (bytes read plus bytes written).
double gpu_copy_gbytes();
