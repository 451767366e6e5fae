#include <langevin/activation.hpp>
#include <langevin/error.hpp>

namespace langevin {

const char* to_string(Activation activation) {
  switch (activation) {
    case Activation::Relu: return "relu";
    case Activation::Softplus: return "softplus";
    case Activation::Tanh: return "tanh";
    case Activation::Silu: return "silu";
  }
  return "unknown";
}

Activation parse_activation(const std::string& name, const std::string& field) {
  for (Activation a : {Activation::Relu, Activation::Softplus, Activation::Tanh, Activation::Silu}) {
    if (name == to_string(a)) return a;
  }
  throw InvalidInput(field + " = \"" + name + "\": expected relu, softplus, tanh or silu");
}

}  // namespace langevin
