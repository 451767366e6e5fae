#!/usr/bin/env bash
# alternate old/new sampler_benchmark on given shapes; prints shape, chain-steps/s, fraction
shapes=$1; rounds=${2:-2}
for r in $(seq $rounds); do for b in old new; do
  ./sb_$b --backend cpu --chains 20000 --shapes $shapes 2>&1 | awk -v b=$b -F'|' '/ceilings measured now/{c=$0} /mlp [0-9]+-/{print b, $3, $8, $10}' 
done; done
