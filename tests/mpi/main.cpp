// The MPI tests' main: the caller owns MPI (include/langevin/mpi.hpp), so the test initialises
// it, and first checks that the library refuses to run before it is.

#include "mpi_test.hpp"

#include <langevin/mpi.hpp>

#include <gtest/gtest.h>

namespace langevin::testing {

std::string refused_before_init;

}  // namespace langevin::testing

int main(int argc, char** argv) {
  try {
    langevin::SamplerConfig config;
    langevin::mpi::Sampler sampler(MPI_COMM_WORLD, langevin::GaussianMixture({1.0}, {{0.0}}, {{1.0}}),
                                   config);
  } catch (const langevin::InvalidInput& error) {
    langevin::testing::refused_before_init = error.what();
  }
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  ::testing::InitGoogleTest(&argc, argv);
  // Only rank 0 prints the tests' progress; every rank prints its failures.
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank != 0) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new langevin::testing::FailurePrinter(rank));
  }
  const int failed = RUN_ALL_TESTS();
  // The job fails when any rank's tests failed.
  int any_failed = 0;
  MPI_Allreduce(&failed, &any_failed, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  MPI_Finalize();
  return any_failed != 0 ? 1 : 0;
}
