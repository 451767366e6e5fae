// The CPU backend's copies of its lanes code, one per instruction set (cmake/
// LangevinCpuTargets.cmake, host/cpu/simd.cpp): which one runs, LANGEVIN_CPU_SIMD's cap on it,
// and that every copy this machine runs gives the same bytes. (The CpuLanes and ScoreLanes
// tests hold each copy to the one-chain reference.)

#include "cli_runner.hpp"
#include "cpu_simd.hpp"

#include <langevin/langevin.hpp>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

namespace langevin {
namespace {

using testing_simd::SimdCap;

TEST(CpuSimd, NamesWhatTheBuildHasAndThisCpuRuns) {
  SimdCap none("");
  const CpuSimd simd = cpu_simd();
  ASSERT_FALSE(simd.built.empty());
  ASSERT_FALSE(simd.runnable.empty()) << "the tests run, so this CPU runs a copy";
  for (const std::string& name : simd.runnable) {
    EXPECT_NE(std::find(simd.built.begin(), simd.built.end(), name), simd.built.end()) << name;
  }
  EXPECT_EQ(simd.selected, simd.runnable.back()) << "the widest this CPU runs";
  EXPECT_EQ(simd.cap, "");
#if defined(__x86_64__)
  EXPECT_EQ(simd.built.front(), "avx2");  // every build for x86 has the AVX2 copy (x86-64-v3)
#endif
}

TEST(CpuSimd, TheCapPicksEachCopyInTurn) {
  for (const std::string& name : cpu_simd().runnable) {
    SimdCap cap(name);
    EXPECT_EQ(cpu_simd().selected, name);
    EXPECT_EQ(cpu_simd().cap, name);
  }
  // A cap wider than what the CPU runs takes the widest it runs.
  SimdCap widest(cpu_simd().built.front() == "neon" ? "sve" : "avx512");
  EXPECT_EQ(cpu_simd().selected, cpu_simd().runnable.back());
}

TEST(CpuSimd, AnUnknownCapIsRefusedNamingTheVariable) {
  const std::string other_family = cpu_simd().built.front() == "neon" ? "avx2" : "neon";
  for (const std::string& bad : {std::string("avx3"), std::string("AVX2 "), other_family,
                                 std::string("scalar")}) {
    SimdCap cap(bad);
    try {
      cpu_simd();
      ADD_FAILURE() << "LANGEVIN_CPU_SIMD=" << bad << " was accepted";
    } catch (const InvalidInput& e) {
      EXPECT_NE(std::string(e.what()).find("LANGEVIN_CPU_SIMD"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("'" + bad + "'"), std::string::npos) << e.what();
    }
  }
  // A run under it stops with the same error, before any chain.
  SimdCap cap("avx3");
  SamplerConfig config;
  config.chains = 16;
  config.steps = 2;
  config.backend = Backend::Cpu;
  EXPECT_THROW(sample(GaussianMixture({1.0}, {{0.0, 0.0}}, {{1.0, 1.0}}), config), InvalidInput);
}

/// Every copy this CPU runs, the same bytes: mixtures, networks shallow and deep, plain and
/// noise-conditional, ULA, MALA, the probability-flow ODE, scores.
TEST(CpuSimd, EveryCopyGivesTheSameBytes) {
  const std::vector<std::string> runnable = cpu_simd().runnable;
  if (runnable.size() < 2) GTEST_SKIP() << "this CPU runs one copy: " << runnable.front();
  SamplerConfig config;
  config.chains = 45;
  config.steps = 20;
  config.seed = 11;
  config.epsilon = 0.01;
  config.backend = Backend::Cpu;
  const Mlp shallow = Mlp::random({2, 40, 2}, Activation::Softplus, 3);
  const Mlp deep = Mlp::random({5, 24, 17, 5}, Activation::Silu, 4);
  const Mlp conditional(Mlp::random({3, 33, 2}, Activation::Tanh, 5).layers(), Activation::Tanh,
                        {3.0, 1.0, 0.3});
  const GaussianMixture mixture({0.3, 0.7}, {{0.0, 1.0, -1.0}, {2.0, 0.5, 0.0}},
                                {{1.0, 0.5, 2.0}, {0.7, 1.5, 1.0}});
  SamplerConfig mala = config;
  mala.method = Method::Mala;
  SamplerConfig flow = config;
  flow.method = Method::Ode;
  flow.epsilon = 0.0;  // the integrator chooses its steps
  Array points({100, 2});
  for (std::size_t i = 0; i < points.values().size(); ++i) {
    points.values()[i] = 0.25f * static_cast<float>(i % 23) - 4.0f;  // exact, fused or not
  }
  auto run_all = [&] {
    std::vector<std::vector<float>> results;
    results.push_back(sample(shallow, config).values());
    results.push_back(sample(deep, config).values());
    results.push_back(sample(conditional, config).values());
    results.push_back(sample(conditional, flow).values());
    results.push_back(sample(mixture, config).values());
    results.push_back(sample(mixture, mala).values());
    results.push_back(score(shallow, points).values());
    return results;
  };
  std::vector<std::vector<float>> first;
  {
    SimdCap cap(runnable.front());
    first = run_all();
  }
  for (std::size_t i = 1; i < runnable.size(); ++i) {
    SimdCap cap(runnable[i]);
    const std::vector<std::vector<float>> other = run_all();
    for (std::size_t r = 0; r < first.size(); ++r) {
      EXPECT_EQ(other[r], first[r]) << runnable[i] << " against " << runnable.front()
                                    << ", run " << r;
    }
  }
}

TEST(CpuSimdCli, TheToolNamesItsCopyAndTakesTheCap) {
  const std::string out = ::testing::TempDir() + "cpu_simd_samples";
  const std::string args = "sample --gmm " LANGEVIN_SOURCE_DIR "/examples/data/two_modes.json "
                           "--chains 40 --steps 30 --backend cpu --json --out ";
  std::vector<std::vector<float>> outputs;
  for (const std::string& name : cpu_simd().runnable) {
    SimdCap cap(name);
    const std::string path = out + "_" + name + ".npy";
    const testing::CliResult r = testing::run_cli(args + path, false);
    ASSERT_EQ(r.status, 0) << r.output;
    EXPECT_EQ(nlohmann::json::parse(r.output).at("simd"), name) << r.output;
    outputs.push_back(read_npy(path).values());
    std::remove(path.c_str());
  }
  for (const auto& output : outputs) EXPECT_EQ(output, outputs.front());
  SimdCap bad("avx3");
  const testing::CliResult r = testing::run_cli(args + out + "_bad.npy");
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("LANGEVIN_CPU_SIMD"), std::string::npos) << r.output;
  EXPECT_EQ(std::fopen((out + "_bad.npy").c_str(), "r"), nullptr) << "no output when refused";
}

}  // namespace
}  // namespace langevin
