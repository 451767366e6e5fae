// Samples N((1, -2), diag(0.5², 1²)) with 10 000 Langevin chains through the C++ API and prints
// the first chain's final state and the mean over chains.
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

  double mean[2] = {0.0, 0.0};
  for (std::int64_t i = 0; i < x.dim(0); ++i) {
    for (int j = 0; j < 2; ++j) mean[j] += x.data()[i * 2 + j];
  }
  std::printf("api c++\n");
  std::printf("version %s\n", langevin::version());
  std::printf("shape %lld %lld\n", static_cast<long long>(x.dim(0)), static_cast<long long>(x.dim(1)));
  std::printf("first %.9e %.9e\n", x.data()[0], x.data()[1]);
  std::printf("mean %.6f %.6f\n", mean[0] / x.dim(0), mean[1] / x.dim(0));
  return 0;
}
