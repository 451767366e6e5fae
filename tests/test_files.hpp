#pragma once
// What the file-format tests share: the committed fixtures' directory, a skip for builds without
// HDF5, a fresh directory per test, whole files as bytes, and the check that a reader refuses
// input with a message naming the file and the problem.

#include <gtest/gtest.h>
#include <langevin/error.hpp>
#include <langevin/io.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace langevin::testing {

/// The committed fixtures (tests/data/: files written by PyTorch and ArviZ, with their scripts).
inline const std::string kTestData = std::string(LANGEVIN_SOURCE_DIR) + "/tests/data/";

/// Skips the test in a build without HDF5 (the readers and writers then refuse .h5 files).
#define SKIP_WITHOUT_HDF5() \
  if (!::langevin::hdf5_available()) GTEST_SKIP() << "this build has no HDF5 (libhdf5-dev)"

/// A fresh directory per test, named after the test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("langevin_io_test_" + std::to_string(::getpid()) + "_" + info->test_suite_name() +
             "_" + info->name());
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  /// The names of the files in the directory: what a test left behind.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      names.push_back(entry.path().filename().string());
    }
    return names;
  }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  ASSERT_TRUE(out.good()) << path;
}

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Runs `action`, expecting an InvalidInput whose message starts with `prefix` and contains
/// `needle`.
inline void expect_invalid(const std::function<void()>& action, const std::string& prefix,
                           const std::string& needle) {
  try {
    action();
    ADD_FAILURE() << "no exception; expected one mentioning \"" << needle << "\"";
  } catch (const langevin::InvalidInput& error) {
    const std::string message = error.what();
    EXPECT_EQ(message.rfind(prefix, 0), 0u)
        << "message does not start with " << prefix << ": " << message;
    EXPECT_NE(message.find(needle), std::string::npos)
        << "message does not mention \"" << needle << "\": " << message;
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected InvalidInput, got another exception: " << error.what();
  }
}

}  // namespace langevin::testing
