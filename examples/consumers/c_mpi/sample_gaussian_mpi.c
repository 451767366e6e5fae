/* The C consumer's run over MPI ranks: samples N((1, -2), diag(0.5^2, 1^2)) with 10 000 Langevin
 * chains split over the ranks of MPI_COMM_WORLD, writes them as one .npy file (argv[1]) and, from
 * rank 0, prints the first chain's final state and the mean over all chains. */
#include <langevin/langevin_mpi.h>

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* A failure is the same status and message on every rank: rank 0 reports it, all stop. */
static void check(langevin_status status, int rank) {
  if (status != LANGEVIN_OK) {
    if (rank == 0) fprintf(stderr, "sample_gaussian_mpi: %s\n", langevin_last_error());
    MPI_Finalize();
    exit(1);
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  const char* path = argc > 1 ? argv[1] : "samples.npy";

  const double weights[] = {1.0};
  const double means[] = {1.0, -2.0};
  const double stds[] = {0.5, 1.0};
  langevin_model* model = NULL;
  langevin_config* config = NULL;
  check(langevin_model_gmm(1, 2, weights, means, stds, &model), rank);
  check(langevin_config_create(&config), rank);
  check(langevin_config_set_chains(config, 10000), rank);  /* all ranks' chains */
  check(langevin_config_set_steps(config, 2000), rank);
  check(langevin_config_set_epsilon(config, 0.01), rank);
  check(langevin_config_set_seed(config, 7), rank);
  check(langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU), rank);

  int64_t first = 0, count = 0;
  check(langevin_mpi_rows(MPI_COMM_WORLD, config, &first, &count), rank);
  float* x = malloc((size_t)(count > 0 ? count : 1) * 2 * sizeof(float));
  if (x == NULL) MPI_Abort(MPI_COMM_WORLD, 1);
  langevin_result* result = NULL;
  check(langevin_mpi_sample(MPI_COMM_WORLD, model, config, x, count * 2, &result), rank);
  check(langevin_mpi_write_npy(MPI_COMM_WORLD, path, x, result), rank);
  int dims = 0;
  int64_t shape[3];
  check(langevin_result_shape(result, &dims, shape), rank);

  double sums[2] = {0.0, 0.0}, totals[2] = {0.0, 0.0};
  for (int64_t i = 0; i < count; ++i) {
    for (int j = 0; j < 2; ++j) sums[j] += x[i * 2 + j];
  }
  MPI_Reduce(sums, totals, 2, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) {
    printf("api c-mpi\n");
    printf("version %s\n", langevin_version());
    printf("shape %lld %lld\n", (long long)shape[0], (long long)shape[1]);
    printf("first %.9e %.9e\n", x[0], x[1]);
    printf("mean %.6f %.6f\n", totals[0] / shape[0], totals[1] / shape[0]);
  }

  free(x);
  langevin_result_free(result);
  langevin_config_free(config);
  langevin_model_free(model);
  MPI_Finalize();
  return 0;
}
