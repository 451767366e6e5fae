#!/usr/bin/env bash
# noise_benchmark for blocks of 32 chains (two lane vectors of 16), from the repository's
# benchmarks/noise_benchmark.cpp, compiled against a source tree TREE (v0: b1322d4; v4: with
# blocks_in_lockstep.diff) with the library's AVX2 flags; GENERATED: a build's generated/ folder.
#   noise_benchmark_32_lanes.sh TREE GENERATED OUTPUT
set -euo pipefail
sed 's/constexpr int kLanes = 16;/constexpr int kLanes = 32;/; s/NormalLanes<16> (vectors across chains)/NormalLanes<32>/' \
  "$(dirname "$0")/../../noise_benchmark.cpp" > /tmp/noise_benchmark_32_lanes.cpp
g++ -O3 -DNDEBUG -ffp-contract=off -fno-trapping-math -march=x86-64-v3 -std=c++17 \
  -I"$1/include" -I"$1/host" -I"$1/host/shared" -I"$2" /tmp/noise_benchmark_32_lanes.cpp -o "$3"
