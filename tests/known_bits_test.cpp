// The bytes of a few runs, as constants: whatever the instruction set the CPU backend runs in
// (AVX2, AVX-512, NEON under scripts/check_aarch64), the same chains give the same bits, and the
// same as on the GPU (cpu_gpu_test.cpp). The constants are FNV-1a hashes of the outputs of the
// first machine that ran them (x86-64, 2026-12-06; the denoised and predictor–corrector runs
// 2026-12-07); a change of them is a change of the library's results, to be made on purpose
// (docs/REPRODUCIBILITY.md).

#include "cpu_simd.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace langevin {
namespace {

std::uint64_t fnv1a(const std::vector<float>& values) {
  std::uint64_t hash = 14695981039346656037ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(values.data());
  for (std::size_t i = 0; i < values.size() * sizeof(float); ++i) {
    hash = (hash ^ bytes[i]) * 1099511628211ull;
  }
  return hash;
}

struct RecordedRun {
  const char* name;
  std::vector<float> values;
};

std::vector<RecordedRun> runs() {
  SamplerConfig config;
  config.chains = 50;
  config.steps = 40;
  config.seed = 2026;
  config.epsilon = 0.01;
  config.backend = Backend::Cpu;
  const GaussianMixture mixture({0.3, 0.7}, {{0.0, 1.0, -1.0}, {2.0, 0.5, 0.0}},
                                {{1.0, 0.5, 2.0}, {0.7, 1.5, 1.0}});
  const Mlp seed = Mlp::random({1, 1024, 1}, Activation::Relu, 1);
  const Mlp deep = Mlp::random({3, 40, 24, 3}, Activation::Silu, 2);
  const Mlp wide = Mlp::random({16, 64, 16}, Activation::Tanh, 3);
  const Mlp conditional(Mlp::random({3, 48, 2}, Activation::Softplus, 4).layers(),
                        Activation::Softplus, {4.0, 1.0, 0.25});
  SamplerConfig trajectory = config;
  trajectory.keep = Keep::Trajectory;
  trajectory.thin = 7;
  SamplerConfig mala = config;
  mala.method = Method::Mala;
  mala.epsilon = 0.1;
  SamplerConfig ode = config;
  ode.method = Method::Ode;
  ode.epsilon = 0.0;  // the integrator chooses its steps
  SamplerConfig annealed_denoised = config;
  annealed_denoised.denoise = true;
  SamplerConfig pc = config;
  pc.method = Method::Pc;
  pc.epsilon = 0.0;  // the corrector's steps follow snr
  pc.denoise = true;
  SamplerConfig ode_denoised = ode;
  ode_denoised.denoise = true;
  SamplerConfig underdamped = config;
  underdamped.method = Method::Underdamped;
  underdamped.epsilon = 0.1;
  Array points({64, 3});
  for (std::size_t i = 0; i < points.values().size(); ++i) {
    // Exact in float whether or not the compiler fuses it (GCC does on Arm).
    points.values()[i] = 0.25f * static_cast<float>(i % 31) - 4.0f;
  }
  return {
      {"mixture, trajectory", sample(mixture, trajectory).values()},
      {"mixture, MALA", sample(mixture, mala).values()},
      {"seed model (hinge form)", sample(seed, config).values()},
      {"deep SiLU network", sample(deep, config).values()},
      {"16-D tanh network", sample(wide, config).values()},
      {"noise-conditional network, annealed", sample(conditional, config).values()},
      {"noise-conditional network, probability flow", sample(conditional, ode).values()},
      {"noise-conditional network, annealed, denoised",
       sample(conditional, annealed_denoised).values()},
      {"noise-conditional network, predictor-corrector, denoised",
       sample(conditional, pc).values()},
      {"noise-conditional network, probability flow, denoised",
       sample(conditional, ode_denoised).values()},
      {"deep network, underdamped", sample(deep, underdamped).values()},
      {"deep network's scores", score(deep, points, Backend::Cpu).values()},
  };
}

TEST(KnownBits, RunsGiveTheirRecordedBytes) {
  const std::uint64_t expected[] = {
      0x7d6f157fcb14a61full, 0x168fd1b18e77433eull, 0x015575f1c8a31355ull,
      0xe13ca5d6cf9295ccull, 0x1ebbfb1b154da7acull, 0x0e8699512d1b522eull,
      0xc2961358456b4f8bull, 0xb5599d2eee3ea3a8ull, 0x845e8554779c0088ull,
      0x93b5647f06efae37ull, 0x112600a759e3b451ull, 0xb3066e6b2a73a899ull,
  };
  testing_simd::for_each_cpu_simd([&] {
    const std::vector<RecordedRun> got = runs();
    ASSERT_EQ(got.size(), sizeof expected / sizeof expected[0]);
    for (std::size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(fnv1a(got[i].values), expected[i])
          << got[i].name << ": 0x" << std::hex << fnv1a(got[i].values) << "ull";
      const auto finite = std::count_if(got[i].values.begin(), got[i].values.end(),
                                        [](float v) { return std::isfinite(v); });
      // Finite values: bits worth pinning.
      EXPECT_EQ(finite, static_cast<long>(got[i].values.size())) << got[i].name;
    }
  });
}

}  // namespace
}  // namespace langevin
