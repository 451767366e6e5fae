// The C API over MPI ranks (include/langevin/langevin_mpi.h) over the MPI layer's C++ one; each
// entry point runs in guarded() as the C API's do (c_api_detail.hpp). The layer agrees on every
// failure, so the status and message are the same on every rank.

#include "c_api_detail.hpp"

#include <langevin/langevin_mpi.h>
#include <langevin/mpi.hpp>

#include <chrono>
#include <cstring>

namespace {

using langevin::detail::guarded;
using langevin::detail::require_pointer;

langevin::mpi::Sampler make_sampler(MPI_Comm comm, const langevin_model& model,
                                    const langevin::SamplerConfig& config) {
  return langevin::mpi::Sampler(comm,
                                std::shared_ptr<const langevin::ScoreTarget>(
                                    langevin::detail::make_target(model.source,
                                                                  config.score_form)),
                                config);
}

/// Null arguments are refused on every rank alike before any collective step.
void require_on_all(MPI_Comm comm, const std::function<void()>& checks) {
  langevin::mpi::agree(comm, checks);
}

}  // namespace

extern "C" {

langevin_status langevin_mpi_rows(MPI_Comm comm, const langevin_config* config, int64_t* first,
                                  int64_t* count) {
  return guarded([&] {
    int rank = 0, ranks = 1;
    require_on_all(comm, [&] {
      require_pointer(config, "config");
      require_pointer(first, "first");
      require_pointer(count, "count");
      if (MPI_Comm_rank(comm, &rank) != MPI_SUCCESS || MPI_Comm_size(comm, &ranks) != MPI_SUCCESS) {
        throw langevin::InvalidInput("comm: not a valid communicator");
      }
    });
    const langevin::mpi::Block block = langevin::mpi::block_of(config->config.chains, rank, ranks);
    *first = block.first;
    *count = block.count;
  });
}

langevin_status langevin_mpi_sample(MPI_Comm comm, const langevin_model* model,
                                    const langevin_config* config, float* out, int64_t capacity,
                                    langevin_result** result) {
  return guarded([&] {
    if (result != nullptr) *result = nullptr;
    require_on_all(comm, [&] {
      require_pointer(model, "model");
      require_pointer(config, "config");
    });
    const auto start = std::chrono::steady_clock::now();
    langevin::mpi::Sampler sampler = make_sampler(comm, *model, config->config);
    const std::vector<std::int64_t> shape = sampler.output_shape();
    std::vector<std::int64_t> rows_shape = shape;
    rows_shape[0] = sampler.block().count;
    const std::int64_t count = langevin::element_count(rows_shape);
    require_on_all(comm, [&] {
      if (count > 0) require_pointer(out, "out");
      if (capacity < count) {
        throw langevin::InvalidInput("capacity = " + std::to_string(capacity) +
                                     ": this rank's rows need " + std::to_string(count) +
                                     " floats");
      }
    });
    const langevin::Array rows = sampler.run();
    if (count > 0) std::memcpy(out, rows.data(), static_cast<std::size_t>(count) * sizeof(float));
    if (result != nullptr) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      *result = new langevin_result{shape,           sampler.backend(),      seconds,
                                    sampler.acceptance_rate(), sampler.block().first,
                                    sampler.block().count};
    }
  });
}

langevin_status langevin_mpi_write_npy(MPI_Comm comm, const char* path, const float* rows,
                                       const langevin_result* result) {
  return guarded([&] {
    require_on_all(comm, [&] {
      require_pointer(path, "path");
      require_pointer(result, "result");
      if (result->rows > 0) require_pointer(rows, "rows");
    });
    std::vector<std::int64_t> rows_shape = result->shape;
    rows_shape[0] = result->rows;
    const std::int64_t count = langevin::element_count(rows_shape);
    const langevin::Array local(rows_shape, std::vector<float>(rows, rows + count));
    langevin::mpi::write_npy(comm, path, local, result->shape, result->first_row);
  });
}

langevin_status langevin_mpi_rows_f(MPI_Fint comm, const langevin_config* config,
                                    int64_t* first, int64_t* count) {
  return langevin_mpi_rows(MPI_Comm_f2c(comm), config, first, count);
}

langevin_status langevin_mpi_sample_f(MPI_Fint comm, const langevin_model* model,
                                      const langevin_config* config, float* out,
                                      int64_t capacity, langevin_result** result) {
  return langevin_mpi_sample(MPI_Comm_f2c(comm), model, config, out, capacity, result);
}

langevin_status langevin_mpi_write_npy_f(MPI_Fint comm, const char* path, const float* rows,
                                         const langevin_result* result) {
  return langevin_mpi_write_npy(MPI_Comm_f2c(comm), path, rows, result);
}

}  // extern "C"
