// HDF5 writer: one float32 dataset and the attributes that describe it, on the root group.
//
// Written under a temporary name and renamed once complete (io/atomic_file.hpp). Attributes are
// 64-bit little-endian integers and IEEE reals, 1-D arrays of them, and variable-length UTF-8
// strings, which h5py reads as Python strings (fixed-length ones it reads as bytes).

#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <type_traits>

#include "io/atomic_file.hpp"
#include "io/hdf5_handle.hpp"

namespace langevin {
namespace {

using detail::check;
using detail::Hdf5Failure;
using detail::Hdf5Handle;

// A scalar dataspace for a single value, a 1-D one for `count` values.
Hdf5Handle dataspace(bool scalar, hsize_t count, const std::string& label) {
  if (scalar) return Hdf5Handle(H5Screate(H5S_SCALAR), H5Sclose, label);
  return Hdf5Handle(H5Screate_simple(1, &count, nullptr), H5Sclose, label);
}

void write_attribute_values(hid_t root, const std::string& name, hid_t file_type,
                            hid_t memory_type, bool scalar, hsize_t count, const void* values) {
  const std::string label = "attribute \"" + name + "\"";
  const Hdf5Handle space = dataspace(scalar, count, label);
  const Hdf5Handle attribute(
      H5Acreate2(root, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose,
      "cannot create " + label);
  // HDF5 refuses a null buffer even for zero values; an empty array needs no write.
  if (count > 0) check(H5Awrite(attribute.get(), memory_type, values), "cannot write " + label);
}

void write_string_attribute(hid_t root, const std::string& name, const std::string& value) {
  const std::string label = "attribute \"" + name + "\"";
  const Hdf5Handle type(H5Tcopy(H5T_C_S1), H5Tclose, label);
  check(H5Tset_size(type.get(), H5T_VARIABLE), label);
  check(H5Tset_cset(type.get(), H5T_CSET_UTF8), label);
  const char* text = value.c_str();
  write_attribute_values(root, name, type.get(), type.get(), true, 1, &text);
}

void write_attribute(hid_t root, const std::string& name, const Hdf5Attribute& value) {
  std::visit(
      [&](const auto& v) {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, std::int64_t>) {
          write_attribute_values(root, name, H5T_STD_I64LE, H5T_NATIVE_INT64, true, 1, &v);
        } else if constexpr (std::is_same_v<V, std::uint64_t>) {
          write_attribute_values(root, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, true, 1, &v);
        } else if constexpr (std::is_same_v<V, double>) {
          write_attribute_values(root, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, true, 1, &v);
        } else if constexpr (std::is_same_v<V, std::string>) {
          write_string_attribute(root, name, v);
        } else if constexpr (std::is_same_v<V, std::vector<std::int64_t>>) {
          write_attribute_values(root, name, H5T_STD_I64LE, H5T_NATIVE_INT64, false, v.size(),
                                 v.data());
        } else {
          static_assert(std::is_same_v<V, std::vector<double>>);
          write_attribute_values(root, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, false, v.size(),
                                 v.data());
        }
      },
      value);
}

void write_dataset(hid_t file, const std::string& name, const Array& array) {
  const std::string label = "dataset \"" + name + "\"";
  const std::vector<hsize_t> dims(array.shape().begin(), array.shape().end());
  const Hdf5Handle space(H5Screate_simple(array.rank(), dims.data(), nullptr), H5Sclose, label);
  // No modification time in the object header: the same run writes the same bytes (a run over
  // MPI ranks is checked against the one-process run byte for byte).
  const Hdf5Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, label);
  check(H5Pset_obj_track_times(creation.get(), false), "cannot set up " + label);
  const Hdf5Handle dataset(H5Dcreate2(file, name.c_str(), H5T_IEEE_F32LE, space.get(),
                                      H5P_DEFAULT, creation.get(), H5P_DEFAULT),
                           H5Dclose, "cannot create " + label);
  if (array.size() > 0) {
    check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data()),
          "cannot write " + label);
  }
}

// Writes everything into the (empty) file `name`; returns once it is closed.
void write_file(const std::string& name, const std::string& dataset, const Array& array,
                const Hdf5Attributes& attributes) {
  // Semi-strong closing: H5Fclose fails, rather than leaving the file open, if any object in it
  // were still open. So once close() returns, every byte has been handed to the OS.
  const Hdf5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot set up the file");
  check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_SEMI), "cannot set up the file");
  Hdf5Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose,
                  "cannot create the file");
  {
    write_dataset(file.get(), dataset, array);
    const Hdf5Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose,
                          "cannot open the root group");
    for (const auto& [attribute, value] : attributes) write_attribute(root.get(), attribute, value);
  }
  file.close("cannot close the file");
}

}  // namespace

void write_hdf5(const std::string& path, const std::string& dataset, const Array& array,
                const Hdf5Attributes& attributes) {
  if (dataset.empty()) throw InvalidInput("cannot write " + path + ": the dataset name is empty");
  if (array.rank() < 1 || array.rank() > H5S_MAX_RANK) {
    throw InvalidInput("cannot write " + path + ": a dataset of rank " +
                       std::to_string(array.rank()) + "; expected 1 to " +
                       std::to_string(H5S_MAX_RANK));
  }
  const detail::QuietHdf5Errors quiet;
  detail::write_named_file_atomically(path, [&](const std::string& temporary) {
    try {
      write_file(temporary, dataset, array, attributes);
    } catch (const Hdf5Failure& failure) {
      throw Error("cannot write " + path + ": " + failure.message());
    }
  });
}

}  // namespace langevin
