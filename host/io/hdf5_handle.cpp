#include "io/hdf5_handle.hpp"

#include "io/atomic_file.hpp"

namespace langevin::detail {
namespace {

// Walking upward, entry 0 is where the error was first detected: the most specific message.
herr_t keep_innermost(unsigned n, const H5E_error2_t* error, void* message) noexcept {
  try {
    if (n == 0 && error->desc != nullptr) *static_cast<std::string*>(message) = error->desc;
    return 0;
  } catch (...) {  // no exception may cross HDF5's C frames
    return -1;
  }
}

}  // namespace

std::string take_hdf5_error() {
  std::string message;
  // If walking fails there is no message to give; the caller's own description remains.
  if (H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, keep_innermost, &message) < 0) message.clear();
  H5Eclear2(H5E_DEFAULT);
  return message;
}

Hdf5Handle open_hdf5_for_reading(const std::string& path, std::uint64_t* size) {
  *size = InputFile(path).size();
  return Hdf5Handle(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                    "cannot read as HDF5");
}

}  // namespace langevin::detail
