#!/usr/bin/env bash
# The 2-D demo through the CLI: 8 Gaussian components on a ring of radius 4 with weights
# proportional to 1 … 8 (examples/data/ring8.json), learned by noise-conditional score matching
# and sampled by annealed Langevin dynamics; every component's sampled weight is compared with
# its true weight, and the samples are drawn over the data in scatter.svg.
#
#   examples/ring/ring8.sh [OUT_DIR] [extra options for every command, e.g. --backend cpu]
#
# Why these settings: the components are 0.35 wide and 3.1 apart, so plain Langevin chains stay in
# the component they first fall into and keep whatever weights that gives. Annealing starts at
# σ = 8, the ring's diameter, where the whole ring is one blob, and ends at 0.05, well inside a
# component; α_i/σ_i² = ε/σ_L² = 0.04 at every level keeps ULA's own bias small. Mass has to
# travel around the ring while neighbours still overlap (σ ≈ 1–3), so the levels are dense there:
# with the exact mixture score, 10 levels × 100 steps left weights off by up to 0.013, 20 levels
# × 100 steps by 0.006. The weights' moving average (--ema) matters as much: in trials the last
# Adam iterate put weights off by up to 0.035, the average by 0.010 (same data and levels).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
langevin="${LANGEVIN:-$root/build/langevin}"
out="${1:-langevin-ring8}"
shift || true
mixture="$root/examples/data/ring8.json"
mkdir -p "$out"

"$langevin" data --gmm "$mixture" --n 20000 --out "$out/data.npy" "$@"
"$langevin" train --data "$out/data.npy" --out "$out/model.safetensors" --loss ncsn \
  --sigmas 8,0.05,20 --hidden 128,128 --activation silu --optimizer adam --lr 1e-3 \
  --iters 20000 --batch 2048 --ema 0.999 "$@"
"$langevin" sample --model "$out/model.safetensors" --chains 10000 --steps 100 \
  --epsilon 1e-4 --init normal:0,1 --denoise --out "$out/samples.npy" "$@"
"$langevin" compare "$out/samples.npy" "$out/data.npy" --gmm "$mixture" \
  --plot "$out/scatter.svg" "$@"
