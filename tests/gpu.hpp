#pragma once
// GPU tests compare with the CPU backend and skip themselves where no GPU is present.

#include <langevin/backend.hpp>

#include <gtest/gtest.h>

#define LANGEVIN_REQUIRE_GPU()                                       \
  do {                                                               \
    if (!::langevin::cuda_available()) GTEST_SKIP() << "no CUDA GPU"; \
  } while (0)
