// The C++ side of benchmarks/python_overhead.py: seconds per call of sample() (a Sampler made
// and run) and of a reused Sampler's run_into_host(), on the CPU backend, for the chain counts
// given. Prints one JSON object: {"<chains>x<steps>": {"sample": s, "reuse": s}, ...}, medians.
//
//   call_overhead TARGET.json REPEATS CHAINSxSTEPS...

#include <langevin/langevin.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace {

template <class Call>
double median_seconds(int repeats, Call call) {
  std::vector<double> seconds;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    call();
    seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: call_overhead TARGET.json REPEATS CHAINSxSTEPS...\n");
    return 2;
  }
  const langevin::GaussianMixture target = langevin::load_gmm(argv[1]);
  const int repeats = std::stoi(argv[2]);
  std::printf("{");
  for (int i = 3; i < argc; ++i) {
    const std::string run = argv[i];
    langevin::SamplerConfig config;
    config.chains = std::stoll(run.substr(0, run.find('x')));
    config.steps = std::stoll(run.substr(run.find('x') + 1));
    config.backend = langevin::Backend::Cpu;
    const double one_call = median_seconds(repeats, [&] { langevin::sample(target, config); });
    langevin::Sampler sampler(target, config);
    std::vector<float> out(static_cast<std::size_t>(config.chains) * target.dim());
    const double reused = median_seconds(repeats, [&] { sampler.run_into_host(out.data()); });
    std::printf("%s\"%s\": {\"sample\": %.9g, \"reuse\": %.9g}", i > 3 ? ", " : "", run.c_str(),
                one_call, reused);
  }
  std::printf("}\n");
  return 0;
}
