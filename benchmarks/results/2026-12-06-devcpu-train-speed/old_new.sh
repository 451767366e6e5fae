#!/bin/bash
# Old and new `langevin train` alternated: same data, options and threads; prints training seconds.
# ab.sh OLD NEW ROUNDS
old=$1; new=$2; rounds=${3:-3}
configs=(
 "/tmp/exp/d2.npy --hidden 128,128 --activation silu --loss ncsn --batch 2048 --iters 600"
 "/tmp/exp/d2.npy --hidden 64,64 --activation relu --loss dsm --batch 512 --iters 2000"
 "/tmp/exp/d2.npy --hidden 512,512 --activation silu --loss ncsn --batch 2048 --iters 60"
 "/tmp/exp/d10.npy --hidden 128,128 --activation silu --loss ncsn --batch 2048 --iters 600"
)
for env in keep unset; do
  for c in "${configs[@]}"; do
    for r in $(seq $rounds); do
      for bin in $old $new; do
        if [ $env = unset ]; then pre="env -u OPENBLAS_CORETYPE"; else pre=env; fi
        s=$($pre OMP_NUM_THREADS=2 $bin train --data $c --backend cpu --out /tmp/exp/ab/m.safetensors --json | grep -o '"seconds":[0-9.]*' | cut -d: -f2)
        echo "$env | $(basename $bin) | $c | $s"
      done
    done
  done
done
