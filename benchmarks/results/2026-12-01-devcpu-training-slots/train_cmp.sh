#!/usr/bin/env bash
# Old and new binaries side by side, on the same data: four training shapes, 2 threads and 1.
set -u
# old: a worktree of 3a889c3 built in /tmp/old; new: the working tree with the slots
old=/tmp/old/build/langevin; new=/work/main/build/langevin
d=/tmp/tcmp; mkdir -p $d
[ -f $d/ring.npy ] || $new data --gmm /work/main/examples/data/ring8.json --n 20000 --out $d/ring.npy --quiet
[ -f $d/seed.npy ] || cp /tmp/demo1/data.npy $d/seed.npy
lscpu | grep "Model name"; date -u
run() {  # name threads args...
  local name=$1 t=$2; shift 2
  for b in old new; do
    bin=$old; [ $b = new ] && bin=$new
    s=$( { OMP_NUM_THREADS=$t /usr/bin/time -f "%e" $bin train "$@" --out $d/$name-$b-$t.safetensors --backend cpu --quiet; } 2>&1 )
    echo "| $name | $t | $b | $s |"
  done
}
echo "| case | threads | binary | seconds |"
echo "|---|---:|---|---:|"
for t in 2 1; do
run demo-annealed $t --data $d/seed.npy --hidden 128,128 --activation silu --loss ncsn --sigmas 20,0.05,12 --optimizer adam --lr 1e-3 --iters 2000 --batch 2048 --ema 0.999
run ring $t --data $d/ring.npy --hidden 128,128 --activation silu --loss ncsn --sigmas 8,0.05,20 --optimizer adam --lr 1e-3 --iters 2000 --batch 2048 --ema 0.999
run wide-dsm $t --data $d/seed.npy --hidden 1024,1024 --activation relu --loss dsm --sigma 0.5 --optimizer adam --lr 1e-3 --iters 100 --batch 4096
run ring-sliced $t --data $d/ring.npy --hidden 256,256 --activation tanh --loss sliced --projections 2 --optimizer adam --lr 1e-3 --iters 300 --batch 4096
done
