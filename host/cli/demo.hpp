#pragma once
// What the two demos share (docs/CLI.md, demo): the seed's data and the output directory.

#include <langevin/langevin.hpp>

#include <cstdint>
#include <string>

namespace langevin::cli {

/// Where a demo writes, how it computes and whether it talks.
struct DemoRun {
  std::string directory;
  Backend backend = Backend::Auto;
  std::uint64_t seed = 0;
  bool quiet = false;
  std::string path(const char* name) const;  // a file in the directory
};

/// The seed's data: 10 000 draws of N(−5, 3²) then 5 000 of N(6, 1²).
Array seed_data(std::uint64_t seed);

/// The seed notebook: exact score matching, 1 000 plain Langevin chains × 2 000 steps.
void run_seed_demo(const DemoRun& run, const Array& data);

/// The noise-conditional version: ncsn training, annealed Langevin with 10 000 chains, and the
/// seed's plain sampler on the same model for contrast.
void run_annealed_demo(const DemoRun& run, const Array& data);

}  // namespace langevin::cli
