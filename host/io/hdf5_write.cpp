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
#include "io/hdf5_rows.hpp"

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

// Creates the dataset, contiguous, its space allocated at once and never filled, and writes
// `values` into it unless they are null (the MPI layer writes the rows itself, at the offset
// returned: the data's place in the file, float32 little-endian in C order).
std::uint64_t write_dataset(hid_t file, const std::string& name,
                            const std::vector<std::int64_t>& shape, const float* values) {
  const std::string label = "dataset \"" + name + "\"";
  const std::vector<hsize_t> dims(shape.begin(), shape.end());
  const Hdf5Handle space(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr),
                         H5Sclose, label);
  // No modification time in the object header: the same run writes the same bytes (a run over
  // MPI ranks is checked against the one-process run byte for byte). The space allocated when
  // the dataset is created, so that the file's layout is the same whoever writes the data.
  const Hdf5Handle creation(H5Pcreate(H5P_DATASET_CREATE), H5Pclose, label);
  check(H5Pset_obj_track_times(creation.get(), false), "cannot set up " + label);
  check(H5Pset_layout(creation.get(), H5D_CONTIGUOUS), "cannot set up " + label);
  check(H5Pset_alloc_time(creation.get(), H5D_ALLOC_TIME_EARLY), "cannot set up " + label);
  check(H5Pset_fill_time(creation.get(), H5D_FILL_TIME_NEVER), "cannot set up " + label);
  const Hdf5Handle dataset(H5Dcreate2(file, name.c_str(), H5T_IEEE_F32LE, space.get(),
                                      H5P_DEFAULT, creation.get(), H5P_DEFAULT),
                           H5Dclose, "cannot create " + label);
  const std::int64_t count = element_count(shape);
  if (values != nullptr && count > 0) {
    check(H5Dwrite(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values),
          "cannot write " + label);
  }
  const haddr_t offset = H5Dget_offset(dataset.get());
  if (count > 0 && offset == HADDR_UNDEF) {
    throw Hdf5Failure{"cannot place " + label, "its data has no address in the file"};
  }
  return count > 0 ? static_cast<std::uint64_t>(offset) : 0;
}

// Writes everything into the (empty) file `name`; returns once it is closed, with the dataset's
// data offset (write_dataset).
std::uint64_t write_file(const std::string& name, const std::string& dataset,
                         const std::vector<std::int64_t>& shape, const float* values,
                         const Hdf5Attributes& attributes) {
  // Semi-strong closing: H5Fclose fails, rather than leaving the file open, if any object in it
  // were still open. So once close() returns, every byte has been handed to the OS.
  const Hdf5Handle access(H5Pcreate(H5P_FILE_ACCESS), H5Pclose, "cannot set up the file");
  check(H5Pset_fclose_degree(access.get(), H5F_CLOSE_SEMI), "cannot set up the file");
  Hdf5Handle file(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, access.get()), H5Fclose,
                  "cannot create the file");
  std::uint64_t offset = 0;
  {
    offset = write_dataset(file.get(), dataset, shape, values);
    const Hdf5Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose,
                          "cannot open the root group");
    for (const auto& [attribute, value] : attributes) write_attribute(root.get(), attribute, value);
  }
  file.close("cannot close the file");
  return offset;
}

void check_dataset(const std::string& path, const std::string& dataset, std::size_t rank) {
  if (dataset.empty()) throw InvalidInput("cannot write " + path + ": the dataset name is empty");
  if (rank < 1 || rank > H5S_MAX_RANK) {
    throw InvalidInput("cannot write " + path + ": a dataset of rank " + std::to_string(rank) +
                       "; expected 1 to " + std::to_string(H5S_MAX_RANK));
  }
}

}  // namespace

void write_hdf5(const std::string& path, const std::string& dataset, const Array& array,
                const Hdf5Attributes& attributes) {
  check_dataset(path, dataset, static_cast<std::size_t>(array.rank()));
  const detail::QuietHdf5Errors quiet;
  detail::write_named_file_atomically(path, [&](const std::string& temporary) {
    try {
      write_file(temporary, dataset, array.shape(), array.data(), attributes);
    } catch (const Hdf5Failure& failure) {
      throw Error("cannot write " + path + ": " + failure.message());
    }
  });
}

std::uint64_t detail::create_hdf5_for_rows(const std::string& temporary, const std::string& path,
                                           const std::string& dataset,
                                           const std::vector<std::int64_t>& shape,
                                           const Hdf5Attributes& attributes) {
  check_dataset(path, dataset, shape.size());
  const detail::QuietHdf5Errors quiet;
  try {
    return write_file(temporary, dataset, shape, nullptr, attributes);
  } catch (const Hdf5Failure& failure) {
    throw Error("cannot write " + path + ": " + failure.message());
  }
}

}  // namespace langevin
