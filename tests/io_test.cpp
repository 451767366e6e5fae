// Tests of the .npy and safetensors readers and writers, the atomic writer they share, and Array.
// Files are built byte by byte here, so the readers are checked against the formats themselves,
// not against our own writers.

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <langevin/array.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/atomic_file.hpp"
#include "test_files.hpp"

namespace {

namespace fs = std::filesystem;
using langevin::Array;
using langevin::InvalidInput;
using langevin::TensorFile;
using langevin::testing::expect_invalid;
using langevin::testing::read_bytes;
using langevin::testing::TempDir;
using langevin::testing::write_bytes;

// ---------------------------------------------------------------------------------------------
// Helpers.

// Appends the low `size` bytes of `value` in the given byte order.
void append(std::string& out, std::uint64_t value, std::size_t size, bool big_endian = false) {
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t shift = 8 * (big_endian ? size - 1 - i : i);
    out += static_cast<char>((value >> shift) & 0xff);
  }
}

std::uint32_t float_bits(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, 4);
  return bits;
}

std::uint64_t double_bits(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, 8);
  return bits;
}

// A .npy file with the given header dict text and data bytes, the header padded as NumPy pads it.
std::string npy_file(const std::string& dict, const std::string& data, int major_version = 1) {
  const std::size_t length_bytes = major_version == 1 ? 2 : 4;
  std::string header = dict;
  const std::size_t unpadded = 8 + length_bytes + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string file = "\x93NUMPY";
  file += static_cast<char>(major_version);
  file += '\0';
  append(file, header.size(), length_bytes);
  return file + header + data;
}

std::string npy_dict(const std::string& descr, const std::string& shape, bool fortran = false) {
  return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") +
         ", 'shape': " + shape + ", }";
}

void expect_npy_invalid(const TempDir& dir, const std::string& bytes, const std::string& needle) {
  const std::string path = dir.file("bad.npy");
  write_bytes(path, bytes);
  expect_invalid([&] { langevin::read_npy(path); }, path + ": ", needle);
}

void expect_values(const Array& array, const std::vector<std::int64_t>& shape,
                   const std::vector<float>& values) {
  EXPECT_EQ(array.shape(), shape);
  ASSERT_EQ(array.values().size(), values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(array.values()[i], values[i]) << "element " << i;
  }
}

Array iota(const std::vector<std::int64_t>& shape) {
  Array array(shape);
  for (std::int64_t i = 0; i < array.size(); ++i) array[i] = 0.5f * static_cast<float>(i) - 3.0f;
  return array;
}

// A safetensors file from a header JSON and a data buffer; the header is written verbatim.
std::string safetensors_file(const std::string& header, const std::string& buffer) {
  std::string file;
  append(file, header.size(), 8);
  return file + header + buffer;
}

void expect_safetensors_invalid(const TempDir& dir, const std::string& bytes,
                                const std::string& needle) {
  const std::string path = dir.file("bad.safetensors");
  write_bytes(path, bytes);
  expect_invalid([&] { langevin::read_safetensors(path); }, path + ": ", needle);
}

std::string f32_bytes(const std::vector<float>& values) {
  std::string bytes;
  for (const float value : values) append(bytes, float_bits(value), 4);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Array.

TEST(ArrayTest, ShapeString) {
  EXPECT_EQ(Array({3, 4}).shape_string(), "(3, 4)");
  EXPECT_EQ(Array({5}).shape_string(), "(5,)");
  EXPECT_EQ(Array(std::vector<std::int64_t>{}).shape_string(), "()");
  EXPECT_EQ(Array({0, 3}).shape_string(), "(0, 3)");
}

TEST(ArrayTest, ConstructorsCheckTheValueCount) {
  const Array zeros({2, 3});
  EXPECT_EQ(zeros.size(), 6);
  for (const float value : zeros.values()) EXPECT_EQ(value, 0.0f);
  EXPECT_EQ(Array(std::vector<std::int64_t>{}).size(), 1);  // a scalar
  EXPECT_EQ(Array({2, 0, 5}).size(), 0);
  EXPECT_NO_THROW(Array({2, 2}, {1, 2, 3, 4}));
  expect_invalid([] { Array({2, 2}, {1, 2, 3}); }, "", "(2, 2)");
  expect_invalid([] { Array({-1, 2}); }, "", "negative extent -1");
}

TEST(ArrayTest, ElementCount) {
  EXPECT_EQ(langevin::element_count({}), 1);
  EXPECT_EQ(langevin::element_count({3, 4, 5}), 60);
  EXPECT_EQ(langevin::element_count({3, 0, 5}), 0);
  expect_invalid(
      [] {
        langevin::element_count({3, -2});
      },
      "", "negative extent -2 in shape (3, -2)");
  // A zero extent does not excuse a negative one.
  expect_invalid([] { langevin::element_count({0, -2}); }, "", "negative extent -2");
  const std::int64_t big = std::int64_t{1} << 32;
  expect_invalid([&] { langevin::element_count({big, big}); }, "", "(4294967296, 4294967296)");
  EXPECT_EQ(langevin::element_count({std::int64_t{1} << 62, 1}), std::int64_t{1} << 62);
}

TEST(ArrayTest, AsPoints) {
  const Array column = langevin::as_points(Array({3}, {1, 2, 3}), "data");
  expect_values(column, {3, 1}, {1, 2, 3});
  const Array kept = langevin::as_points(Array({2, 2}, {1, 2, 3, 4}), "data");
  expect_values(kept, {2, 2}, {1, 2, 3, 4});
  expect_invalid(
      [] {
        langevin::as_points(Array({2, 2, 2}), "samples.npy");
      },
      "samples.npy", "(2, 2, 2)");
  expect_invalid([] { langevin::as_points(Array(std::vector<std::int64_t>{}), "x"); }, "x", "()");
}

// ---------------------------------------------------------------------------------------------
// .npy: writing.

TEST(Npy, RoundTripsEveryRank) {
  const TempDir dir;
  const std::vector<std::vector<std::int64_t>> shapes = {{}, {5}, {0}, {0, 3}, {2, 3}, {2, 3, 4}};
  for (const auto& shape : shapes) {
    const Array original = iota(shape);
    const std::string path = dir.file("a.npy");
    langevin::write_npy(path, original);
    const Array copy = langevin::read_npy(path);
    SCOPED_TRACE(original.shape_string());
    expect_values(copy, original.shape(), original.values());
  }
}

TEST(Npy, WritesLittleEndianFloat32WithA64ByteAlignedHeader) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  langevin::write_npy(path, Array({2, 1}, {1.5f, -2.0f}));
  const std::string bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_length = static_cast<unsigned char>(bytes[8]) |
                                    static_cast<std::size_t>(static_cast<unsigned char>(bytes[9]))
                                        << 8;
  const std::size_t data_start = 10 + header_length;
  EXPECT_EQ(data_start % 64, 0u);
  ASSERT_EQ(bytes.size(), data_start + 8);
  const std::string header = bytes.substr(10, header_length);
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1), }", 0), 0u)
      << header;
  std::string data;
  append(data, float_bits(1.5f), 4);
  append(data, float_bits(-2.0f), 4);
  EXPECT_EQ(bytes.substr(data_start), data);
}

TEST(Npy, WrittenOneDimensionalShapeIsAPythonOneTuple) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  langevin::write_npy(path, Array({3}));
  EXPECT_NE(read_bytes(path).find("'shape': (3,), }"), std::string::npos);
  langevin::write_npy(path, Array(std::vector<std::int64_t>{}));
  EXPECT_NE(read_bytes(path).find("'shape': (), }"), std::string::npos);
}

TEST(Npy, WriteRejectsAnArrayWhoseValuesDoNotMatchItsShape) {
  const TempDir dir;
  Array array({2, 2});
  array.values().pop_back();
  const std::string path = dir.file("a.npy");
  expect_invalid([&] { langevin::write_npy(path, array); }, path, "holds 3 values instead of 4");
  EXPECT_FALSE(fs::exists(path));
}

// ---------------------------------------------------------------------------------------------
// .npy: reading hand-made files.

struct DtypeCase {
  std::string descr;
  std::vector<std::uint64_t> raw;  // element bit patterns
  std::vector<float> expected;
};

std::vector<DtypeCase> dtype_cases() {
  const auto twos = [](std::int64_t value) { return static_cast<std::uint64_t>(value); };
  return {
      {"f2",
       {0xC000, 0x0000, 0x3C00, 0x4200, 0x0001, 0x7C00},
       {-2, 0, 1, 3, 5.9604645e-8f, INFINITY}},
      {"f4", {float_bits(-2.5f), float_bits(1e30f)}, {-2.5f, 1e30f}},
      {"f8", {double_bits(-2.5), double_bits(0.1)}, {-2.5f, 0.1f}},
      {"i1", {twos(-128) & 0xff, 127}, {-128, 127}},
      {"i2", {twos(-300) & 0xffff, 300}, {-300, 300}},
      {"i4", {twos(-70000) & 0xffffffff, 70000}, {-70000, 70000}},
      {"i8", {twos(-5000000000), 5000000000}, {-5e9f, 5e9f}},
      {"u1", {0, 255}, {0, 255}},
      {"u2", {0, 65535}, {0, 65535}},
      {"u4", {7, 4000000000}, {7, 4e9f}},
      {"u8", {9, std::uint64_t{1} << 63}, {9, 9.223372e18f}},
      {"b1", {0, 1, 1}, {0, 1, 1}},
  };
}

TEST(Npy, ReadsEveryDtypeInBothByteOrders) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  for (const DtypeCase& test : dtype_cases()) {
    const std::size_t size = static_cast<std::size_t>(test.descr[1] - '0');
    const std::vector<char> orders =
        size == 1 ? std::vector<char>{'|', '<', '>'} : std::vector<char>{'<', '>'};
    for (const char order : orders) {
      const std::string descr = order + test.descr;
      SCOPED_TRACE(descr);
      std::string data;
      for (const std::uint64_t raw : test.raw) append(data, raw, size, order == '>');
      const std::string shape = "(" + std::to_string(test.raw.size()) + ",)";
      write_bytes(path, npy_file(npy_dict(descr, shape), data));
      expect_values(langevin::read_npy(path), {static_cast<std::int64_t>(test.raw.size())},
                    test.expected);
    }
  }
}

TEST(Npy, ReadsHalfNaN) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  std::string data;
  append(data, 0x7E00, 2);
  write_bytes(path, npy_file(npy_dict("<f2", "()"), data));
  EXPECT_TRUE(std::isnan(langevin::read_npy(path)[0]));
}

TEST(Npy, TransposesFortranOrderIntoCOrder) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  // Element (i, j, k) holds 100 i + 10 j + k; in Fortran order i varies fastest.
  std::string data;
  std::vector<float> c_order;
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 3; ++j)
      for (int i = 0; i < 2; ++i) append(data, float_bits(100.0f * i + 10.0f * j + k), 4);
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 4; ++k) c_order.push_back(100.0f * i + 10.0f * j + k);
  write_bytes(path, npy_file(npy_dict("<f4", "(2, 3, 4)", true), data));
  expect_values(langevin::read_npy(path), {2, 3, 4}, c_order);

  std::string matrix;
  for (const double value : {0.0, 3.0, 1.0, 4.0, 2.0, 5.0})
    append(matrix, double_bits(value), 8, true);
  write_bytes(path, npy_file(npy_dict(">f8", "(2, 3)", true), matrix));
  expect_values(langevin::read_npy(path), {2, 3}, {0, 1, 2, 3, 4, 5});

  write_bytes(path, npy_file(npy_dict("<f4", "(0, 3)", true), ""));
  expect_values(langevin::read_npy(path), {0, 3}, {});
}

TEST(Npy, ReadsFormatVersions2And3) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  for (const int version : {2, 3}) {
    write_bytes(path, npy_file(npy_dict("<f4", "(2,)"), f32_bytes({1, 2}), version));
    expect_values(langevin::read_npy(path), {2}, {1, 2});
  }
}

TEST(Npy, ParsesHeadersInAnyKeyOrderAndSpacing) {
  const TempDir dir;
  const std::string path = dir.file("a.npy");
  const std::string data = f32_bytes({1, 2, 3, 4, 5, 6});
  const std::vector<std::pair<std::string, std::vector<std::int64_t>>> headers = {
      {"{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", {2, 3}},
      {"{ \"descr\" : \"<f4\" ,'shape':(6,),'fortran_order':False}", {6}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3L), }", {2, 3}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': ( 1 , 6 , ) , }", {1, 6}},
      {"{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 1, 3)}", {1, 2, 1, 3}},
  };
  for (const auto& [header, shape] : headers) {
    SCOPED_TRACE(header);
    write_bytes(path, npy_file(header, data));
    expect_values(langevin::read_npy(path), shape, {1, 2, 3, 4, 5, 6});
  }
  write_bytes(path,
              npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", f32_bytes({7})));
  expect_values(langevin::read_npy(path), {}, {7});
}

// ---------------------------------------------------------------------------------------------
// .npy: rejecting malformed files.

TEST(Npy, RejectsAMissingFile) {
  const TempDir dir;
  const std::string path = dir.file("missing.npy");
  expect_invalid([&] { langevin::read_npy(path); }, "cannot open " + path,
                 "No such file or directory");
  expect_invalid([&] { langevin::read_npy(dir.file("")); }, "cannot open", "Is a directory");
}

TEST(Npy, RejectsWrongMagic) {
  const TempDir dir;
  std::string bytes = npy_file(npy_dict("<f4", "(1,)"), f32_bytes({1}));
  bytes[1] = 'X';
  expect_npy_invalid(dir, bytes, "not a .npy file");
  expect_npy_invalid(dir, "", "not a .npy file");
  expect_npy_invalid(dir, "PK\x03\x04 a zip file", "not a .npy file");
}

TEST(Npy, RejectsUnsupportedVersions) {
  std::string bytes = npy_file(npy_dict("<f4", "(1,)"), f32_bytes({1}));
  const TempDir dir;
  bytes[6] = 4;
  expect_npy_invalid(dir, bytes, "unsupported .npy format version 4.0");
  bytes[6] = 1;
  bytes[7] = 1;
  expect_npy_invalid(dir, bytes, "version 1.1");
}

TEST(Npy, RejectsTruncatedAndExtraData) {
  const TempDir dir;
  const std::string header = npy_dict("<f4", "(2, 3)");
  expect_npy_invalid(dir, npy_file(header, f32_bytes({1, 2, 3, 4, 5})),
                     "truncated: header says 24 bytes of data, file has 20");
  expect_npy_invalid(dir, npy_file(header, f32_bytes({1, 2, 3, 4, 5, 6, 7})),
                     "extra data: header says 24 bytes of data, file has 28");
  expect_npy_invalid(dir, npy_file(npy_dict("<f8", "(2,)"), f32_bytes({1, 2})),
                     "header says 16 bytes of data, file has 8");
  // A billion-element claim is refused by the size check, before any allocation.
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "(1000000000,)"), f32_bytes({1})),
                     "header says 4000000000 bytes of data, file has 4");
}

TEST(Npy, RejectsTruncatedHeaderAndLyingHeaderLength) {
  const TempDir dir;
  const std::string good = npy_file(npy_dict("<f4", "(1,)"), f32_bytes({1}));
  expect_npy_invalid(dir, good.substr(0, 40), "truncated header: header length says 118 bytes");
  expect_npy_invalid(dir, good.substr(0, 9), "unexpected end of file reading the header length");
  std::string short_length = good;
  short_length[8] = 20;  // the dict is cut after 20 characters
  expect_npy_invalid(dir, short_length, "malformed header");
  std::string huge = "\x93NUMPY";
  huge += '\x02';
  huge += '\0';
  append(huge, 1u << 30, 4);
  expect_npy_invalid(dir, huge + "{}", "header length 1073741824 is implausibly large");
}

TEST(Npy, RejectsUnsupportedDtypes) {
  const TempDir dir;
  const std::string eight = f32_bytes({1, 2});
  expect_npy_invalid(dir, npy_file(npy_dict("<c8", "(1,)"), eight),
                     "unsupported dtype '<c8' (expected float or integer)");
  expect_npy_invalid(dir, npy_file(npy_dict("|O", "(1,)"), eight), "unsupported dtype '|O'");
  expect_npy_invalid(dir, npy_file(npy_dict("<U3", "(1,)"), eight), "unsupported dtype '<U3'");
  expect_npy_invalid(dir, npy_file(npy_dict("<f16", "(1,)"), eight), "unsupported dtype '<f16'");
  expect_npy_invalid(dir, npy_file(npy_dict("<i3", "(1,)"), eight), "unsupported dtype '<i3'");
  expect_npy_invalid(dir, npy_file(npy_dict("|f4", "(1,)"), eight), "unsupported dtype '|f4'");
  expect_npy_invalid(dir,
                     npy_file("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, "
                              "'shape': (1,), }",
                              eight),
                     "unsupported dtype [('x', '<f4'), ('y', '<f4')]");
}

TEST(Npy, RejectsBadShapes) {
  const TempDir dir;
  const std::string four = f32_bytes({1});
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "(-1,)"), four),
                     "negative extent -1 in shape (-1,)");
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "('a', 1)"), four), "shape must be a tuple");
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "4"), four), "shape must be a tuple");
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "(1.5,)"), four), "malformed header");
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "(99999999999999999999,)"), four),
                     "integer out of range");
  expect_npy_invalid(dir, npy_file(npy_dict("<f4", "(4294967296, 4294967296)"), four),
                     "(4294967296, 4294967296)");
  expect_npy_invalid(dir, npy_file(npy_dict("<f8", "(4611686018427387904,)"), four),
                     "needs more than 2^63 - 1 bytes");
}

TEST(Npy, RejectsMalformedHeaders) {
  const TempDir dir;
  const std::string four = f32_bytes({1});
  expect_npy_invalid(dir, npy_file("{'descr': '<f4', 'shape': (1,)}", four),
                     "lacks 'descr', 'fortran_order' or 'shape'");
  expect_npy_invalid(dir, npy_file("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}", four),
                     "fortran_order must be True or False, got 0");
  expect_npy_invalid(
      dir, npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", four),
      "unexpected key 'x'");
  expect_npy_invalid(dir, npy_file("['descr', '<f4']", four), "header is not a dict");
  expect_npy_invalid(dir, npy_file("{'descr': '<f4' 'shape': (1,)}", four), "malformed header");
  expect_npy_invalid(dir, npy_file("{'descr': '<f4", four), "unterminated string");
  expect_npy_invalid(dir, npy_file("", four), "unexpected end of header");
  expect_npy_invalid(dir, npy_file("{} {}", four), "unexpected text after the dict");
}

// ---------------------------------------------------------------------------------------------
// safetensors: writing.

TEST(Safetensors, RoundTripsTensorsAndMetadata) {
  const TempDir dir;
  TensorFile original;
  original.tensors["layers.0.weight"] = iota({3, 2});
  original.tensors["layers.0.bias"] = iota({3});
  original.tensors["scalar"] = Array(std::vector<std::int64_t>{}, {4.5f});
  original.tensors["empty"] = Array({0, 3});
  original.tensors["cube"] = iota({2, 3, 4});
  original.metadata = {{"format", "langevin-mlp"}, {"version", "1"}, {"activation", "relu"}};
  const std::string path = dir.file("m.safetensors");
  langevin::write_safetensors(path, original);
  const TensorFile copy = langevin::read_safetensors(path);
  EXPECT_EQ(copy.metadata, original.metadata);
  ASSERT_EQ(copy.tensors.size(), original.tensors.size());
  for (const auto& [name, array] : original.tensors) {
    SCOPED_TRACE(name);
    ASSERT_EQ(copy.tensors.count(name), 1u);
    expect_values(copy.tensors.at(name), array.shape(), array.values());
  }
}

TEST(Safetensors, WritesSortedContiguousF32WithAPaddedHeader) {
  const TempDir dir;
  TensorFile file;
  file.tensors["b"] = Array({2}, {1, 2});
  file.tensors["a"] = Array({1, 1}, {3});
  const std::string path = dir.file("m.safetensors");
  langevin::write_safetensors(path, file);
  const std::string bytes = read_bytes(path);
  ASSERT_GE(bytes.size(), 8u);
  std::uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) {
    header_size |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  EXPECT_EQ(header_size % 8, 0u);
  ASSERT_EQ(bytes.size(), 8 + header_size + 12);
  const std::string header = bytes.substr(8, header_size);
  EXPECT_LT(header.find("\"a\""), header.find("\"b\"")) << header;
  EXPECT_EQ(header.find("__metadata__"), std::string::npos) << header;
  const auto json = nlohmann::json::parse(header);
  EXPECT_EQ(json["a"]["dtype"], "F32");
  EXPECT_EQ(json["a"]["shape"], nlohmann::json({1, 1}));
  EXPECT_EQ(json["a"]["data_offsets"], nlohmann::json({0, 4}));
  EXPECT_EQ(json["b"]["data_offsets"], nlohmann::json({4, 12}));
  EXPECT_EQ(bytes.substr(8 + header_size), f32_bytes({3, 1, 2}));
}

TEST(Safetensors, WriteRejectsATensorNamedLikeTheMetadata) {
  const TempDir dir;
  TensorFile file;
  file.tensors["__metadata__"] = Array({1});
  const std::string path = dir.file("m.safetensors");
  expect_invalid([&] { langevin::write_safetensors(path, file); }, path, "__metadata__");
  EXPECT_FALSE(fs::exists(path));
}

// ---------------------------------------------------------------------------------------------
// safetensors: reading hand-made files.

TEST(Safetensors, ReadsEveryDtype) {
  const TempDir dir;
  struct Case {
    std::string dtype;
    std::size_t size;
    std::vector<std::uint64_t> raw;
    std::vector<float> expected;
  };
  const std::vector<Case> cases = {
      {"F32", 4, {float_bits(-1.25f)}, {-1.25f}},
      {"F64", 8, {double_bits(2.5), double_bits(-0.1)}, {2.5f, -0.1f}},
      {"F16", 2, {0xC000, 0x3C00, 0x3555}, {-2.0f, 1.0f, 0.33325195f}},
      {"BF16", 2, {0x3F80, 0xC040}, {1.0f, -3.0f}},
      {"I8", 1, {0xFF, 5}, {-1, 5}},
      {"I16", 2, {0xFFFE, 300}, {-2, 300}},
      {"I32", 4, {0xFFFFFFFD, 70000}, {-3, 70000}},
      {"I64", 8, {~std::uint64_t{3}, 5000000000}, {-4, 5e9f}},
      {"U8", 1, {200}, {200}},
      {"U16", 2, {65535}, {65535}},
      {"U32", 4, {4000000000}, {4e9f}},
      {"U64", 8, {10}, {10}},
      {"BOOL", 1, {0, 1}, {0, 1}},
  };
  // All dtypes in one file, the buffer in reverse order of the header's keys.
  nlohmann::json header = nlohmann::json::object();
  std::string buffer;
  for (auto it = cases.rbegin(); it != cases.rend(); ++it) {
    const std::size_t begin = buffer.size();
    for (const std::uint64_t raw : it->raw) append(buffer, raw, it->size);
    header["t_" + it->dtype] = {{"dtype", it->dtype},
                                {"shape", {it->raw.size()}},
                                {"data_offsets", {begin, buffer.size()}}};
  }
  header["__metadata__"] = {{"k", "v"}};
  const std::string path = dir.file("m.safetensors");
  write_bytes(path, safetensors_file(header.dump(), buffer));
  const TensorFile file = langevin::read_safetensors(path);
  EXPECT_EQ(file.metadata.at("k"), "v");
  for (const Case& test : cases) {
    SCOPED_TRACE(test.dtype);
    expect_values(file.tensors.at("t_" + test.dtype), {static_cast<std::int64_t>(test.raw.size())},
                  test.expected);
  }
}

TEST(Safetensors, ReadsPaddedHeadersNullMetadataAndEmptyFiles) {
  const TempDir dir;
  const std::string path = dir.file("m.safetensors");
  write_bytes(path, safetensors_file(
                        R"({"x": {"dtype": "F32", "shape": [], "data_offsets": [0, 4]}}      )",
                        f32_bytes({9})));
  expect_values(langevin::read_safetensors(path).tensors.at("x"), {}, {9});
  write_bytes(path, safetensors_file(R"({"__metadata__": null})", ""));
  const TensorFile empty = langevin::read_safetensors(path);
  EXPECT_TRUE(empty.tensors.empty());
  EXPECT_TRUE(empty.metadata.empty());
}

// ---------------------------------------------------------------------------------------------
// safetensors: rejecting malformed files.

std::string one_tensor(const std::string& entry) { return R"({"w": )" + entry + "}"; }

// Expects a file holding one tensor "w" with the JSON `fields` and the data `buffer` to be refused.
void expect_entry_invalid(const TempDir& dir, const std::string& fields, const std::string& buffer,
                          const std::string& needle) {
  expect_safetensors_invalid(dir, safetensors_file(one_tensor("{" + fields + "}"), buffer), needle);
}

TEST(Safetensors, RejectsAMissingFile) {
  const TempDir dir;
  const std::string path = dir.file("missing.safetensors");
  expect_invalid([&] { langevin::read_safetensors(path); }, "cannot open " + path,
                 "No such file or directory");
}

TEST(Safetensors, RejectsBadHeaderSizes) {
  const TempDir dir;
  expect_safetensors_invalid(dir, "abc", "3 bytes, less than the 8-byte header size");
  std::string lying;
  append(lying, 1000, 8);
  expect_safetensors_invalid(dir, lying + "{}", "header size 1000 is larger than the 2 bytes");
  std::string huge;
  append(huge, std::uint64_t{1} << 62, 8);
  expect_safetensors_invalid(dir, huge + "{}", "header size 4611686018427387904 is larger");
}

TEST(Safetensors, RejectsHeadersThatAreNotAJsonObject) {
  const TempDir dir;
  expect_safetensors_invalid(dir, safetensors_file("{\"w\": ", ""), "header is not valid JSON");
  // A number past double's range is nlohmann-json's out_of_range, not a parse_error (fuzzing).
  expect_safetensors_invalid(dir, safetensors_file("{\"w\": 1e7968}", ""),
                             "header is not valid JSON");
  expect_safetensors_invalid(dir, safetensors_file("[1, 2]", ""), "header is not a JSON object");
  expect_safetensors_invalid(dir, safetensors_file(one_tensor("3"), ""), "entry is not an object");
}

TEST(Safetensors, RejectsBadTensorEntries) {
  const TempDir dir;
  const std::string four = f32_bytes({1});
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [1])", four,
                       "tensor 'w': missing \"data_offsets\"");
  expect_entry_invalid(dir, R"("dtype": "C64", "shape": [1], "data_offsets": [0, 4])", four,
                       "tensor 'w': unsupported dtype \"C64\"");
  expect_entry_invalid(dir, R"("dtype": 4, "shape": [1], "data_offsets": [0, 4])", four,
                       "unsupported dtype 4");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [-1], "data_offsets": [0, 4])", four,
                       "shape must be an array of non-negative integers, got [-1]");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [1.0], "data_offsets": [0, 4])", four,
                       "shape must be an array");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": "1", "data_offsets": [0, 4])", four,
                       "shape must be an array");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [1], "data_offsets": [0])", four,
                       "data_offsets must be [begin, end]");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [1], "data_offsets": [-4, 0])", four,
                       "data_offsets must be [begin, end]");
}

TEST(Safetensors, RejectsOffsetsOutOfRange) {
  const TempDir dir;
  const std::string four = f32_bytes({1});
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [2], "data_offsets": [0, 8])", four,
                       "data_offsets [0,8] are out of range for a 4-byte data buffer");
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [0], "data_offsets": [4, 0])", four,
                       "out of range");
  expect_entry_invalid(
      dir,
      R"("dtype": "F32", "shape": [1], "data_offsets": [18446744073709551612, 18446744073709551615])",
      four, "out of range");
}

TEST(Safetensors, RejectsAByteCountThatDoesNotMatchTheShape) {
  const TempDir dir;
  const std::string eight = f32_bytes({1, 2});
  expect_entry_invalid(dir, R"("dtype": "F32", "shape": [3], "data_offsets": [0, 8])", eight,
                       "shape [3] of F32 needs 3 x 4 bytes, data_offsets [0,8] give 8");
  expect_entry_invalid(dir, R"("dtype": "F64", "shape": [2], "data_offsets": [0, 8])", eight,
                       "needs 2 x 8 bytes");
  expect_entry_invalid(
      dir, R"("dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 8])", eight,
      "more than 2^63 - 1 elements");
  expect_entry_invalid(dir,
                       R"("dtype": "F64", "shape": [4611686018427387904], "data_offsets": [0, 8])",
                       eight, "needs 4611686018427387904 x 8 bytes");
}

TEST(Safetensors, RejectsOverlappingTensors) {
  const TempDir dir;
  const std::string header =
      R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})";
  expect_safetensors_invalid(dir, safetensors_file(header, f32_bytes({1, 2, 3})),
                             "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
  // Empty tensors share offsets with anything.
  const std::string empty_inside =
      R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
          "b": {"dtype": "F32", "shape": [0, 5], "data_offsets": [4, 4]}})";
  const std::string path = dir.file("ok.safetensors");
  write_bytes(path, safetensors_file(empty_inside, f32_bytes({1, 2})));
  expect_values(langevin::read_safetensors(path).tensors.at("b"), {0, 5}, {});
}

TEST(Safetensors, RejectsNonStringMetadata) {
  const TempDir dir;
  expect_safetensors_invalid(dir, safetensors_file(R"({"__metadata__": {"version": 1}})", ""),
                             "metadata value for 'version' is not a string: 1");
  expect_safetensors_invalid(dir, safetensors_file(R"({"__metadata__": ["a"]})", ""),
                             "__metadata__ is not an object");
}

// ---------------------------------------------------------------------------------------------
// Atomic writing.

TEST(AtomicFile, AFailedWriteLeavesNothing) {
  const TempDir dir;
  const std::string path = dir.file("no/such/dir/a.npy");
  try {
    langevin::write_npy(path, Array({2}));
    ADD_FAILURE() << "no exception";
  } catch (const InvalidInput& error) {
    ADD_FAILURE() << "a write failure is not bad input: " << error.what();
  } catch (const langevin::Error& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write " + path + ": No such file or directory");
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_THROW(langevin::write_safetensors(path, TensorFile{}), langevin::Error);
  EXPECT_TRUE(dir.entries().empty());
}

TEST(AtomicFile, ASuccessfulWriteLeavesOnlyTheTarget) {
  const TempDir dir;
  langevin::write_npy(dir.file("a.npy"), Array({2}));
  langevin::write_npy(dir.file("a.npy"), Array({3}));  // replaces the first
  langevin::write_safetensors(dir.file("m.safetensors"), TensorFile{});
  auto names = dir.entries();
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.npy", "m.safetensors"}));
  EXPECT_EQ(langevin::read_npy(dir.file("a.npy")).shape(), std::vector<std::int64_t>{3});
}

TEST(AtomicFile, AnExceptionWhileWritingKeepsTheOldFile) {
  const TempDir dir;
  const std::string path = dir.file("a.txt");
  write_bytes(path, "old");
  EXPECT_THROW(langevin::detail::write_file_atomically(path,
                                                       [](std::FILE* stream) {
                                                         std::fputs("new", stream);
                                                         throw std::runtime_error("stop");
                                                       }),
               std::runtime_error);
  EXPECT_EQ(read_bytes(path), "old");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.txt"});
  langevin::detail::write_file_atomically(path,
                                          [](std::FILE* stream) { std::fputs("new", stream); });
  EXPECT_EQ(read_bytes(path), "new");
}

TEST(AtomicFile, AnUnwritableDirectoryIsAnError) {
  // /proc refuses new files even to root, for whom permission bits would not stop the write.
  const std::string path = "/proc/langevin-io-test";
  EXPECT_THROW(langevin::detail::write_file_atomically(
                   path, [](std::FILE* stream) { std::fputs("x", stream); }),
               langevin::Error);
  EXPECT_FALSE(fs::exists(path));
}

}  // namespace
