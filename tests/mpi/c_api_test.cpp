// The C API over MPI ranks (include/langevin/langevin_mpi.h): every rank's rows equal its rows of
// the one-process langevin_sample, the file equals the one-process write, and bad input on one
// rank is the same status and message on every rank.

#include "mpi_test.hpp"

#include <langevin/io.hpp>
#include <langevin/langevin_mpi.h>
#include <langevin/mpi.hpp>

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace {

struct Handles {
  langevin_model* model = nullptr;
  langevin_config* config = nullptr;
  Handles() {
    const double weights[] = {0.4, 0.6};
    const double means[] = {-1.0, 0.5, 1.5, -0.5};
    const double stds[] = {1.0, 0.6, 0.7, 1.2};
    EXPECT_EQ(langevin_model_gmm(2, 2, weights, means, stds, &model), LANGEVIN_OK);
    EXPECT_EQ(langevin_config_create(&config), LANGEVIN_OK);
    langevin_config_set_chains(config, 103);
    langevin_config_set_steps(config, 30);
    langevin_config_set_epsilon(config, 0.01);
    langevin_config_set_seed(config, 4);
    langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU);
    langevin_config_set_method(config, LANGEVIN_MALA);
  }
  ~Handles() {
    langevin_config_free(config);
    langevin_model_free(model);
  }
};

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(MpiCApi, RowsAndFileEqualTheOneProcessRun) {
  const Handles h;
  std::vector<float> whole(103 * 2);
  langevin_result* one = nullptr;
  ASSERT_EQ(langevin_sample(h.model, h.config, whole.data(), 206, LANGEVIN_HOST_MEMORY, &one),
            LANGEVIN_OK);
  int64_t first = -1, count = -1;
  ASSERT_EQ(langevin_mpi_rows(MPI_COMM_WORLD, h.config, &first, &count), LANGEVIN_OK);
  std::vector<float> rows(static_cast<std::size_t>(count * 2) + 1);
  langevin_result* result = nullptr;
  ASSERT_EQ(langevin_mpi_sample(MPI_COMM_WORLD, h.model, h.config, rows.data(), count * 2,
                                &result),
            LANGEVIN_OK);
  int64_t result_first = -1, result_count = -1;
  langevin_result_rows(result, &result_first, &result_count);
  EXPECT_EQ(result_first, first);
  EXPECT_EQ(result_count, count);
  for (int64_t i = 0; i < count * 2; ++i) {
    EXPECT_EQ(rows[static_cast<std::size_t>(i)], whole[static_cast<std::size_t>(first * 2 + i)]);
  }
  double rate_ranks = 0.0, rate_one = 0.0;
  langevin_result_acceptance_rate(result, &rate_ranks);
  langevin_result_acceptance_rate(one, &rate_one);
  EXPECT_EQ(rate_ranks, rate_one);

  const langevin::testing::SharedDir dir;
  ASSERT_EQ(langevin_mpi_write_npy(MPI_COMM_WORLD, dir.file("ranks.npy").c_str(), rows.data(),
                                   result),
            LANGEVIN_OK);
  if (langevin::testing::world_rank() == 0) {
    langevin::write_npy(dir.file("one.npy"), langevin::Array({103, 2}, whole));
    EXPECT_EQ(bytes_of(dir.file("ranks.npy")), bytes_of(dir.file("one.npy")));
  }
  langevin_result_free(result);
  langevin_result_free(one);
}

TEST(MpiCApi, BadInputOnOneRankIsTheSameStatusOnAll) {
  const Handles h;
  int64_t first = 0, count = 0;
  ASSERT_EQ(langevin_mpi_rows(MPI_COMM_WORLD, h.config, &first, &count), LANGEVIN_OK);
  std::vector<float> rows(static_cast<std::size_t>(count * 2) + 1);
  // The last rank says it has room for one float fewer than its rows.
  const bool short_here = langevin::testing::world_rank() == langevin::testing::world_size() - 1;
  const int64_t capacity = count * 2 - (short_here ? 1 : 0);
  EXPECT_EQ(langevin_mpi_sample(MPI_COMM_WORLD, h.model, h.config, rows.data(), capacity, nullptr),
            LANGEVIN_INVALID_INPUT);
  const int ranks = langevin::testing::world_size();
  const int64_t last_count = langevin::mpi::block_of(103, ranks - 1, ranks).count;
  EXPECT_NE(std::string(langevin_last_error())
                .find("capacity = " + std::to_string(last_count * 2 - 1) + ": this rank's rows "
                      "need " + std::to_string(last_count * 2) + " floats"),
            std::string::npos)
      << langevin_last_error();
  // A null handle on one rank.
  EXPECT_EQ(langevin_mpi_sample(MPI_COMM_WORLD, short_here ? nullptr : h.model, h.config,
                                rows.data(), count * 2, nullptr),
            LANGEVIN_INVALID_INPUT);
  EXPECT_NE(std::string(langevin_last_error()).find("model = NULL"), std::string::npos);
}

}  // namespace
