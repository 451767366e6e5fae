#!/usr/bin/env bash
# Training speed, the build before (-ffp-contract=off only) and after (-fno-trapping-math added),
# alternated: `langevin train` on the same rows, 2 threads, wall seconds from its own summary.
set -euo pipefail
before=/tmp/bits/langevin.before; after=/work/main/build-cpu/langevin
cd /tmp/bits
for round in 1 2; do
  for v in before after; do
    bin=$before; [ $v = after ] && bin=$after
    for spec in "data2.npy ncsn silu 128,128" "data2.npy ncsn tanh 128,128" "data2.npy ncsn softplus 128,128" "data2.npy ncsn relu 128,128" "data10.npy dsm silu 256,256" "data1.npy exact silu 64,64"; do
      set -- $spec
      secs=$(OMP_NUM_THREADS=2 $bin train --data $1 --loss $2 --activation $3 --hidden $4 --iters 1000 --batch 2048 --backend cpu --out /tmp/ntm/m.safetensors --json | python3 -c "import json,sys; d=json.load(sys.stdin); print(d.get('seconds', d))")
      echo "$v $round $1 $2 $3 $4 $secs"
    done
  done
done
