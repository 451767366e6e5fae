#!/usr/bin/env bash
# Lanes at -O3 (default) and at -O3 -fno-gcse -fno-gcse-after-reload, alternated, same sources.
set -e
cd /tmp/o2bench
for round in 1 2; do
  for v in o3 gcse; do
    bin=/tmp/b-new/benchmarks/sampler_benchmark; [ $v = gcse ] && bin=/tmp/b-gcse/benchmarks/sampler_benchmark
    echo "== round $round: lanes $v ($(date -u +%H:%M:%S))"
    OMP_NUM_THREADS=2 $bin --backend cpu --chains 10000 --steps 100 --repeat 3 --grid --ceilings none > g-$v-$round.md 2>&1
  done
done
echo done
