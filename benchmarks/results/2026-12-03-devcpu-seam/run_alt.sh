#!/bin/bash
# Old (ac287cd) and new binaries alternated in one call.
set -e
old=/tmp/old/build/benchmarks/sampler_benchmark
new=/work/main/build/benchmarks/sampler_benchmark
out=$1  # e.g. benchmarks/results/2026-12-03-devcpu-seam
mkdir -p $out
for r in 1 2 3; do
  for v in old new; do
    bin=old; [ $v = new ] && bin=$new || bin=$old
    { echo "# sampler_benchmark --backend cpu --chains 10000 --steps 100 --repeat 1 --grid --score --ceilings measure"; echo "# $v binary, $(date -u +%FT%TZ)";
      $bin --backend cpu --chains 10000 --steps 100 --repeat 1 --grid --score --ceilings measure; } > $out/grid_${v}_$r.md 2>&1
    { echo "# sampler_benchmark --backend cpu --chains 100000 --steps 300 --repeat 3 --ceilings measure"; echo "# $v binary, $(date -u +%FT%TZ)";
      $bin --backend cpu --chains 100000 --steps 300 --repeat 3 --ceilings measure; } > $out/seed_${v}_$r.md 2>&1
  done
done
