#!/usr/bin/env bash
# Longer runs of the d = 4 … 32 networks: forced coordinate unroll (base) against none (state), alternated 3 rounds.
cd $(dirname "$0")
for round in 1 2 3; do
  for v in base state; do
    bin=/tmp/b-base/benchmarks/sampler_benchmark; [ $v = state ] && bin=/tmp/b-noinl/benchmarks/sampler_benchmark
    for m in 4-64-4 8-64-8 16-64-16 16-64-64-16 32-64-32 32-64-64-32; do
      OMP_NUM_THREADS=2 $bin --backend cpu --model models/$m.safetensors --chains 20000 --steps 400 --repeat 3 --ceilings none | grep "(--model)" | sed "s/^/$v $round /"
    done
  done
done
