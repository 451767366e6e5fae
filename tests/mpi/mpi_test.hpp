#pragma once
// What the MPI tests share: the rank and rank count, a directory all ranks see, bitwise array
// comparison, and a failure printer for ranks other than 0.

#include <langevin/array.hpp>

#include <gtest/gtest.h>
#include <mpi.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>

namespace langevin::testing {

/// The error main() got from the library before MPI_Init (empty: none).
extern std::string refused_before_init;

inline int world_rank() {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

inline int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

inline bool same_bits(const Array& a, const Array& b) {
  return a.shape() == b.shape() &&
         (a.size() == 0 ||
          std::memcmp(a.data(), b.data(), sizeof(float) * static_cast<std::size_t>(a.size())) == 0);
}

/// Rows [first, first + count) of an array along its first axis.
inline Array rows_of(const Array& whole, std::int64_t first, std::int64_t count) {
  std::vector<std::int64_t> shape = whole.shape();
  const std::int64_t per_row = shape[0] > 0 ? whole.size() / shape[0] : 0;
  shape[0] = count;
  const float* begin = whole.data() + first * per_row;
  return Array(shape, std::vector<float>(begin, begin + count * per_row));
}

/// A fresh directory that every rank sees (rank 0 names and creates it), removed afterwards.
class SharedDir {
 public:
  SharedDir() {
    std::string name;
    if (world_rank() == 0) {
      const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
      name = (std::filesystem::temp_directory_path() /
              ("langevin_mpi_test_" + std::to_string(::getpid()) + "_" + info->name()))
                 .string();
      std::filesystem::remove_all(name);
      std::filesystem::create_directories(name);
    }
    int length = static_cast<int>(name.size());
    MPI_Bcast(&length, 1, MPI_INT, 0, MPI_COMM_WORLD);
    name.resize(static_cast<std::size_t>(length));
    MPI_Bcast(name.data(), length, MPI_CHAR, 0, MPI_COMM_WORLD);
    path_ = name;
  }
  ~SharedDir() {
    MPI_Barrier(MPI_COMM_WORLD);
    if (world_rank() == 0) {
      std::error_code ignored;
      std::filesystem::remove_all(path_, ignored);
    }
  }
  SharedDir(const SharedDir&) = delete;
  SharedDir& operator=(const SharedDir&) = delete;

  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::size_t entries() const {
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
      (void)entry;
      ++count;
    }
    return count;
  }

 private:
  std::filesystem::path path_;
};

/// Prints a failed assertion of a rank other than 0, naming the rank.
class FailurePrinter : public ::testing::EmptyTestEventListener {
 public:
  explicit FailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const ::testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::cerr << "rank " << rank_ << ": " << (result.file_name() ? result.file_name() : "?")
              << ":" << result.line_number() << ": " << result.summary() << "\n";
  }

 private:
  int rank_;
};

}  // namespace langevin::testing
