#pragma once
/// \file
/// The library's exceptions. Every failure surfaces as a langevin::Error whose message says
/// what went wrong and where; bad input is the subclass InvalidInput, so that callers (the CLI)
/// can tell "fix your input" from "the run failed".

#include <stdexcept>
#include <string>

namespace langevin {

/// A failure while running: a CUDA/cuRAND status, an I/O error, a diverging run.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Input that is invalid: a configuration value out of range, a malformed file, inconsistent
/// shapes. The message names the field (or file) and the offending value.
class InvalidInput : public Error {
 public:
  using Error::Error;
};

}  // namespace langevin
