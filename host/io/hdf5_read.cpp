// HDF5 reader: one numeric dataset as a float32 Array.
//
// Which dataset: the one named, else "samples" (what `langevin sample` writes), else "data"
// (`langevin data`), else the root group's only dataset. Sizes claimed by the file are checked
// against what it stores before anything is allocated, so a corrupt header cannot make the
// reader allocate without bound.

#include <algorithm>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <limits>

#include "io/crash_isolation.hpp"
#include "io/hdf5_handle.hpp"

namespace langevin {
namespace {

using detail::check;
using detail::Hdf5Failure;
using detail::Hdf5Handle;

// Deflate, the strongest filter HDF5 ships, compresses at most 1032:1; a compressed dataset that
// claims more than this times its stored bytes is corrupt.
constexpr std::uint64_t kMaxCompressionRatio = 1032;

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const std::string& name : names) text += (text.empty() ? "" : ", ") + quoted(name);
  return text;
}

// The names of the root group's datasets, in name order. Only hard links count: following an
// external link would open another file.
std::vector<std::string> root_datasets(hid_t file) {
  H5G_info_t group{};
  check(H5Gget_info(file, &group), "cannot list the root group");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < group.nlinks; ++i) {
    const ssize_t length = check(H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                                    nullptr, 0, H5P_DEFAULT),
                                 "cannot list the root group");
    std::string name(static_cast<std::size_t>(length) + 1, '\0');
    check(H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(),
                             H5P_DEFAULT),
          "cannot list the root group");
    name.resize(static_cast<std::size_t>(length));
    H5L_info_t link{};
    check(H5Lget_info(file, name.c_str(), &link, H5P_DEFAULT), "cannot inspect " + quoted(name));
    if (link.type != H5L_TYPE_HARD) continue;
    const Hdf5Handle object(H5Oopen(file, name.c_str(), H5P_DEFAULT), H5Oclose,
                            "cannot open " + quoted(name));
    if (check(H5Iget_type(object.get()), "cannot inspect " + quoted(name)) == H5I_DATASET) {
      names.push_back(name);
    }
  }
  return names;
}

// The dataset to read: `requested` if given, else the default choice described at the top.
std::string choose_dataset(hid_t file, const std::string& requested) {
  // Negative (a missing group on the way) means absent too.
  if (!requested.empty() && H5Lexists(file, requested.c_str(), H5P_DEFAULT) > 0) return requested;
  detail::take_hdf5_error();
  const std::vector<std::string> names = root_datasets(file);
  const std::string found = names.empty() ? "the root group holds no dataset"
                                          : "the root group holds " + joined(names);
  if (!requested.empty()) throw Hdf5Failure{"no dataset " + quoted(requested), found};
  for (const char* preferred : {"samples", "data"}) {
    if (std::find(names.begin(), names.end(), preferred) != names.end()) return preferred;
  }
  if (names.size() == 1) return names.front();
  throw Hdf5Failure{"no dataset \"samples\" or \"data\" to read", found};
}

const char* class_name(H5T_class_t type_class) {
  switch (type_class) {
    case H5T_STRING: return "strings";
    case H5T_COMPOUND: return "compound records";
    case H5T_ENUM: return "enumerated values";
    case H5T_ARRAY: return "arrays";
    case H5T_VLEN: return "variable-length sequences";
    case H5T_REFERENCE: return "references";
    case H5T_OPAQUE: return "opaque bytes";
    case H5T_BITFIELD: return "bit fields";
    case H5T_TIME: return "times";
    default: return "values of an unknown kind";
  }
}

// `label` names the dataset in messages.
std::vector<std::int64_t> shape_of(hid_t space, const std::string& label) {
  if (check(H5Sget_simple_extent_type(space), label) != H5S_SIMPLE) {
    throw Hdf5Failure{label, "a scalar or empty dataspace; expected rank 1, 2 or 3"};
  }
  const int rank = check(H5Sget_simple_extent_ndims(space), label);
  if (rank < 1 || rank > 3) {
    throw Hdf5Failure{label, "rank " + std::to_string(rank) + "; expected 1, 2 or 3"};
  }
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  check(H5Sget_simple_extent_dims(space, dims.data(), nullptr), label);
  std::vector<std::int64_t> shape;
  for (const hsize_t extent : dims) {
    if (extent > static_cast<hsize_t>(std::numeric_limits<std::int64_t>::max())) {
      throw Hdf5Failure{label, "extent " + std::to_string(extent) + " is too large"};
    }
    shape.push_back(static_cast<std::int64_t>(extent));
  }
  try {
    element_count(shape);  // refuses a shape whose element count overflows 64 bits
  } catch (const InvalidInput& overflow) {
    throw Hdf5Failure{label, overflow.what()};
  }
  return shape;
}

// Refuses a dataset whose claimed size its stored bytes cannot hold.
void check_storage(hid_t dataset, std::uint64_t needed, std::uint64_t file_size,
                   const std::string& label) {
  if (needed == 0) return;
  // 0 means no storage allocated, or an error: either way there is nothing to read.
  const std::uint64_t stored = H5Dget_storage_size(dataset);
  detail::take_hdf5_error();
  const std::string claim = "its shape needs " + std::to_string(needed) + " bytes";
  if (stored == 0) throw Hdf5Failure{label, claim + " but it stores none"};
  if (stored > file_size) {
    throw Hdf5Failure{label, "claims " + std::to_string(stored) + " stored bytes in a file of " +
                                 std::to_string(file_size)};
  }
  const Hdf5Handle properties(H5Dget_create_plist(dataset), H5Pclose, label);
  const bool compressed = check(H5Pget_nfilters(properties.get()), label) > 0;
  if (!compressed && stored < needed) {
    throw Hdf5Failure{label, claim + " but it stores " + std::to_string(stored)};
  }
  if (compressed && needed / kMaxCompressionRatio > stored) {
    throw Hdf5Failure{label, claim + ", more than its " + std::to_string(stored) +
                                 " compressed bytes can hold"};
  }
}

Array read_dataset(hid_t file, const std::string& name, std::uint64_t file_size) {
  const std::string label = "dataset " + quoted(name);
  const Hdf5Handle dataset(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose,
                           "cannot open " + label);
  const Hdf5Handle type(H5Dget_type(dataset.get()), H5Tclose, label);
  const H5T_class_t type_class = check(H5Tget_class(type.get()), label);
  if (type_class != H5T_FLOAT && type_class != H5T_INTEGER) {
    throw Hdf5Failure{label, std::string("holds ") + class_name(type_class) + ", not numbers"};
  }
  const Hdf5Handle space(H5Dget_space(dataset.get()), H5Sclose, label);
  const std::vector<std::int64_t> shape = shape_of(space.get(), label);
  const auto count = static_cast<std::uint64_t>(element_count(shape));
  const std::size_t element_bytes = H5Tget_size(type.get());
  if (element_bytes == 0) throw Hdf5Failure{label, detail::take_hdf5_error()};
  if (count > std::numeric_limits<std::uint64_t>::max() / element_bytes) {
    throw Hdf5Failure{label, std::to_string(count) + " elements of " +
                                 std::to_string(element_bytes) + " bytes is too large"};
  }
  check_storage(dataset.get(), count * element_bytes, file_size, label);

  Array array(shape);
  if (count == 0) return array;
  if (type_class == H5T_FLOAT && element_bytes > sizeof(float)) {
    // Wider reals are rounded here rather than by HDF5, as read_npy rounds them.
    std::vector<double> wide(count);
    check(H5Dread(dataset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, wide.data()),
          "cannot read " + label);
    std::transform(wide.begin(), wide.end(), array.data(),
                   [](double value) { return static_cast<float>(value); });
  } else {
    check(H5Dread(dataset.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, array.data()),
          "cannot read " + label);
  }
  return array;
}

Array read_hdf5_unisolated(const std::string& path, const std::string& dataset) {
  const detail::QuietHdf5Errors quiet;
  try {
    std::uint64_t file_size = 0;
    const Hdf5Handle file = detail::open_hdf5_for_reading(path, &file_size);
    return read_dataset(file.get(), choose_dataset(file.get(), dataset), file_size);
  } catch (const Hdf5Failure& failure) {
    throw InvalidInput(path + ": " + failure.message());
  }
}

}  // namespace

bool hdf5_available() { return true; }

Array read_hdf5(const std::string& path, const std::string& dataset) {
  const std::string answer = detail::read_in_child(path, "HDF5", [&] {
    const Array array = read_hdf5_unisolated(path, dataset);
    detail::ByteWriter out;
    out.values(array.shape().data(), array.shape().size());
    out.values(array.data(), static_cast<std::size_t>(array.size()));
    return out.take();
  });
  detail::ByteReader in(answer);
  Array array(in.values<std::int64_t>());
  in.values_into(array.data(), static_cast<std::size_t>(array.size()));
  if (!in.done()) throw Error("cannot read " + path + ": the isolated reader's answer is garbled");
  return array;
}

}  // namespace langevin
