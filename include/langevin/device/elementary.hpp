#pragma once
/// \file
/// e^x, log x, log(1 + x) and tanh x for the device templates, which run in float on the
/// sampling and training paths and in double in the tests' references. In float they are the
/// library's own functions (exp.hpp, log.hpp, tanh.hpp): inline, branch-free, and the same bits
/// on the CPU and the GPU, so that no result depends on a math library. In double they are the
/// math library's. The float versions keep their headers' domains, which is all the device code
/// needs: exp everywhere (results below the normal range flush to 0), log for normal positive
/// x, log1p for 0 ≤ x < 2¹²⁷, tanh everywhere.

#include <langevin/device/config.hpp>
#include <langevin/device/exp.hpp>
#include <langevin/device/float_ops.hpp>
#include <langevin/device/log.hpp>
#include <langevin/device/tanh.hpp>

#include <cmath>

namespace langevin::device::math {

LANGEVIN_HD float exp(float x) { return exp_of<ScalarOps>(x); }
LANGEVIN_HD double exp(double x) { return ::exp(x); }
LANGEVIN_HD float log(float x) { return log_of<ScalarOps>(x); }
LANGEVIN_HD double log(double x) { return ::log(x); }
LANGEVIN_HD float log1p(float x) { return log1p_of<ScalarOps>(x); }
LANGEVIN_HD double log1p(double x) { return ::log1p(x); }
LANGEVIN_HD float tanh(float x) { return tanh_of<ScalarOps>(x); }
LANGEVIN_HD double tanh(double x) { return ::tanh(x); }

}  // namespace langevin::device::math
