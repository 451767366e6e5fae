#pragma once
// What sampling.cpp and analysis.cpp share: a score target given from Python.

#include "bindings.hpp"

#include <langevin/gmm.hpp>
#include <langevin/mlp.hpp>

#include <string>
#include <variant>

namespace langevin::python {

/// A GaussianMixture, an Mlp, or a path to either (.json: a mixture, else a model).
using Target = std::variant<GaussianMixture, Mlp>;
Target target_of(nb::handle target);

}  // namespace langevin::python
