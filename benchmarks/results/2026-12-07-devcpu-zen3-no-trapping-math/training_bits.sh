#!/usr/bin/env bash
# $1 = langevin binary, $2 = out dir: trains a grid of small models, prints their hashes.
set -euo pipefail
L=$1; O=$2; mkdir -p $O
D=/work/main/examples/data
[ -f data2.npy ] || $L data --gmm $D/ring8.json --n 3000 --out data2.npy --quiet 2>/dev/null || true
[ -f data1.npy ] || $L data --gmm $D/two_modes.json --n 3000 --out data1.npy --quiet 2>/dev/null || true
i=0
for spec in "data1.npy exact relu 64" "data1.npy exact softplus 32,32" "data2.npy ncsn silu 64,64" "data2.npy dsm tanh 48,48" "data2.npy sliced softplus 64" "data1.npy ncsn tanh 32,32" "data2.npy exact silu 40,40" "data1.npy dsm relu 32,32" "data10.npy ncsn silu 64,64" "data10.npy dsm softplus 64" "data10.npy sliced tanh 32,32"; do
  set -- $spec
  $L train --data $1 --loss $2 --activation $3 --hidden $4 --iters 60 --batch 512 --backend cpu --out $O/m$i.safetensors --quiet
  i=$((i+1))
done
sha256sum $O/*.safetensors | sed "s|$O/||"
