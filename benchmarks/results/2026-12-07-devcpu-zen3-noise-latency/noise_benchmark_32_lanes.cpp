// The CPU backend's noise, alone: one draw of a d-dimensional normal vector for 16 chains at once
// (device/normal_lanes.hpp: Philox4x32-10 and Box–Muller on lane vectors) beside the reference,
// the same 16 chains' NormalStreams drawn one chain at a time (normal_stream.hpp). Self-checking
// in llm.c's manner: before timing, every lane's first draws must equal its chain's stream, bit
// for bit. One thread; one Markdown row per case.
//
//   noise_benchmark [--draws N]
//
// The sampler spends this once per chain-step beside the score pass, so for small networks it
// bounds the chain-steps/s (docs/PERFORMANCE.md).

#include "cpu/normal_lanes.hpp"
#include <langevin/device/normal_stream.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace {

using langevin::device::NormalLanes;
using langevin::device::NormalStream;
constexpr int kLanes = 32;
constexpr unsigned long long kSeed = 2026;
constexpr unsigned long long kFirstChain = 40;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Every lane's first draws against its chain's NormalStream; throws on the first difference.
template <int MaxDim>
void check(int dim) {
  NormalLanes<kLanes> lanes(kSeed, kFirstChain, dim, 0);
  alignas(64) float z[MaxDim * kLanes];
  for (unsigned long long draw = 0; draw < 3; ++draw) {
    lanes.template draw<MaxDim>(z, dim);
    for (int c = 0; c < kLanes; ++c) {
      NormalStream stream(kSeed, kFirstChain + c, dim, draw);
      float one[MaxDim];
      stream.template draw<MaxDim>(one, dim);
      for (int j = 0; j < dim; ++j) {
        if (std::memcmp(&one[j], &z[j * kLanes + c], sizeof(float)) != 0) {
          throw std::runtime_error("dim " + std::to_string(dim) + ": lane " + std::to_string(c) +
                                   " differs from its chain's stream at draw " +
                                   std::to_string(draw));
        }
      }
    }
  }
}

volatile float g_sink;  // what the timed loops add up, so that their draws are not optimised away

void row(const char* who, int dim, long long draws, double seconds, float sink) {
  g_sink = sink;
  const double per_draw = seconds / static_cast<double>(draws) * 1e9;
  std::printf("| %s | %d | %lld | %.2f | %.3f | %.4g |\n", who, dim, draws, per_draw,
              per_draw / (kLanes * dim), static_cast<double>(draws) * kLanes * dim / seconds);
  std::fflush(stdout);
}

template <int MaxDim>
void measure(int dim, long long draws) {
  check<MaxDim>(dim);
  alignas(64) float z[MaxDim * kLanes];
  float sink = 0.0f;
  {
    NormalLanes<kLanes> lanes(kSeed, kFirstChain, dim, 1);
    const auto start = std::chrono::steady_clock::now();
    for (long long i = 0; i < draws; ++i) {
      lanes.template draw<MaxDim>(z, dim);
      sink += z[i % (dim * kLanes)];
    }
    row("NormalLanes<32>", dim, draws, seconds_since(start), sink);
  }
  {
    NormalStream streams[kLanes];
    for (int c = 0; c < kLanes; ++c) streams[c] = NormalStream(kSeed, kFirstChain + c, dim, 1);
    const long long reference_draws = draws / 8 > 0 ? draws / 8 : 1;  // ~10× slower
    const auto start = std::chrono::steady_clock::now();
    for (long long i = 0; i < reference_draws; ++i) {
      for (int c = 0; c < kLanes; ++c) streams[c].template draw<MaxDim>(z + c * MaxDim, dim);
      sink += z[i % (dim * kLanes)];
    }
    row("reference: 16 NormalStreams, one chain at a time", dim, reference_draws,
        seconds_since(start), sink);
  }
}

}  // namespace

int main(int argc, char** argv) try {
  long long draws = 4000000;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--draws" && i + 1 < argc) draws = std::stoll(argv[++i]);
    else throw std::invalid_argument(flag + ": unknown (use --draws N)");
  }
  if (draws < 1) throw std::invalid_argument("--draws " + std::to_string(draws) + ": must be ≥ 1");
  std::printf("# noise_benchmark: one thread; a draw is one d-dimensional normal for 16 chains; "
              "the lanes checked bit for bit against their chains' streams first\n");
  std::printf("| who | d | draws | ns per draw | ns per normal | normals/s |\n");
  std::printf("|---|---:|---:|---:|---:|---:|\n");
  measure<1>(1, draws);
  measure<2>(2, draws);
  measure<16>(16, draws / 8);
  return 0;
} catch (const std::exception& error) {
  std::fprintf(stderr, "noise_benchmark: %s\n", error.what());
  return 2;
}
