/* Samples N((1, -2), diag(0.5^2, 1^2)) with 10 000 Langevin chains through the C API and prints
 * the first chain's final state and the mean over chains; then the same with underdamped
 * Langevin (time step 0.1, friction 2). */
#include <langevin/langevin.h>

#include <stdio.h>
#include <stdlib.h>

/* Every call returns a status; on failure the message says what and where. */
static void check(langevin_status status) {
  if (status != LANGEVIN_OK) {
    fprintf(stderr, "sample_gaussian: %s\n", langevin_last_error());
    exit(1);
  }
}

int main(void) {
  const double weights[] = {1.0};
  const double means[] = {1.0, -2.0};
  const double stds[] = {0.5, 1.0};
  langevin_model* model = NULL;
  langevin_config* config = NULL;
  check(langevin_model_gmm(1, 2, weights, means, stds, &model));
  check(langevin_config_create(&config));
  check(langevin_config_set_chains(config, 10000));
  check(langevin_config_set_steps(config, 2000));
  check(langevin_config_set_epsilon(config, 0.01));
  check(langevin_config_set_seed(config, 7));
  check(langevin_config_set_backend(config, LANGEVIN_BACKEND_CPU));

  int64_t count = 0;
  check(langevin_output_count(model, config, &count));
  float* x = malloc((size_t)count * sizeof(float));
  if (x == NULL) return 1;
  langevin_result* result = NULL;
  check(langevin_sample(model, config, x, count, LANGEVIN_HOST_MEMORY, &result));
  int rank = 0;
  int64_t shape[3];
  check(langevin_result_shape(result, &rank, shape));

  double mean[2] = {0.0, 0.0};
  for (int64_t i = 0; i < shape[0]; ++i) {
    for (int j = 0; j < 2; ++j) mean[j] += x[i * 2 + j];
  }
  printf("api c\n");
  printf("version %s\n", langevin_version());
  printf("shape %lld %lld\n", (long long)shape[0], (long long)shape[1]);
  printf("first %.9e %.9e\n", x[0], x[1]);
  printf("mean %.6f %.6f\n", mean[0] / shape[0], mean[1] / shape[0]);

  check(langevin_config_set_method(config, LANGEVIN_UNDERDAMPED));
  check(langevin_config_set_epsilon(config, 0.1));
  check(langevin_config_set_friction(config, 2.0));
  langevin_result_free(result);
  check(langevin_sample(model, config, x, count, LANGEVIN_HOST_MEMORY, &result));
  mean[0] = mean[1] = 0.0;
  for (int64_t i = 0; i < shape[0]; ++i) {
    for (int j = 0; j < 2; ++j) mean[j] += x[i * 2 + j];
  }
  printf("underdamped_first %.9e %.9e\n", x[0], x[1]);
  printf("underdamped_mean %.6f %.6f\n", mean[0] / shape[0], mean[1] / shape[0]);

  free(x);
  langevin_result_free(result);
  langevin_config_free(config);
  langevin_model_free(model);
  return 0;
}
