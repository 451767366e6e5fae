// The HDF5 reader against files that langevin does not write but other programs (h5py, MATLAB,
// Julia) do: other number types, several datasets, groups, compression, strings, missing data,
// and attributes of other types. Built with the HDF5 C API, only when the build has HDF5.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <langevin/io.hpp>
#include <string>
#include <vector>

#include "test_files.hpp"

namespace {

using langevin::Hdf5Attributes;
using langevin::testing::expect_invalid;
using langevin::testing::TempDir;

// A file written through the C API; closed (and so complete) when it goes out of scope.
class ForeignFile {
 public:
  explicit ForeignFile(const std::string& path)
      : file_(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT)) {
    EXPECT_GE(file_, 0) << path;
  }
  ~ForeignFile() { EXPECT_GE(H5Fclose(file_), 0); }
  ForeignFile(const ForeignFile&) = delete;
  ForeignFile& operator=(const ForeignFile&) = delete;

  // A dataset of `file_type` holding `values` (of `memory_type`); `values` null leaves it
  // unwritten, `properties` sets its layout.
  void dataset(const char* name, hid_t file_type, hid_t memory_type,
               const std::vector<hsize_t>& dims, const void* values,
               hid_t properties = H5P_DEFAULT) {
    const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                                     : H5Screate_simple(static_cast<int>(dims.size()),
                                                        dims.data(), nullptr);
    const hid_t dataset = H5Dcreate2(file_, name, file_type, space, H5P_DEFAULT, properties,
                                     H5P_DEFAULT);
    ASSERT_GE(dataset, 0) << name;
    if (values != nullptr) {
      EXPECT_GE(H5Dwrite(dataset, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, values), 0);
    }
    EXPECT_GE(H5Dclose(dataset), 0);
    EXPECT_GE(H5Sclose(space), 0);
  }

  // An attribute of the root group; `dims` empty makes it a scalar.
  void attribute(const char* name, hid_t file_type, hid_t memory_type,
                 const std::vector<hsize_t>& dims, const void* values) {
    const hid_t space = dims.empty() ? H5Screate(H5S_SCALAR)
                                     : H5Screate_simple(static_cast<int>(dims.size()),
                                                        dims.data(), nullptr);
    const hid_t attribute = H5Acreate2(file_, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    ASSERT_GE(attribute, 0) << name;
    EXPECT_GE(H5Awrite(attribute, memory_type, values), 0);
    EXPECT_GE(H5Aclose(attribute), 0);
    EXPECT_GE(H5Sclose(space), 0);
  }

  hid_t id() const { return file_; }

 private:
  hid_t file_;
};

// A variable-length UTF-8 string type, as h5py writes Python strings.
hid_t variable_string_type() {
  const hid_t type = H5Tcopy(H5T_C_S1);
  EXPECT_GE(H5Tset_size(type, H5T_VARIABLE), 0);
  EXPECT_GE(H5Tset_cset(type, H5T_CSET_UTF8), 0);
  return type;
}

TEST(Hdf5ForeignFiles, ConvertsDoublesAndIntegersToFloat32) {
  const TempDir dir;
  const std::vector<double> doubles = {0.1, -2.5, 1e300, 3};
  const std::vector<std::int32_t> ints = {-3, 0, 7, 16777217};
  const std::vector<std::uint8_t> bytes = {0, 255};
  {
    ForeignFile f(dir.file("a.h5"));
    f.dataset("doubles", H5T_IEEE_F64BE, H5T_NATIVE_DOUBLE, {2, 2}, doubles.data());
    f.dataset("ints", H5T_STD_I32LE, H5T_NATIVE_INT32, {4}, ints.data());
    f.dataset("bytes", H5T_STD_U8LE, H5T_NATIVE_UINT8, {2}, bytes.data());
  }
  const langevin::Array d = langevin::read_hdf5(dir.file("a.h5"), "doubles");
  EXPECT_EQ(d.shape(), (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(d.values(), (std::vector<float>{0.1f, -2.5f, static_cast<float>(1e300), 3.0f}));
  EXPECT_EQ(langevin::read_hdf5(dir.file("a.h5"), "ints").values(),
            (std::vector<float>{-3, 0, 7, 16777216}));
  EXPECT_EQ(langevin::read_hdf5(dir.file("a.h5"), "bytes").values(),
            (std::vector<float>{0, 255}));
}

TEST(Hdf5ForeignFiles, PicksSamplesThenDataThenTheOnlyDataset) {
  const TempDir dir;
  const float one = 1, two = 2, three = 3;
  {
    ForeignFile f(dir.file("all.h5"));
    f.dataset("a", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
    f.dataset("data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &two);
    f.dataset("samples", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &three);
  }
  EXPECT_EQ(langevin::read_hdf5(dir.file("all.h5")).values(), std::vector<float>{3});
  {
    ForeignFile f(dir.file("data.h5"));
    f.dataset("a", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
    f.dataset("data", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &two);
  }
  EXPECT_EQ(langevin::read_array(dir.file("data.h5")).values(), std::vector<float>{2});
  {
    // Groups are not datasets: "x" is the only one.
    ForeignFile f(dir.file("only.h5"));
    EXPECT_GE(H5Gclose(H5Gcreate2(f.id(), "group", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT)), 0);
    f.dataset("x", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
  }
  EXPECT_EQ(langevin::read_hdf5(dir.file("only.h5")).values(), std::vector<float>{1});
}

TEST(Hdf5ForeignFiles, SeveralOtherDatasetsAreNamedInTheError) {
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  const float one = 1;
  {
    ForeignFile f(path);
    f.dataset("mu", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
    f.dataset("x", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
  }
  expect_invalid([&] { langevin::read_hdf5(path); }, path + ": ",
                 "no dataset \"samples\" or \"data\" to read: the root group holds \"mu\", \"x\"");
  const std::string empty = dir.file("empty.h5");
  { ForeignFile f(empty); }
  expect_invalid([&] { langevin::read_hdf5(empty); }, empty + ": ",
                 "the root group holds no dataset");
}

TEST(Hdf5ForeignFiles, RefusesWhatIsNotAnArrayOfNumbers) {
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  const char* words[] = {"one", "two"};
  const std::vector<float> values(16, 1.0f);
  const hid_t text = variable_string_type();
  {
    ForeignFile f(path);
    f.dataset("words", text, text, {2}, words);
    f.dataset("scalar", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {}, values.data());
    f.dataset("rank4", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {2, 2, 2, 2}, values.data());
  }
  EXPECT_GE(H5Tclose(text), 0);
  expect_invalid([&] { langevin::read_hdf5(path, "words"); }, path + ": ",
                 "dataset \"words\": holds strings, not numbers");
  expect_invalid([&] { langevin::read_hdf5(path, "scalar"); }, path + ": ",
                 "expected rank 1, 2 or 3");
  expect_invalid([&] { langevin::read_hdf5(path, "rank4"); }, path + ": ",
                 "rank 4; expected 1, 2 or 3");
}

TEST(Hdf5ForeignFiles, ReadsCompressedDatasetsAndRefusesUnwrittenOnes) {
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  const std::vector<float> values(1000, 0.25f);
  const hid_t chunked = H5Pcreate(H5P_DATASET_CREATE);
  const hsize_t chunk[] = {100, 2};
  ASSERT_GE(H5Pset_chunk(chunked, 2, chunk), 0);
  const bool deflate = H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0;
  if (deflate) {
    ASSERT_GE(H5Pset_shuffle(chunked), 0);
    ASSERT_GE(H5Pset_deflate(chunked, 6), 0);
  }
  {
    ForeignFile f(path);
    f.dataset("packed", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {500, 2}, values.data(), chunked);
    f.dataset("unwritten", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {500, 2}, nullptr, chunked);
  }
  EXPECT_GE(H5Pclose(chunked), 0);
  EXPECT_EQ(langevin::read_hdf5(path, "packed").values(), values);
  // Its shape claims 4000 bytes that the file does not hold: nothing to read, nothing allocated.
  expect_invalid([&] { langevin::read_hdf5(path, "unwritten"); }, path + ": ",
                 "dataset \"unwritten\": its shape needs 4000 bytes but it stores none");
}

TEST(Hdf5ForeignFiles, ReadsAttributesOfOtherTypes) {
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  const std::int32_t small = -5;
  const std::vector<float> reals = {0.5f, 2.0f};
  const char* name = "h5py";
  const hid_t text = variable_string_type();
  const hid_t pair = H5Tcreate(H5T_COMPOUND, 8);
  ASSERT_GE(H5Tinsert(pair, "a", 0, H5T_NATIVE_INT32), 0);
  ASSERT_GE(H5Tinsert(pair, "b", 4, H5T_NATIVE_INT32), 0);
  const std::int32_t pair_values[] = {1, 2};
  // Fixed-length and null-padded, as Fortran and MATLAB write strings: no room for a terminator.
  const hid_t fixed = H5Tcopy(H5T_C_S1);
  ASSERT_GE(H5Tset_size(fixed, 5), 0);
  ASSERT_GE(H5Tset_strpad(fixed, H5T_STR_NULLPAD), 0);
  const float one = 1;
  {
    ForeignFile f(path);
    f.dataset("samples", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {1}, &one);
    f.attribute("small", H5T_STD_I32BE, H5T_NATIVE_INT32, {}, &small);
    f.attribute("reals", H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, {2}, reals.data());
    f.attribute("writer", text, text, {}, &name);
    f.attribute("units", fixed, fixed, {}, "meter");
    f.attribute("pair", pair, pair, {}, pair_values);  // no Hdf5Attribute holds it: left out
  }
  EXPECT_GE(H5Tclose(text), 0);
  EXPECT_GE(H5Tclose(pair), 0);
  EXPECT_GE(H5Tclose(fixed), 0);
  EXPECT_EQ(langevin::read_hdf5_attributes(path),
            (Hdf5Attributes{{"small", std::int64_t{-5}},
                            {"reals", std::vector<double>{0.5, 2.0}},
                            {"writer", std::string("h5py")},
                            {"units", std::string("meter")}}));
}

}  // namespace
