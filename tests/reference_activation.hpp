#pragma once
// The activations and their derivatives, written plainly in double precision: the tests'
// references for the library's float code.

#include <langevin/activation.hpp>

#include <cmath>

namespace langevin::testing {

inline double activation(Activation a, double v) {
  switch (a) {
    case Activation::Relu: return v > 0 ? v : 0;
    case Activation::Softplus: return std::log1p(std::exp(v));
    case Activation::Tanh: return std::tanh(v);
    case Activation::Silu: return v / (1 + std::exp(-v));
  }
  return 0;
}

inline double activation_derivative(Activation a, double v) {
  switch (a) {
    case Activation::Relu: return v > 0 ? 1 : 0;
    case Activation::Softplus: return 1 / (1 + std::exp(-v));
    case Activation::Tanh: return 1 - std::tanh(v) * std::tanh(v);
    case Activation::Silu: {
      const double s = 1 / (1 + std::exp(-v));
      return s + v * s * (1 - s);
    }
  }
  return 0;
}

}  // namespace langevin::testing
