#!/usr/bin/env bash
# Coordinate loops force-unrolled (b-base, HEAD) against left to the compiler (b-noinl = exp2 with LANGEVIN_UNROLL_STATE), alternated.
set -e
cd $(dirname "$0")
for round in 1 2; do
  for v in base state; do
    bin=/tmp/b-base/benchmarks/sampler_benchmark; [ $v = state ] && bin=/tmp/b-noinl/benchmarks/sampler_benchmark
    echo "== round $round: $v ($(date -u +%H:%M:%S))"
    OMP_NUM_THREADS=2 $bin --backend cpu --chains 10000 --steps 100 --repeat 3 --grid --ceilings none > $v-$round.md 2>&1
  done
done
echo done
