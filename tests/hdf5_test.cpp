// Tests of the HDF5 writer and reader as the library's own files meet them: exact round trips,
// the recorded attributes, atomic writes, damaged files; and read_array/write_array's choice of
// format by extension. Files made by other HDF5 writers: hdf5_foreign_test.cpp.

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <langevin/array.hpp>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "test_files.hpp"

namespace {

namespace fs = std::filesystem;
using langevin::Array;
using langevin::Hdf5Attribute;
using langevin::Hdf5Attributes;
using langevin::testing::expect_invalid;
using langevin::testing::read_bytes;
using langevin::testing::TempDir;
using langevin::testing::write_bytes;

std::vector<std::uint32_t> bits_of(const Array& array) {
  std::vector<std::uint32_t> bits(array.values().size());
  std::memcpy(bits.data(), array.data(), bits.size() * 4);
  return bits;
}

// Values that a conversion anywhere on the way would change: signed zero, a subnormal,
// infinities, the extremes, an inexact fraction, and a NaN with a payload.
Array awkward_values(std::vector<std::int64_t> shape) {
  const std::vector<float> specials = {-0.0f,
                                       std::numeric_limits<float>::denorm_min(),
                                       std::numeric_limits<float>::infinity(),
                                       -std::numeric_limits<float>::infinity(),
                                       std::numeric_limits<float>::max(),
                                       std::numeric_limits<float>::lowest(),
                                       1.0f / 3.0f};
  Array array(std::move(shape));
  for (std::int64_t i = 0; i < array.size(); ++i) {
    array[i] = specials[static_cast<std::size_t>(i) % specials.size()] + static_cast<float>(i / 7);
  }
  const std::uint32_t payload_nan = 0x7fc12345u;
  std::memcpy(&array[array.size() - 1], &payload_nan, 4);
  return array;
}

TEST(Hdf5Io, RoundTripsRank2AndRank3BitForBit) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  for (const auto& shape : {std::vector<std::int64_t>{5, 3}, std::vector<std::int64_t>{4, 3, 2}}) {
    const Array original = awkward_values(shape);
    const std::string path = dir.file("a.h5");
    langevin::write_hdf5(path, "samples", original);
    const Array back = langevin::read_hdf5(path);
    EXPECT_EQ(back.shape(), original.shape());
    EXPECT_EQ(bits_of(back), bits_of(original));
  }
}

TEST(Hdf5Io, RoundTripsRank1AndEmptyArrays) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  langevin::write_hdf5(dir.file("a.h5"), "x", Array({3}, {1, 2, 3}));
  EXPECT_EQ(langevin::read_hdf5(dir.file("a.h5")).values(), (std::vector<float>{1, 2, 3}));
  langevin::write_hdf5(dir.file("e.h5"), "samples", Array({0, 2}));
  EXPECT_EQ(langevin::read_hdf5(dir.file("e.h5")).shape(), (std::vector<std::int64_t>{0, 2}));
}

TEST(Hdf5Io, RecordsAttributesOnTheRootGroup) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const Hdf5Attributes attributes = {
      {"seed", std::numeric_limits<std::uint64_t>::max()},
      {"steps", std::int64_t{-7}},
      {"epsilon", 5e-3},
      {"init", std::string("normal:0,1")},
      {"empty", std::string()},
      {"shape", std::vector<std::int64_t>{5, 3}},
      {"sigmas", std::vector<double>{10, 1, 0.1}},
      {"none", std::vector<double>{}},
  };
  langevin::write_hdf5(dir.file("a.h5"), "samples", Array({5, 3}), attributes);
  EXPECT_EQ(langevin::read_hdf5_attributes(dir.file("a.h5")), attributes);
}

TEST(Hdf5Io, TheSameArrayAndAttributesGiveTheSameBytes) {
  // No modification times in the file: a run repeated (or over MPI ranks) is checked by bytes.
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const Array array = awkward_values({6, 2});
  const Hdf5Attributes attributes = {{"seed", std::int64_t{3}}, {"backend", std::string("cpu")}};
  langevin::write_hdf5(dir.file("a.h5"), "samples", array, attributes);
  // HDF5 records seconds: a write in another second would differ if it recorded any.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  langevin::write_hdf5(dir.file("b.h5"), "samples", array, attributes);
  EXPECT_EQ(read_bytes(dir.file("a.h5")), read_bytes(dir.file("b.h5")));
}

TEST(Hdf5Io, AFailedWriteLeavesNothingBehind) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  // The file is created before the dataset fails (its group does not exist).
  try {
    langevin::write_hdf5(path, "no_such_group/samples", Array({2}));
    ADD_FAILURE() << "no exception";
  } catch (const langevin::InvalidInput& error) {
    ADD_FAILURE() << "a write failure is not bad input: " << error.what();
  } catch (const langevin::Error& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind("cannot write " + path + ": ", 0), 0u) << message;
    EXPECT_NE(message.find("no_such_group/samples"), std::string::npos) << message;
  }
  EXPECT_TRUE(dir.entries().empty());

  // Overwriting: the old file stays as it was.
  langevin::write_hdf5(path, "samples", Array({2}, {1, 2}));
  const std::string before = read_bytes(path);
  EXPECT_THROW(langevin::write_hdf5(path, "samples", Array({2}), {{"", std::int64_t{1}}}),
               langevin::Error);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.h5"});

  const std::string nowhere = dir.file("no/such/dir/a.h5");
  try {
    langevin::write_hdf5(nowhere, "samples", Array({2}));
    ADD_FAILURE() << "no exception";
  } catch (const langevin::Error& error) {
    EXPECT_EQ(std::string(error.what()), "cannot write " + nowhere + ": No such file or directory");
  }
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.h5"});
}

TEST(Hdf5Io, RefusesWhatItCannotWrite) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  expect_invalid([&] { langevin::write_hdf5(path, "", Array({2})); }, "cannot write " + path,
                 "dataset name is empty");
  expect_invalid([&] { langevin::write_hdf5(path, "samples", Array()); }, "cannot write " + path,
                 "rank 0");
  EXPECT_TRUE(dir.entries().empty());
}

TEST(Hdf5Io, RefusesDamagedFilesNamingThem) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  langevin::write_hdf5(path, "samples", Array({100, 2}));
  const std::string whole = read_bytes(path);

  write_bytes(path, whole.substr(0, whole.size() / 2));
  expect_invalid([&] { langevin::read_hdf5(path); }, path + ": ", "truncated");
  write_bytes(path, "not an HDF5 file at all, but long enough to look at its first bytes");
  expect_invalid([&] { langevin::read_hdf5(path); }, path + ": ", "cannot read as HDF5");
  write_bytes(path, "");
  expect_invalid([&] { langevin::read_hdf5(path); }, path + ": ", "cannot read as HDF5");
  expect_invalid([&] { langevin::read_hdf5(dir.file("missing.h5")); },
                 "cannot open " + dir.file("missing.h5"), "No such file");
  expect_invalid([&] { langevin::read_hdf5_attributes(path); }, path + ": ",
                 "cannot read as HDF5");
}

TEST(Hdf5Io, ANamedDatasetMustExist) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  langevin::write_hdf5(path, "samples", Array({2}, {1, 2}));
  EXPECT_EQ(langevin::read_hdf5(path, "samples").values(), (std::vector<float>{1, 2}));
  expect_invalid([&] { langevin::read_hdf5(path, "scores"); }, path + ": ",
                 "no dataset \"scores\": the root group holds \"samples\"");
  expect_invalid([&] { langevin::read_hdf5(path, "a/b"); }, path + ": ", "no dataset \"a/b\"");
}

TEST(Hdf5ArrayFile, ChoosesTheFormatByExtension) {
  SKIP_WITHOUT_HDF5();
  const TempDir dir;
  const Array array({2, 2}, {1, 2, 3, 4});
  for (const char* name : {"a.npy", "a.h5", "a.hdf5"}) {
    langevin::write_array(dir.file(name), array, {{"seed", std::uint64_t{3}}});
    EXPECT_EQ(langevin::read_array(dir.file(name)).values(), array.values()) << name;
  }
  EXPECT_EQ(langevin::read_npy(dir.file("a.npy")).values(), array.values());
  EXPECT_EQ(langevin::read_hdf5(dir.file("a.h5"), "samples").values(), array.values());
  EXPECT_EQ(langevin::read_hdf5_attributes(dir.file("a.hdf5")),
            (Hdf5Attributes{{"seed", std::uint64_t{3}}}));
}

TEST(Hdf5ArrayFile, RefusesOtherExtensionsNamingTheAllowedOnes) {
  // Needs no HDF5: the extension is refused before any format is chosen.
  const TempDir dir;
  const std::string path = dir.file("a.txt");
  write_bytes(path, "1 2 3");
  expect_invalid([&] { langevin::read_array(path); }, path + ": ", ".npy, .h5 or .hdf5");
  expect_invalid([&] { langevin::write_array(dir.file("b.H5"), Array({1})); },
                 dir.file("b.H5") + ": ", ".npy, .h5 or .hdf5");
  expect_invalid([&] { langevin::read_array(dir.file("noextension")); }, dir.file("noextension"),
                 "extension \"\"");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"a.txt"});
}

TEST(Hdf5Unavailable, ABuildWithoutHdf5SaysHowToGetIt) {
  if (langevin::hdf5_available()) GTEST_SKIP() << "this build has HDF5";
  const TempDir dir;
  const std::string path = dir.file("a.h5");
  for (const auto& action : std::vector<std::function<void()>>{
           [&] { langevin::read_hdf5(path); },
           [&] { langevin::write_hdf5(path, "samples", Array({1})); },
           [&] { langevin::read_array(path); },
           [&] { langevin::write_array(path, Array({1})); }}) {
    expect_invalid(action, path + ": ", "no HDF5 support (install libhdf5-dev and rebuild)");
  }
  EXPECT_TRUE(dir.entries().empty());
}

}  // namespace
