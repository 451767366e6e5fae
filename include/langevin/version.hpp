#pragma once
/// \file
/// Library version and build configuration.

#include <string>

namespace langevin {

/// "0.1.0".
const char* version();
/// One line per setting: CUDA architectures, host compiler and flags, OpenMP, and the optional
/// libraries (HDF5, OpenSSL) found.
std::string build_configuration();

}  // namespace langevin
