#pragma once
// Validation helpers shared by the configurations' validate() functions: messages name the
// field, the value and what is allowed ("chains = 0: must be at least 1").

#include <langevin/error.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>

namespace langevin::detail {

/// A number as a user would write it ("0.005", "nan").
inline std::string number_text(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

/// Throws InvalidInput "<field> = <value>: <allowed>" unless `ok`.
inline void require(bool ok, const std::string& field, const std::string& value,
                    const std::string& allowed) {
  if (!ok) throw InvalidInput(field + " = " + value + ": " + allowed);
}

/// Throws InvalidInput "<name>[i, j] = <value>: must be finite" at the first value of the
/// row-major array of `count` floats, `dim` a row, that is NaN or infinite.
inline void require_finite(const float* values, std::int64_t count, int dim,
                           const std::string& name) {
  for (std::int64_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) {
      throw InvalidInput(name + "[" + std::to_string(i / dim) + ", " + std::to_string(i % dim) +
                         "] = " + number_text(values[i]) + ": must be finite");
    }
  }
}

/// A noise level σ: the chains run in float and a noise-conditional network reads log σ, so σ
/// must be a normal positive float (about 1.2e-38 to 3.4e38), the domain of the library's log.
inline void require_noise_level(double sigma, const std::string& field) {
  require(sigma > 0 && std::isnormal(static_cast<float>(sigma)), field, number_text(sigma),
          "must be positive and finite, a normal float (1.2e-38 to 3.4e38)");
}

/// The Dormand–Prince pair's tolerances (the sampler's ODE, the likelihood).
inline void require_ode_tolerances(double rtol, double atol) {
  require(std::isfinite(rtol) && rtol > 0.0 && rtol <= 1.0, "rtol", number_text(rtol),
          "must be in (0, 1]");
  require(std::isfinite(atol) && atol > 0.0 && atol <= 1e30, "atol", number_text(atol),
          "must be positive and finite");
}

}  // namespace langevin::detail
