#pragma once
/// \file
/// The whole C++ API of langevin. Including it needs no CUDA headers.

#include <langevin/activation.hpp>
#include <langevin/array.hpp>
#include <langevin/backend.hpp>
#include <langevin/checkpoint_file.hpp>
#include <langevin/device_buffer.hpp>
#include <langevin/diagnostics.hpp>
#include <langevin/error.hpp>
#include <langevin/gmm.hpp>
#include <langevin/io.hpp>
#include <langevin/likelihood.hpp>
#include <langevin/mlp.hpp>
#include <langevin/sampler.hpp>
#include <langevin/score.hpp>
#include <langevin/stats.hpp>
#include <langevin/summary.hpp>
#include <langevin/trainer.hpp>
#include <langevin/version.hpp>
