/* langevin's C API over MPI ranks (link langevin_mpi; pkg-config langevin-mpi; CMake
 * Langevin::langevin_mpi). The caller owns MPI: it initialises and finalises it. Every function
 * here is collective over `comm` (each rank calls it, in the same order), and a failure on any
 * rank returns the same status and langevin_last_error() text on every rank.
 *
 *   MPI_Init(&argc, &argv);
 *   langevin_mpi_sample(MPI_COMM_WORLD, model, config, rows, capacity, &result);
 *   langevin_result_rows(result, &first, &count);   // this rank's rows of the whole run
 *   langevin_mpi_write_npy(MPI_COMM_WORLD, "x.npy", rows, result);  // one file for the run
 *
 * The chains are split over the ranks in contiguous blocks in rank order; a chain's result
 * depends only on its global index, so the rows and the file are those of the same run in one
 * process, whatever the rank count. Fortran: the module langevin_mpi (langevin_mpi.f90) takes
 * the communicator as an integer (MPI_Comm_f2c). */
#ifndef LANGEVIN_MPI_H
#define LANGEVIN_MPI_H

#include <langevin/langevin.h>
#include <mpi.h>

#ifdef __cplusplus
extern "C" {
#endif

/** This rank's block of `config`'s chains: rows [first, first + count) of the output. */
langevin_status langevin_mpi_rows(MPI_Comm comm, const langevin_config* config, int64_t* first,
                                  int64_t* count);

/** Runs `config`'s chains (chains counts all ranks'; init states, if set, are the whole run's)
 *  over the ranks of `comm`, into `out`: this rank's rows, `capacity` floats of host memory
 *  (count x dim, or count x kept x dim for a trajectory). `result`, if not NULL, receives a
 *  handle whose shape is the whole run's, acceptance rate the whole run's, and rows this rank's
 *  block. On the cuda backend a rank without a device set runs on its node-local rank's GPU. */
langevin_status langevin_mpi_sample(MPI_Comm comm, const langevin_model* model,
                                    const langevin_config* config, float* out, int64_t capacity,
                                    langevin_result** result);

/** Writes the whole run's output as one .npy file at `path` from every rank's rows (`rows`, as
 *  langevin_mpi_sample filled them, and its `result`): byte for byte the file of the same run in
 *  one process, written through MPI-IO into a temporary name renamed once all ranks succeeded. */
langevin_status langevin_mpi_write_npy(MPI_Comm comm, const char* path, const float* rows,
                                       const langevin_result* result);

/** The same three for Fortran's integer communicators (MPI_Fint; mpi_f08: comm%MPI_VAL). */
langevin_status langevin_mpi_rows_f(MPI_Fint comm, const langevin_config* config,
                                    int64_t* first, int64_t* count);
langevin_status langevin_mpi_sample_f(MPI_Fint comm, const langevin_model* model,
                                      const langevin_config* config, float* out,
                                      int64_t capacity, langevin_result** result);
langevin_status langevin_mpi_write_npy_f(MPI_Fint comm, const char* path, const float* rows,
                                         const langevin_result* result);

#ifdef __cplusplus
}
#endif

#endif /* LANGEVIN_MPI_H */
