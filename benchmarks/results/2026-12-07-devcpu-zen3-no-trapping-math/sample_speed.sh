#!/usr/bin/env bash
# Sampling speed and bits, the build before and after -fno-trapping-math, alternated.
set -euo pipefail
before=/tmp/bits/langevin.before; after=/work/main/build-cpu/langevin
cd /tmp/ntm
for round in 1 2; do
  for v in before after; do
    bin=$before; [ $v = after ] && bin=$after
    for spec in "--gmm g100.json --chains 20000 --steps 200" "--gmm g8.json --chains 200000 --steps 200" "--model /tmp/bits/after/m3.safetensors --chains 200000 --steps 200" "--model /tmp/bits/after/m8.safetensors --chains 50000 --steps 200" "--model /tmp/bits/after/m2.safetensors --chains 20000 --steps 20"; do
      out=/tmp/ntm/s-$v.npy
      r=$(OMP_NUM_THREADS=2 $bin sample $spec --out $out --json --backend cpu | python3 -c "import json,sys; d=json.load(sys.stdin); print(d['seconds'], '%.3g' % d['chain_steps_per_second'])")
      echo "$v $round $spec | $r | $(sha256sum $out | cut -c1-16)"
    done
  done
done
