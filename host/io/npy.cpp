// NumPy .npy reader and writer.
//
// Layout (numpy.lib.format): the magic "\x93NUMPY", a major and minor version byte, the header
// length (u16 little-endian in version 1.0, u32 in 2.0 and 3.0), the header (a Python dict
// literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } padded with
// spaces and a newline), then the raw elements.

#include <algorithm>
#include <cmath>
#include <cstring>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <limits>
#include <utility>

#include "io/atomic_file.hpp"
#include "io/npy_format.hpp"
#include "io/half.hpp"

namespace langevin {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicBytes = 6;
// Real headers are a few hundred bytes; a bigger claim means a corrupt or hostile file.
constexpr std::uint32_t kMaxHeaderBytes = 1u << 20;
// NumPy pads the header so that the data starts at a multiple of 64 bytes.
constexpr std::size_t kHeaderAlignment = 64;

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InvalidInput(path + ": " + problem);
}

// ---------------------------------------------------------------------------------------------
// Header: the subset of Python literal syntax that NumPy writes (dicts, tuples, lists, strings,
// integers, True/False/None), parsed into a small tree that keeps each value's source text for
// error messages.

struct PyValue {
  enum class Kind { String, Integer, Boolean, None, Sequence, Dict };
  Kind kind = Kind::None;
  std::string source;        // the literal as written, e.g. "(3, 4)"
  std::string string;        // Kind::String
  std::int64_t integer = 0;  // Kind::Integer
  bool boolean = false;      // Kind::Boolean
  // Kind::Sequence: the elements; Kind::Dict: key, value, key, value, ...
  std::vector<PyValue> items;
};

class HeaderParser {
 public:
  HeaderParser(const std::string& path, const std::string& text) : path_(path), text_(text) {}

  PyValue parse_document() {
    PyValue value = parse_value();
    skip_space();
    if (at_ < text_.size()) error("unexpected text after the dict");
    return value;
  }

 private:
  [[noreturn]] void error(const std::string& problem) const {
    // The header may be up to 1 MiB of junk; quote only the start.
    constexpr std::size_t kQuoted = 200;
    std::string quoted = text_.substr(0, kQuoted);
    if (text_.size() > kQuoted) quoted += "...";
    fail(path_, "malformed header: " + problem + " at byte " + std::to_string(at_) + " of \"" +
                    quoted + "\"");
  }

  void skip_space() {
    while (at_ < text_.size() &&
           (text_[at_] == ' ' || text_[at_] == '\t' || text_[at_] == '\r' || text_[at_] == '\n')) {
      ++at_;
    }
  }

  bool consume(char expected) {
    skip_space();
    if (at_ < text_.size() && text_[at_] == expected) {
      ++at_;
      return true;
    }
    return false;
  }

  bool consume_word(const char* word) {
    const std::size_t length = std::strlen(word);
    if (text_.compare(at_, length, word) != 0) return false;
    at_ += length;
    return true;
  }

  PyValue parse_value() {
    skip_space();
    if (at_ >= text_.size()) error("unexpected end of header");
    const std::size_t start = at_;
    PyValue value;
    const char c = text_[at_];
    if (c == '{') {
      value = parse_container('{', '}', PyValue::Kind::Dict);
    } else if (c == '(') {
      value = parse_container('(', ')', PyValue::Kind::Sequence);
    } else if (c == '[') {
      value = parse_container('[', ']', PyValue::Kind::Sequence);
    } else if (c == '\'' || c == '"') {
      value.kind = PyValue::Kind::String;
      value.string = parse_string();
    } else if (c == '-' || c == '+' || (c >= '0' && c <= '9')) {
      value.kind = PyValue::Kind::Integer;
      value.integer = parse_integer();
    } else if (consume_word("True") || consume_word("False")) {
      value.kind = PyValue::Kind::Boolean;
      value.boolean = text_[start] == 'T';
    } else if (consume_word("None")) {
      value.kind = PyValue::Kind::None;
    } else {
      error(std::string("unexpected character '") + c + "'");
    }
    value.source = text_.substr(start, at_ - start);
    return value;
  }

  // Dicts hold "key: value" pairs, sequences plain values; both allow a trailing comma, which
  // Python requires in a 1-tuple "(5,)".
  PyValue parse_container(char open, char close, PyValue::Kind kind) {
    PyValue value;
    value.kind = kind;
    consume(open);
    while (!consume(close)) {
      value.items.push_back(parse_value());
      if (kind == PyValue::Kind::Dict) {
        if (!consume(':')) error("expected ':' after a dict key");
        value.items.push_back(parse_value());
      }
      if (consume(close)) break;
      if (!consume(',')) error(std::string("expected ',' or '") + close + "'");
    }
    return value;
  }

  std::string parse_string() {
    const char quote = text_[at_++];
    std::string result;
    while (at_ < text_.size() && text_[at_] != quote) {
      // Escapes do not occur in the keys and dtypes NumPy writes; keep the escaped character.
      if (text_[at_] == '\\' && at_ + 1 < text_.size()) ++at_;
      result += text_[at_++];
    }
    if (at_ >= text_.size()) error("unterminated string");
    ++at_;  // closing quote
    return result;
  }

  std::int64_t parse_integer() {
    const bool negative = text_[at_] == '-';
    if (text_[at_] == '-' || text_[at_] == '+') ++at_;
    if (at_ >= text_.size() || text_[at_] < '0' || text_[at_] > '9') error("expected a digit");
    std::int64_t magnitude = 0;
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
    while (at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9') {
      const int digit = text_[at_] - '0';
      if (magnitude > (kMax - digit) / 10) error("integer out of range");
      magnitude = magnitude * 10 + digit;
      ++at_;
    }
    if (at_ < text_.size() && text_[at_] == 'L') ++at_;  // Python 2 long, in old files
    return negative ? -magnitude : magnitude;
  }

  const std::string& path_;
  const std::string& text_;
  std::size_t at_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Element types.

struct ElementType {
  char kind = 'f';  // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  std::size_t size = 4;
  bool big_endian = false;
};

bool host_is_little_endian() {
  const std::uint16_t probe = 1;
  unsigned char first;
  std::memcpy(&first, &probe, 1);
  return first == 1;
}

[[noreturn]] void unsupported_dtype(const std::string& path, const PyValue& descr) {
  fail(path, "unsupported dtype " + descr.source + " (expected float or integer)");
}

ElementType parse_descr(const std::string& path, const PyValue& descr) {
  // A structured dtype is a list of fields, not a string.
  if (descr.kind != PyValue::Kind::String) unsupported_dtype(path, descr);
  const std::string& text = descr.string;
  if (text.size() != 3) unsupported_dtype(path, descr);
  ElementType type;
  // '|' means "not applicable" (single-byte types); '=' is native order, as NumPy reads it.
  const char order = text[0];
  if (order != '<' && order != '>' && order != '|' && order != '=') {
    unsupported_dtype(path, descr);
  }
  type.big_endian = order == '>' || (order == '=' && !host_is_little_endian());
  type.kind = text[1];
  if (text[2] < '1' || text[2] > '8') unsupported_dtype(path, descr);
  type.size = static_cast<std::size_t>(text[2] - '0');
  const bool power_of_two = (type.size & (type.size - 1)) == 0;
  const bool supported = (type.kind == 'f' && type.size >= 2 && power_of_two) ||
                         ((type.kind == 'i' || type.kind == 'u') && power_of_two) ||
                         (type.kind == 'b' && type.size == 1);
  if (!supported) unsupported_dtype(path, descr);
  if (text[0] == '|' && type.size != 1) unsupported_dtype(path, descr);
  return type;
}

std::uint64_t load_unsigned(const unsigned char* bytes, std::size_t size, bool big_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t shift = 8 * (big_endian ? size - 1 - i : i);
    value |= static_cast<std::uint64_t>(bytes[i]) << shift;
  }
  return value;
}

float decode_element(const unsigned char* bytes, const ElementType& type) {
  const std::uint64_t raw = load_unsigned(bytes, type.size, type.big_endian);
  switch (type.kind) {
    case 'b':
      return raw != 0 ? 1.0f : 0.0f;
    case 'u':
      return static_cast<float>(raw);
    case 'i':
      switch (type.size) {
        case 1:
          return static_cast<float>(static_cast<std::int8_t>(raw));
        case 2:
          return static_cast<float>(static_cast<std::int16_t>(raw));
        case 4:
          return static_cast<float>(static_cast<std::int32_t>(raw));
        default:
          return static_cast<float>(static_cast<std::int64_t>(raw));
      }
    default:  // 'f'
      switch (type.size) {
        case 2:
          return detail::half_to_float(static_cast<std::uint16_t>(raw));
        case 4: {
          const auto bits = static_cast<std::uint32_t>(raw);
          float value;
          std::memcpy(&value, &bits, sizeof value);
          return value;
        }
        default: {
          double value;
          std::memcpy(&value, &raw, sizeof value);
          return static_cast<float>(value);
        }
      }
  }
}

void decode_elements(const unsigned char* bytes, std::size_t count, const ElementType& type,
                     float* out) {
  // The common case, float32 in host order, is a plain copy.
  if (type.kind == 'f' && type.size == 4 && type.big_endian != host_is_little_endian()) {
    std::memcpy(out, bytes, count * sizeof(float));
    return;
  }
  for (std::size_t i = 0; i < count; ++i) out[i] = decode_element(bytes + i * type.size, type);
}

// ---------------------------------------------------------------------------------------------
// Reading.

struct Header {
  ElementType type;
  bool fortran_order = false;
  std::vector<std::int64_t> shape;
  std::string shape_source;  // as written in the header, for messages
};

std::string read_header_text(detail::InputFile& file) {
  const std::string& path = file.path();
  char magic[kMagicBytes];
  if (file.size() < kMagicBytes + 2)
    fail(path, "not a .npy file: only " + std::to_string(file.size()) + " bytes");
  file.read(magic, kMagicBytes, "the magic string");
  if (std::memcmp(magic, kMagic, kMagicBytes) != 0) {
    fail(path, "not a .npy file: it does not start with \"\\x93NUMPY\"");
  }
  unsigned char version[2];
  file.read(version, 2, "the format version");
  std::size_t length_bytes = 0;
  if (version[0] == 1 && version[1] == 0) {
    length_bytes = 2;
  } else if ((version[0] == 2 || version[0] == 3) && version[1] == 0) {
    length_bytes = 4;
  } else {
    fail(path, "unsupported .npy format version " + std::to_string(version[0]) + "." +
                   std::to_string(version[1]) + " (expected 1.0, 2.0 or 3.0)");
  }
  unsigned char length_field[4];
  file.read(length_field, length_bytes, "the header length");
  const std::uint64_t header_length = load_unsigned(length_field, length_bytes, false);
  if (header_length > kMaxHeaderBytes) {
    fail(path, "header length " + std::to_string(header_length) + " is implausibly large");
  }
  if (header_length > file.remaining()) {
    fail(path, "truncated header: header length says " + std::to_string(header_length) +
                   " bytes, file has " + std::to_string(file.remaining()) + " after the prefix");
  }
  std::string text(static_cast<std::size_t>(header_length), '\0');
  file.read(text.data(), text.size(), "the header");
  return text;
}

std::vector<std::int64_t> parse_shape(const std::string& path, const PyValue& value) {
  const std::string garbage = "shape must be a tuple of non-negative integers, got " + value.source;
  if (value.kind != PyValue::Kind::Sequence) fail(path, garbage);
  std::vector<std::int64_t> shape;
  for (const PyValue& extent : value.items) {
    if (extent.kind != PyValue::Kind::Integer) fail(path, garbage);
    if (extent.integer < 0) {
      fail(path, "negative extent " + std::to_string(extent.integer) + " in shape " + value.source);
    }
    shape.push_back(extent.integer);
  }
  return shape;
}

Header parse_header(const std::string& path, const std::string& text) {
  const PyValue dict = HeaderParser(path, text).parse_document();
  if (dict.kind != PyValue::Kind::Dict) fail(path, "header is not a dict: " + dict.source);
  const PyValue* descr = nullptr;
  const PyValue* fortran_order = nullptr;
  const PyValue* shape = nullptr;
  for (std::size_t i = 0; i < dict.items.size(); i += 2) {
    const PyValue& key = dict.items[i];
    const PyValue& value = dict.items[i + 1];
    const std::string name = key.kind == PyValue::Kind::String ? key.string : key.source;
    if (name == "descr") {
      descr = &value;
    } else if (name == "fortran_order") {
      fortran_order = &value;
    } else if (name == "shape") {
      shape = &value;
    } else {
      fail(path, "unexpected key " + key.source + " in header");
    }
  }
  if (descr == nullptr || fortran_order == nullptr || shape == nullptr) {
    fail(path, "header lacks 'descr', 'fortran_order' or 'shape': " + dict.source);
  }
  if (fortran_order->kind != PyValue::Kind::Boolean) {
    fail(path, "fortran_order must be True or False, got " + fortran_order->source);
  }
  Header header;
  header.type = parse_descr(path, *descr);
  header.fortran_order = fortran_order->boolean;
  header.shape = parse_shape(path, *shape);
  header.shape_source = shape->source;
  return header;
}

// Number of data bytes the header promises, checked for overflow.
std::uint64_t expected_data_bytes(const std::string& path, const Header& header) {
  std::int64_t count;
  try {
    count = element_count(header.shape);
  } catch (const InvalidInput& error) {
    fail(path, error.what());
  }
  const auto itemsize = static_cast<std::int64_t>(header.type.size);
  if (count > std::numeric_limits<std::int64_t>::max() / itemsize) {
    fail(path, "shape " + header.shape_source + " of " + std::to_string(itemsize) +
                   "-byte elements needs more than 2^63 - 1 bytes");
  }
  return static_cast<std::uint64_t>(count * itemsize);
}

// Reorders a column-major (Fortran) array into row-major (C) order. Not inlined: inlined into
// read_npy, GCC 12 reports a -Wfree-nonheap-object there that is not (a rare path anyway).
[[gnu::noinline]] std::vector<float> fortran_to_c_order(const std::vector<float>& column_major,
                                      const std::vector<std::int64_t>& shape) {
  const std::size_t rank = shape.size();
  if (column_major.empty() || rank <= 1) return column_major;
  std::vector<float> row_major(column_major.size());
  // Column-major strides: the first axis varies fastest.
  std::vector<std::int64_t> stride(rank, 1);
  for (std::size_t axis = 1; axis < rank; ++axis) stride[axis] = stride[axis - 1] * shape[axis - 1];
  // Walk the C-order index like an odometer, keeping the Fortran offset in step.
  std::vector<std::int64_t> index(rank, 0);
  std::int64_t source = 0;
  for (float& destination : row_major) {
    destination = column_major[static_cast<std::size_t>(source)];
    for (std::size_t axis = rank; axis-- > 0;) {
      source += stride[axis];
      if (++index[axis] < shape[axis]) break;
      source -= stride[axis] * shape[axis];
      index[axis] = 0;
    }
  }
  return row_major;
}

std::vector<float> read_elements(detail::InputFile& file, std::size_t count,
                                 const ElementType& type) {
  std::vector<float> values(count);
  // Read in chunks so that a large file needs only one float copy in memory, not raw bytes too.
  constexpr std::size_t kChunkElements = std::size_t{1} << 18;
  std::vector<unsigned char> chunk(std::min(count, kChunkElements) * type.size);
  for (std::size_t done = 0; done < count;) {
    const std::size_t n = std::min(count - done, kChunkElements);
    file.read(chunk.data(), n * type.size, "the array data");
    decode_elements(chunk.data(), n, type, values.data() + done);
    done += n;
  }
  return values;
}

// ---------------------------------------------------------------------------------------------
// Writing.

void put_little_endian(std::string& out, std::uint64_t value, std::size_t bytes) {
  for (std::size_t i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xff);
}

}  // namespace

Array read_npy(const std::string& path) {
  detail::InputFile file(path);
  const Header header = parse_header(path, read_header_text(file));
  // Check the size the header claims against the file before allocating anything for it.
  const std::uint64_t data_bytes = expected_data_bytes(path, header);
  const std::uint64_t file_bytes = file.remaining();
  if (data_bytes != file_bytes) {
    fail(path, std::string(data_bytes > file_bytes ? "truncated" : "extra data") +
                   ": header says " + std::to_string(data_bytes) + " bytes of data, file has " +
                   std::to_string(file_bytes));
  }
  const std::size_t count = static_cast<std::size_t>(data_bytes / header.type.size);
  std::vector<float> values = read_elements(file, count, header.type);
  if (header.fortran_order) values = fortran_to_c_order(values, header.shape);
  return Array(header.shape, std::move(values));
}

detail::NpyLayout detail::npy_layout(const std::string& path) {
  detail::InputFile file(path);
  const Header header = parse_header(path, read_header_text(file));
  const std::uint64_t data_bytes = expected_data_bytes(path, header);
  if (data_bytes != file.remaining()) {
    fail(path, std::string(data_bytes > file.remaining() ? "truncated" : "extra data") +
                   ": header says " + std::to_string(data_bytes) + " bytes of data, file has " +
                   std::to_string(file.remaining()));
  }
  NpyLayout layout;
  layout.shape = header.shape;
  layout.float32_c_order = header.type.kind == 'f' && header.type.size == 4 &&
                           header.type.big_endian != host_is_little_endian() &&
                           !header.fortran_order;
  layout.data_offset = file.size() - file.remaining();
  layout.file_bytes = file.size();
  return layout;
}

std::string detail::npy_preamble(const std::vector<std::int64_t>& shape) {
  std::string header =
      "{'descr': '<f4', 'fortran_order': False, 'shape': " + format_shape(shape) + ", }";
  // Version 1.0 stores the header length in 2 bytes; only an absurd rank needs version 2.0.
  const bool version_1 = header.size() + kHeaderAlignment < 65536;
  const std::size_t prefix = kMagicBytes + 2 + (version_1 ? 2 : 4);
  const std::size_t unpadded = prefix + header.size() + 1;  // +1 for the final newline
  header.append((kHeaderAlignment - unpadded % kHeaderAlignment) % kHeaderAlignment, ' ');
  header += '\n';

  std::string preamble(kMagic, kMagicBytes);
  preamble += static_cast<char>(version_1 ? 1 : 2);
  preamble += '\0';
  put_little_endian(preamble, header.size(), version_1 ? 2 : 4);
  preamble += header;
  return preamble;
}

void write_npy(const std::string& path, const Array& array) {
  const std::int64_t expected = element_count(array.shape());
  if (array.size() != expected) {
    throw InvalidInput(path + ": array of shape " + array.shape_string() + " holds " +
                       std::to_string(array.size()) + " values instead of " +
                       std::to_string(expected));
  }
  const std::string preamble = detail::npy_preamble(array.shape());
  detail::write_file_atomically(path, [&](std::FILE* stream) {
    std::fwrite(preamble.data(), 1, preamble.size(), stream);
    detail::write_float32_little_endian(stream, array.data(),
                                        static_cast<std::size_t>(array.size()));
  });
}

}  // namespace langevin
