#!/usr/bin/env bash
# Run every peer once on one device and keep their tables: the seed pipeline (torch, JAX) and
# the sampler benchmark (torch eager / compile / CUDA graph, JAX, NumPy) at the sizes of the
# library's sampler_benchmark. Each peer has its own time limit, so that one slow or broken
# peer costs its slot and no more; a peer whose framework is missing says so and is skipped.
#
#   benchmarks/peers/run_all.sh [cpu|cuda] [OUTDIR]
#
# PYTHON=... picks the interpreter (python3), LIMIT=... the seconds each peer may take,
# PEERS="torch_pipeline jax_sampler …" a subset.
#
# Writes OUTDIR/<peer>.md (the tables) and OUTDIR/<peer>.err; prints every table as it goes.

set -u
device=${1:-cuda}
out=${2:-peers-results}
python=${PYTHON:-python3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"

if [ "$device" = cuda ]; then
  chains=100000; steps=1000; limit=${LIMIT:-240}
else
  chains=10000; steps=100; limit=${LIMIT:-900}
fi

run() {  # run NAME SECONDS ARGS... : one peer, its output in OUTDIR/NAME.md
  local name=$1 seconds=$2
  shift 2
  # PEERS="a b …" runs only those (a short GPU lease cannot afford the compile-heavy ones).
  if [ -n "${PEERS:-}" ] && [[ " $PEERS " != *" $name "* ]]; then return; fi
  echo "## $name: $*"
  timeout "$seconds" "$python" "$@" >"$out/$name.md" 2>"$out/$name.err"
  local status=$?
  cat "$out/$name.md"
  [ $status -eq 0 ] || { echo "# $name: exit status $status"; tail -n 5 "$out/$name.err"; }
  echo
}

"$python" - <<'EOF'
import importlib, importlib.metadata, sys
print("# python", sys.version.split()[0])
for name in ("numpy", "torch", "jax", "jaxopt", "threadpoolctl"):
    try:
        module = importlib.import_module(name)
        print("#", name, getattr(module, "__version__", None) or importlib.metadata.version(name))
    except Exception as error:
        print("#", name, "not available:", type(error).__name__)
EOF

# The seed pipeline: train (1200 FISTA iterations), sample 1000 x 2000, compare with the data.
run torch_pipeline "$limit" "$here/seed_torch.py" --device "$device" \
  --save-model "$out/torch_model.safetensors"
run jax_pipeline "$limit" "$here/seed_jax.py" --device "$device"

# The sampler alone on the trained model (the Glorot-random one if training failed), final
# states only, as sampler_benchmark measures the library.
model=()
[ -f "$out/torch_model.safetensors" ] && model=(--model "$out/torch_model.safetensors")
# ${a[@]+"${a[@]}"}: an empty array under set -u, also for bash before 4.4.
sampler=(--sample-only ${model[@]+"${model[@]}"} --chains "$chains" --steps "$steps" --final-only)
run torch_sampler_eager "$limit" "$here/seed_torch.py" --device "$device" "${sampler[@]}"
run torch_sampler_compile "$limit" "$here/seed_torch.py" --device "$device" "${sampler[@]}" \
  --compile
if [ "$device" = cuda ]; then
  run torch_sampler_graph "$limit" "$here/seed_torch.py" --device cuda "${sampler[@]}" --cuda-graph
  run torch_sampler_compile_graph "$limit" "$here/seed_torch.py" --device cuda "${sampler[@]}" \
    --compile --cuda-graph
fi
run jax_sampler "$limit" "$here/seed_jax.py" --device "$device" "${sampler[@]}"
run numpy_sampler "$limit" "$here/seed_numpy.py" ${model[@]+"${model[@]}"} --chains 10000 \
  --steps 100 --final-only
