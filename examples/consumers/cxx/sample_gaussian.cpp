// Samples N((1, -2), diag(0.5², 1²)) with 10 000 Langevin chains through the C++ API and prints
// the first chain's final state and the mean over chains; then the same with underdamped
// Langevin (time step 0.1, friction 2).
#include <langevin/langevin.hpp>

#include <cstdio>

int main() {
  const langevin::GaussianMixture target({1.0}, {{1.0, -2.0}}, {{0.5, 1.0}});
  langevin::SamplerConfig config;
  config.chains = 10000;
  config.steps = 2000;
  config.epsilon = 0.01;
  config.seed = 7;
  config.backend = langevin::Backend::Cpu;
  const langevin::Array x = langevin::sample(target, config);
  auto print = [](const char* name, const langevin::Array& rows) {
    double mean[2] = {0.0, 0.0};
    for (std::int64_t i = 0; i < rows.dim(0); ++i) {
      for (int j = 0; j < 2; ++j) mean[j] += rows.data()[i * 2 + j];
    }
    std::printf("%sfirst %.9e %.9e\n", name, rows.data()[0], rows.data()[1]);
    std::printf("%smean %.6f %.6f\n", name, mean[0] / rows.dim(0), mean[1] / rows.dim(0));
  };
  std::printf("api c++\n");
  std::printf("version %s\n", langevin::version());
  std::printf("shape %lld %lld\n", static_cast<long long>(x.dim(0)), static_cast<long long>(x.dim(1)));
  print("", x);

  config.method = langevin::Method::Underdamped;
  config.epsilon = 0.1;
  config.friction = 2.0;
  print("underdamped_", langevin::sample(target, config));
  return 0;
}
