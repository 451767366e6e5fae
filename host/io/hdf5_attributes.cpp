// HDF5 attribute reader: the root group's attributes that an Hdf5Attribute can hold, so that
// programs (and the tests) can check the provenance write_hdf5 recorded without the HDF5 API.

#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <optional>
#include <type_traits>
#include <variant>

#include "io/crash_isolation.hpp"
#include "io/hdf5_handle.hpp"

namespace langevin {
namespace {

using detail::check;
using detail::Hdf5Failure;
using detail::Hdf5Handle;

herr_t collect_name(hid_t, const char* name, const H5A_info_t*, void* names) noexcept {
  try {
    static_cast<std::vector<std::string>*>(names)->push_back(name);
    return 0;
  } catch (...) {  // no exception may cross HDF5's C frames
    return -1;
  }
}

std::vector<std::string> attribute_names(hid_t location) {
  std::vector<std::string> names;
  check(H5Aiterate2(location, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect_name, &names),
        "cannot list the root group's attributes");
  return names;
}

// A string attribute, variable-length (as write_hdf5 and h5py write them) or fixed-length.
// Read in the file's character set: HDF5 does not convert between them.
std::string read_string(hid_t attribute, hid_t type, const std::string& label) {
  if (check(H5Tis_variable_str(type), label) > 0) {
    const Hdf5Handle memory_type(H5Tcopy(H5T_C_S1), H5Tclose, label);
    check(H5Tset_size(memory_type.get(), H5T_VARIABLE), label);
    check(H5Tset_cset(memory_type.get(), check(H5Tget_cset(type), label)), label);
    char* text = nullptr;
    check(H5Aread(attribute, memory_type.get(), &text), "cannot read " + label);
    std::string value = text != nullptr ? text : "";
    check(H5free_memory(text), label);
    return value;
  }
  // Null-padded in memory, so that a full-length string loses no character to a terminator.
  const Hdf5Handle memory_type(H5Tcopy(type), H5Tclose, label);
  check(H5Tset_strpad(memory_type.get(), H5T_STR_NULLPAD), label);
  const std::size_t size = H5Tget_size(type);
  if (size == 0) throw Hdf5Failure{label, detail::take_hdf5_error()};
  std::string bytes(size, '\0');
  check(H5Aread(attribute, memory_type.get(), bytes.data()), "cannot read " + label);
  return bytes.substr(0, bytes.find('\0'));
}

template <class Value>
std::vector<Value> read_numbers(hid_t attribute, hid_t memory_type, std::size_t count,
                                const std::string& label) {
  std::vector<Value> values(count);
  if (count > 0) check(H5Aread(attribute, memory_type, values.data()), "cannot read " + label);
  return values;
}

// The attribute's value, or nothing for types and shapes that Hdf5Attribute cannot hold.
// Attributes are stored uncompressed, so one larger than the file is corrupt.
std::optional<Hdf5Attribute> read_attribute(hid_t root, const std::string& name,
                                            std::uint64_t file_size) {
  const std::string label = "attribute \"" + name + "\"";
  const Hdf5Handle attribute(H5Aopen(root, name.c_str(), H5P_DEFAULT), H5Aclose,
                             "cannot open " + label);
  const Hdf5Handle type(H5Aget_type(attribute.get()), H5Tclose, label);
  const Hdf5Handle space(H5Aget_space(attribute.get()), H5Sclose, label);
  const H5T_class_t type_class = check(H5Tget_class(type.get()), label);
  const H5S_class_t space_class = check(H5Sget_simple_extent_type(space.get()), label);
  const bool scalar = space_class == H5S_SCALAR;
  if (!scalar && !(space_class == H5S_SIMPLE &&
                   check(H5Sget_simple_extent_ndims(space.get()), label) == 1)) {
    return std::nullopt;
  }
  const auto count = static_cast<std::uint64_t>(
      check(H5Sget_simple_extent_npoints(space.get()), label));
  const std::size_t element_bytes = H5Tget_size(type.get());
  if (element_bytes == 0) throw Hdf5Failure{label, detail::take_hdf5_error()};
  if (count > file_size / element_bytes) {
    throw Hdf5Failure{label, "claims " + std::to_string(count) + " values of " +
                                 std::to_string(element_bytes) + " bytes in a file of " +
                                 std::to_string(file_size)};
  }
  if (type_class == H5T_STRING) {
    if (!scalar) return std::nullopt;
    return read_string(attribute.get(), type.get(), label);
  }
  if (type_class == H5T_FLOAT) {
    auto values = read_numbers<double>(attribute.get(), H5T_NATIVE_DOUBLE, count, label);
    if (scalar) return values.front();
    return values;
  }
  if (type_class == H5T_INTEGER) {
    // Unsigned scalars keep their full range (a seed); arrays are read as signed.
    if (scalar && check(H5Tget_sign(type.get()), label) == H5T_SGN_NONE) {
      return read_numbers<std::uint64_t>(attribute.get(), H5T_NATIVE_UINT64, 1, label).front();
    }
    auto values = read_numbers<std::int64_t>(attribute.get(), H5T_NATIVE_INT64, count, label);
    if (scalar) return values.front();
    return values;
  }
  return std::nullopt;
}

}  // namespace

namespace {

Hdf5Attributes read_hdf5_attributes_unisolated(const std::string& path) {
  const detail::QuietHdf5Errors quiet;
  try {
    std::uint64_t file_size = 0;
    const Hdf5Handle file = detail::open_hdf5_for_reading(path, &file_size);
    const Hdf5Handle root(H5Gopen2(file.get(), "/", H5P_DEFAULT), H5Gclose,
                          "cannot open the root group");
    Hdf5Attributes attributes;
    for (const std::string& name : attribute_names(root.get())) {
      auto value = read_attribute(root.get(), name, file_size);
      if (value) attributes.emplace(name, std::move(*value));
    }
    return attributes;
  } catch (const Hdf5Failure& failure) {
    throw InvalidInput(path + ": " + failure.message());
  }
}

}  // namespace

// The answer's alternative indices, below.
static_assert(std::is_same_v<std::variant_alternative_t<4, Hdf5Attribute>, std::vector<std::int64_t>> &&
              std::is_same_v<std::variant_alternative_t<5, Hdf5Attribute>, std::vector<double>> &&
              std::variant_size_v<Hdf5Attribute> == 6);

Hdf5Attributes read_hdf5_attributes(const std::string& path) {
  // Each attribute goes back as its name, its alternative's index and its value(s).
  const std::string answer = detail::read_in_child(path, "HDF5", [&] {
    detail::ByteWriter out;
    const Hdf5Attributes attributes = read_hdf5_attributes_unisolated(path);
    out.value(static_cast<std::uint64_t>(attributes.size()));
    for (const auto& [name, attribute] : attributes) {
      out.text(name);
      out.value(static_cast<std::uint8_t>(attribute.index()));
      std::visit(
          [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>) {
              out.text(v);
            } else if constexpr (std::is_arithmetic_v<T>) {
              out.value(v);
            } else {
              out.values(v.data(), v.size());
            }
          },
          attribute);
    }
    return out.take();
  });
  detail::ByteReader in(answer);
  Hdf5Attributes attributes;
  const auto count = in.value<std::uint64_t>();
  for (std::uint64_t n = 0; n < count; ++n) {
    std::string name = in.text();
    switch (in.value<std::uint8_t>()) {
      case 0: attributes[name] = in.value<std::int64_t>(); break;
      case 1: attributes[name] = in.value<std::uint64_t>(); break;
      case 2: attributes[name] = in.value<double>(); break;
      case 3: attributes[name] = in.text(); break;
      case 4: attributes[name] = in.values<std::int64_t>(); break;
      case 5: attributes[name] = in.values<double>(); break;
      default: throw Error("cannot read " + path + ": the isolated reader's answer is garbled");
    }
  }
  if (!in.done()) throw Error("cannot read " + path + ": the isolated reader's answer is garbled");
  return attributes;
}

}  // namespace langevin
