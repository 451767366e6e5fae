#pragma once
// Validation helpers shared by the configurations' validate() functions: messages name the
// field, the value and what is allowed ("chains = 0: must be at least 1").

#include <langevin/error.hpp>

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

}  // namespace langevin::detail
