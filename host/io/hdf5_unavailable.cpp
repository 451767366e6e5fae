// Built instead of the HDF5 reader and writer when CMake finds no HDF5 library (the lent GPU
// machines may have none): .h5 files are refused with a message that says how to get them.

#include <langevin/error.hpp>
#include <langevin/io.hpp>

#include "io/hdf5_rows.hpp"

namespace langevin {
namespace {

[[noreturn]] void refuse(const std::string& path) {
  throw InvalidInput(path + ": this build of langevin has no HDF5 support (install libhdf5-dev "
                            "and rebuild)");
}

}  // namespace

bool hdf5_available() { return false; }

Array read_hdf5(const std::string& path, const std::string&) { refuse(path); }

void write_hdf5(const std::string& path, const std::string&, const Array&,
                const Hdf5Attributes&) {
  refuse(path);
}

Hdf5Attributes read_hdf5_attributes(const std::string& path) { refuse(path); }

std::uint64_t detail::create_hdf5_for_rows(const std::string&, const std::string& path,
                                           const std::string&, const std::vector<std::int64_t>&,
                                           const Hdf5Attributes&) {
  refuse(path);
}

}  // namespace langevin
