// safetensors reader and writer.
//
// Layout: an 8-byte little-endian header size N, N bytes of JSON
//   {"__metadata__": {"key": "value"}, "name": {"dtype": "F32", "shape": [2, 3],
//    "data_offsets": [begin, end]}, ...}
// and then the data buffer; offsets are relative to the start of the buffer, data is little-endian.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "io/atomic_file.hpp"
#include "io/half.hpp"

namespace langevin {
namespace {

using nlohmann::json;

constexpr std::size_t kSizeFieldBytes = 8;
// The reference implementation's limit: larger headers are corrupt or hostile.
constexpr std::uint64_t kMaxHeaderBytes = std::uint64_t{100} << 20;
constexpr std::size_t kHeaderAlignment = 8;
constexpr const char* kMetadataKey = "__metadata__";

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InvalidInput(path + ": " + problem);
}

// ---------------------------------------------------------------------------------------------
// Element types, all little-endian.

std::uint64_t load_little_endian(const unsigned char* bytes, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) value |= static_cast<std::uint64_t>(bytes[i]) << (8 * i);
  return value;
}

float float_from_bits(std::uint32_t bits) {
  float value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

float decode_f32(const unsigned char* p) {
  return float_from_bits(static_cast<std::uint32_t>(load_little_endian(p, 4)));
}
float decode_f64(const unsigned char* p) {
  const std::uint64_t bits = load_little_endian(p, 8);
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return static_cast<float>(value);
}
float decode_f16(const unsigned char* p) {
  return detail::half_to_float(static_cast<std::uint16_t>(load_little_endian(p, 2)));
}
// bfloat16 is the upper half of a float32.
float decode_bf16(const unsigned char* p) {
  return float_from_bits(static_cast<std::uint32_t>(load_little_endian(p, 2)) << 16);
}
template <typename Integer>
float decode_integer(const unsigned char* p) {
  return static_cast<float>(static_cast<Integer>(load_little_endian(p, sizeof(Integer))));
}
float decode_bool(const unsigned char* p) { return *p != 0 ? 1.0f : 0.0f; }

struct DType {
  const char* name;
  std::size_t size;
  float (*decode)(const unsigned char*);
};

constexpr DType kDTypes[] = {
    {"F32", 4, decode_f32},
    {"F64", 8, decode_f64},
    {"F16", 2, decode_f16},
    {"BF16", 2, decode_bf16},
    {"I8", 1, decode_integer<std::int8_t>},
    {"I16", 2, decode_integer<std::int16_t>},
    {"I32", 4, decode_integer<std::int32_t>},
    {"I64", 8, decode_integer<std::int64_t>},
    {"U8", 1, decode_integer<std::uint8_t>},
    {"U16", 2, decode_integer<std::uint16_t>},
    {"U32", 4, decode_integer<std::uint32_t>},
    {"U64", 8, decode_integer<std::uint64_t>},
    {"BOOL", 1, decode_bool},
};

// ---------------------------------------------------------------------------------------------
// Reading.

struct TensorEntry {
  std::string name;
  const DType* dtype = nullptr;
  std::vector<std::int64_t> shape;
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

std::uint64_t read_header_size(detail::InputFile& file) {
  const std::string& path = file.path();
  if (file.size() < kSizeFieldBytes) {
    fail(path, "not a safetensors file: " + std::to_string(file.size()) +
                   " bytes, less than the 8-byte header size");
  }
  unsigned char field[kSizeFieldBytes];
  file.read(field, kSizeFieldBytes, "the header size");
  const std::uint64_t header_bytes = load_little_endian(field, kSizeFieldBytes);
  if (header_bytes > file.remaining()) {
    fail(path, "header size " + std::to_string(header_bytes) + " is larger than the " +
                   std::to_string(file.remaining()) + " bytes after the size field");
  }
  if (header_bytes >= kMaxHeaderBytes) {
    fail(path, "header size " + std::to_string(header_bytes) + " is over the 100 MiB limit");
  }
  return header_bytes;
}

json parse_header(detail::InputFile& file, std::uint64_t header_bytes) {
  std::string text(static_cast<std::size_t>(header_bytes), '\0');
  file.read(text.data(), text.size(), "the header");
  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& error) {
    // parse_error, and out_of_range for a number too large for a double (found by fuzzing).
    fail(file.path(), std::string("header is not valid JSON: ") + error.what());
  }
  if (!header.is_object()) {
    fail(file.path(), "header is not a JSON object but " + std::string(header.type_name()));
  }
  return header;
}

std::map<std::string, std::string> parse_metadata(const std::string& path, const json& value) {
  std::map<std::string, std::string> metadata;
  if (value.is_null()) return metadata;
  if (!value.is_object()) fail(path, "__metadata__ is not an object: " + value.dump());
  for (const auto& [key, item] : value.items()) {
    if (!item.is_string()) {
      fail(path, "metadata value for '" + key + "' is not a string: " + item.dump());
    }
    metadata[key] = item.get<std::string>();
  }
  return metadata;
}

const DType& find_dtype(const std::string& path, const std::string& tensor, const json& dtype) {
  if (dtype.is_string()) {
    for (const DType& candidate : kDTypes) {
      if (dtype.get<std::string>() == candidate.name) return candidate;
    }
  }
  fail(path, "tensor '" + tensor + "': unsupported dtype " + dtype.dump() +
                 " (expected F32, F64, F16, BF16, I8-I64, U8-U64 or BOOL)");
}

// Checks one tensor's description against the buffer it must lie in, before anything is read.
TensorEntry parse_entry(const std::string& path, const std::string& name, const json& value,
                        std::uint64_t buffer_bytes) {
  const std::string where = "tensor '" + name + "': ";
  if (!value.is_object()) fail(path, where + "entry is not an object: " + value.dump());
  for (const char* field : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(field)) fail(path, where + "missing \"" + field + "\"");
  }
  TensorEntry entry;
  entry.name = name;
  entry.dtype = &find_dtype(path, name, value["dtype"]);

  const json& shape = value["shape"];
  const auto is_extent = [](const json& extent) {
    return extent.is_number_unsigned() &&
           extent.get<std::uint64_t>() <=
               static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  };
  if (!shape.is_array() || !std::all_of(shape.begin(), shape.end(), is_extent)) {
    fail(path, where + "shape must be an array of non-negative integers, got " + shape.dump());
  }
  for (const json& extent : shape) entry.shape.push_back(extent.get<std::int64_t>());

  const json& offsets = value["data_offsets"];
  if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
      !offsets[1].is_number_unsigned()) {
    fail(path, where + "data_offsets must be [begin, end] with non-negative integers, got " +
                   offsets.dump());
  }
  entry.begin = offsets[0].get<std::uint64_t>();
  entry.end = offsets[1].get<std::uint64_t>();
  if (entry.begin > entry.end || entry.end > buffer_bytes) {
    fail(path, where + "data_offsets " + offsets.dump() + " are out of range for a " +
                   std::to_string(buffer_bytes) + "-byte data buffer");
  }

  std::int64_t count;
  try {
    count = element_count(entry.shape);
  } catch (const InvalidInput& error) {
    fail(path, where + error.what());
  }
  const auto itemsize = static_cast<std::uint64_t>(entry.dtype->size);
  const auto elements = static_cast<std::uint64_t>(count);
  // end - begin <= buffer size, so a product that would overflow cannot match anyway.
  if (elements > (entry.end - entry.begin) / itemsize ||
      elements * itemsize != entry.end - entry.begin) {
    fail(path, where + "shape " + shape.dump() + " of " + entry.dtype->name + " needs " +
                   std::to_string(count) + " x " + std::to_string(itemsize) +
                   " bytes, data_offsets " + offsets.dump() + " give " +
                   std::to_string(entry.end - entry.begin));
  }
  return entry;
}

void check_no_overlap(const std::string& path, std::vector<TensorEntry> entries) {
  // Empty tensors occupy no bytes and cannot overlap anything.
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [](const TensorEntry& entry) { return entry.begin == entry.end; }),
                entries.end());
  std::sort(entries.begin(), entries.end(),
            [](const TensorEntry& a, const TensorEntry& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < entries.size(); ++i) {
    const TensorEntry& previous = entries[i - 1];
    const TensorEntry& current = entries[i];
    if (current.begin < previous.end) {
      fail(path, "tensors '" + previous.name + "' [" + std::to_string(previous.begin) + ", " +
                     std::to_string(previous.end) + ") and '" + current.name + "' [" +
                     std::to_string(current.begin) + ", " + std::to_string(current.end) +
                     ") overlap");
    }
  }
}

Array read_tensor(detail::InputFile& file, std::uint64_t buffer_start, const TensorEntry& entry) {
  const auto byte_count = static_cast<std::size_t>(entry.end - entry.begin);
  std::vector<unsigned char> bytes(byte_count);
  file.seek(buffer_start + entry.begin);
  file.read(bytes.data(), byte_count, ("tensor '" + entry.name + "'").c_str());
  const std::size_t count = byte_count / entry.dtype->size;
  std::vector<float> values(count);
  for (std::size_t i = 0; i < count; ++i) {
    values[i] = entry.dtype->decode(bytes.data() + i * entry.dtype->size);
  }
  return Array(entry.shape, std::move(values));
}

// ---------------------------------------------------------------------------------------------
// Writing.

std::string header_text(const std::string& path, const TensorFile& file) {
  json header = json::object();
  std::uint64_t offset = 0;
  for (const auto& [name, array] : file.tensors) {
    if (name == kMetadataKey) fail(path, "a tensor cannot be named \"__metadata__\"");
    const std::int64_t expected = element_count(array.shape());
    if (array.size() != expected) {
      fail(path, "tensor '" + name + "' of shape " + array.shape_string() + " holds " +
                     std::to_string(array.size()) + " values instead of " +
                     std::to_string(expected));
    }
    const std::uint64_t bytes = static_cast<std::uint64_t>(array.size()) * sizeof(float);
    header[name] = {
        {"dtype", "F32"}, {"shape", array.shape()}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  if (!file.metadata.empty()) header[kMetadataKey] = file.metadata;
  std::string text;
  try {
    text = header.dump();
  } catch (const json::type_error& error) {  // JSON strings must be valid UTF-8
    fail(path, std::string("tensor names and metadata must be UTF-8: ") + error.what());
  }
  // Padding keeps the data buffer 8-byte aligned, as the reference implementation does.
  text.append((kHeaderAlignment - text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');
  return text;
}

}  // namespace

TensorFile read_safetensors(const std::string& path) {
  detail::InputFile file(path);
  const std::uint64_t header_bytes = read_header_size(file);
  const json header = parse_header(file, header_bytes);
  const std::uint64_t buffer_start = kSizeFieldBytes + header_bytes;
  const std::uint64_t buffer_bytes = file.size() - buffer_start;

  TensorFile result;
  std::vector<TensorEntry> entries;
  for (const auto& [name, value] : header.items()) {
    if (name == kMetadataKey) {
      result.metadata = parse_metadata(path, value);
    } else {
      entries.push_back(parse_entry(path, name, value, buffer_bytes));
    }
  }
  check_no_overlap(path, entries);
  for (const TensorEntry& entry : entries) {
    result.tensors.emplace(entry.name, read_tensor(file, buffer_start, entry));
  }
  return result;
}

void write_safetensors(const std::string& path, const TensorFile& file) {
  const std::string header = header_text(path, file);
  std::string size_field;
  for (std::size_t i = 0; i < kSizeFieldBytes; ++i) {
    size_field += static_cast<char>((static_cast<std::uint64_t>(header.size()) >> (8 * i)) & 0xff);
  }
  detail::write_file_atomically(path, [&](std::FILE* stream) {
    std::fwrite(size_field.data(), 1, size_field.size(), stream);
    std::fwrite(header.data(), 1, header.size(), stream);
    for (const auto& [name, array] : file.tensors) {
      detail::write_float32_little_endian(stream, array.data(),
                                          static_cast<std::size_t>(array.size()));
    }
  });
}

}  // namespace langevin
