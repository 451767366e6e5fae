#!/usr/bin/env bash
# Lanes at -O3 (the build's default) and at -O2, alternated, same sources (working tree).
set -e
cd /tmp/o2bench
for round in 1 2; do
  for v in o3 o2; do
    bin=/tmp/b-new/benchmarks/sampler_benchmark; [ $v = o2 ] && bin=/tmp/b-o2/benchmarks/sampler_benchmark
    echo "== round $round: lanes $v ($(date -u +%H:%M:%S))"
    OMP_NUM_THREADS=2 $bin --backend cpu --chains 10000 --steps 100 --repeat 3 --grid --ceilings none > $v-$round.md 2>&1
  done
done
echo done
