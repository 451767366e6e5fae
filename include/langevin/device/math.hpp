#pragma once
/// \file
/// The correctly rounded operations the device code uses (fused multiply-add, square root, |x|),
/// for float and double so that the math templates also run in double precision (the tests'
/// references). IEEE rounds each exactly, so they give the same bits on every backend; e^x, log
/// and tanh, which no standard rounds exactly, are the library's own (elementary.hpp).
/// Multiply-adds are spelled out as fma, and neither compiler fuses any other product and sum
/// (the CPU code builds with -ffp-contract=off, the CUDA code with --fmad=false), so the CPU and
/// GPU backends round identically.

#include <langevin/device/config.hpp>

#include <cmath>

namespace langevin::device::math {

LANGEVIN_HD float fma(float a, float b, float c) { return fmaf(a, b, c); }
LANGEVIN_HD double fma(double a, double b, double c) { return ::fma(a, b, c); }
LANGEVIN_HD float sqrt(float x) { return sqrtf(x); }
LANGEVIN_HD double sqrt(double x) { return ::sqrt(x); }
LANGEVIN_HD float abs(float x) { return fabsf(x); }
LANGEVIN_HD double abs(double x) { return ::fabs(x); }

}  // namespace langevin::device::math
