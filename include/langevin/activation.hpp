#pragma once
/// \file
/// Hidden-layer activations of the MLP score model.

#include <string>

namespace langevin {

enum class Activation : int { Relu, Softplus, Tanh, Silu };

/// "relu", "softplus", "tanh", "silu".
const char* to_string(Activation activation);
/// Parses one of the names above; throws InvalidInput naming `field` otherwise.
Activation parse_activation(const std::string& name, const std::string& field = "activation");

}  // namespace langevin
