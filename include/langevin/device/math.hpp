#pragma once
/// \file
/// Overloads of the few elementary functions the device code uses, for float and double, so that
/// the math templates can also run in double precision (the tests' references use that).
/// Multiply-adds are spelled out as fma so that the CPU and GPU backends round identically
/// (the CPU backend is compiled with -ffp-contract=off; nvcc would contract them anyway).

#include <langevin/device/config.hpp>

#include <cmath>

namespace langevin::device::math {

LANGEVIN_HD float fma(float a, float b, float c) { return fmaf(a, b, c); }
LANGEVIN_HD double fma(double a, double b, double c) { return ::fma(a, b, c); }
LANGEVIN_HD float exp(float x) { return expf(x); }
LANGEVIN_HD double exp(double x) { return ::exp(x); }
LANGEVIN_HD float log(float x) { return logf(x); }
LANGEVIN_HD double log(double x) { return ::log(x); }
LANGEVIN_HD float log1p(float x) { return log1pf(x); }
LANGEVIN_HD double log1p(double x) { return ::log1p(x); }
LANGEVIN_HD float tanh(float x) { return tanhf(x); }
LANGEVIN_HD double tanh(double x) { return ::tanh(x); }
LANGEVIN_HD float sqrt(float x) { return sqrtf(x); }
LANGEVIN_HD double sqrt(double x) { return ::sqrt(x); }
LANGEVIN_HD float abs(float x) { return fabsf(x); }
LANGEVIN_HD double abs(double x) { return ::fabs(x); }

}  // namespace langevin::device::math
