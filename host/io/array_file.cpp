// read_array and write_array: the array format chosen by the file's extension, so that every
// command that takes or gives points accepts .npy and HDF5 alike.

#include <filesystem>
#include <langevin/error.hpp>
#include <langevin/io.hpp>

namespace langevin {
namespace {

enum class ArrayFormat { Npy, Hdf5 };

ArrayFormat format_of(const std::string& path) {
  const std::string extension = std::filesystem::path(path).extension().string();
  if (extension == ".npy") return ArrayFormat::Npy;
  if (extension == ".h5" || extension == ".hdf5") return ArrayFormat::Hdf5;
  throw InvalidInput(path + ": unknown array file extension \"" + extension +
                     "\"; expected .npy, .h5 or .hdf5");
}

}  // namespace

Array read_array(const std::string& path) {
  return format_of(path) == ArrayFormat::Npy ? read_npy(path) : read_hdf5(path);
}

void write_array(const std::string& path, const Array& array, const Hdf5Attributes& attributes) {
  if (format_of(path) == ArrayFormat::Npy) {
    write_npy(path, array);
  } else {
    write_hdf5(path, "samples", array, attributes);
  }
}

}  // namespace langevin
