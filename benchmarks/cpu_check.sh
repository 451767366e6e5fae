#!/usr/bin/env bash
# The CPU side of docs/PERFORMANCE.md in one call, everything in the same run on the same cores:
# the measured ceilings, the library's sampler and training, and every CPU peer (NumPy, PyTorch
# eager and compiled, JAX) with the same thread count, the same model file, the same chains and
# steps, and for training the same data and initial weights. Ends with one short table.
#
#   benchmarks/cpu_check.sh [OUTDIR]
#
# PYTHON: an interpreter with numpy, torch and jax (missing ones are skipped, and say so);
# THREADS: cores to use (all by default); BUILD: the build folder (build); QUICK=1: the sampler
# only, no training. Run it on an otherwise idle machine: 2-core runs are slowed by anything.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-cpu-check-out}
build=${BUILD:-build}
python=${PYTHON:-python3}
threads=${THREADS:-$(nproc)}
limit=${LIMIT:-900}
peers=benchmarks/peers
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec > >(tee "$out/cpu_check.log") 2>&1
export OMP_NUM_THREADS=$threads
log() { echo; echo "== $*"; }

log "machine"
date -u
lscpu | grep -E "Model name|^CPU\(s\)|Flags" | sed -E 's/(Flags:).*(avx512f).*/\1 … \2 …/'
echo "threads: $threads; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "langevin $(git rev-parse --short HEAD 2>/dev/null)"
"$python" -c "
import importlib
for name in ('numpy', 'torch', 'jax'):
    try: print(name, importlib.import_module(name).__version__)
    except Exception as e: print(name, 'not available:', type(e).__name__)"

log "ceilings"
"$build/benchmarks/ceiling_benchmark" cpu

# The instruction sets of the CPU backend's lanes this CPU runs (avx2, avx512, …).
simds=$("$build/langevin" info --json | "$python" -c \
  "import json, sys; print(' '.join(json.load(sys.stdin)['cpu_simd']['runnable']))")
echo "lanes: $simds (this CPU runs them; the build's copies: $("$build/langevin" info --json |
  "$python" -c "import json, sys; print(', '.join(json.load(sys.stdin)['cpu_simd']['built']))"))"

log "the noise alone: 16 chains' draw against the one-chain reference (one thread, self-checked)"
for noise in "$build"/benchmarks/noise_benchmark_*; do
  simd=${noise##*_}
  [ "$simd" = native ] || [[ " $simds " == *" $simd "* ]] || continue
  echo "$(basename "$noise"):"
  "$noise"
done

peer() {  # peer NAME ARGS...: one peer under the time limit, its table kept in OUTDIR/NAME.md
  local name=$1
  shift
  timeout "$limit" "$python" "$@" >"$out/$name.md" 2>"$out/$name.err"
  local status=$?
  grep -E "^(\||# (training|sampling|start))" "$out/$name.md"
  [ $status -eq 0 ] || { echo "# $name: exit status $status"; tail -n 3 "$out/$name.err"; }
}

log "training: the seed problem, 1 200 iterations (library, then the peers from the same start)"
# The library writes its data and initial weights; the peers start from them and use the stop
# rule that costs what the library's iteration costs (README of the peers).
"$build/benchmarks/training_benchmark" --backend cpu --iterations 20 --save-inputs "$out" \
  --annealed 500 $([ "${QUICK:-0}" = 1 ] || echo --full)
if [ "${QUICK:-0}" != 1 ]; then
  same_start=(--device cpu --threads "$threads" --data "$out/data.npy"
              --init-model "$out/start.safetensors" --stop-rule iterates)
  peer torch_training "$peers/seed_torch.py" "${same_start[@]}"
  peer jax_training "$peers/seed_jax.py" "${same_start[@]}" --optimizer fista
fi

log "sampler: the same 1-1024-1 weights everywhere ($out/start.safetensors), final states"
"$build/benchmarks/sampler_benchmark" --backend cpu --model "$out/start.safetensors" \
  --chains 1000,100000 --steps 100 --repeat 3 --ceilings measure
for chains in 1000 100000; do
  sampling=(--sample-only --model "$out/start.safetensors" --chains "$chains" --steps 100
            --final-only --threads "$threads")
  peer "numpy_$chains" "$peers/seed_numpy.py" "${sampling[@]:1}"
  peer "torch_eager_$chains" "$peers/seed_torch.py" --device cpu "${sampling[@]}"
  peer "torch_compile_$chains" "$peers/seed_torch.py" --device cpu "${sampling[@]}" --compile
  peer "jax_$chains" "$peers/seed_jax.py" --device cpu "${sampling[@]}"
done

log "summary: chain-steps/s of the seed model (100 steps, final states) and training seconds"
{
  echo "| who | chains | chain-steps/s |"
  echo "|---|---:|---:|"
  awk -F'|' '$2 ~ /cpu/ && $3 ~ /mlp/ && $6 ~ /final/ {
    who = $3 ~ /layered/ ? "langevin, layered pass" : "langevin"
    gsub(/ /, "", $4); gsub(/ /, "", $8); print "| " who " | " $4 " | " $8 " |" }' \
    "$out/cpu_check.log"
  for f in "$out"/numpy_*.md "$out"/torch_*_[0-9]*.md "$out"/jax_[0-9]*.md; do
    [ -f "$f" ] || continue
    awk -F'|' '/^\| (numpy|torch|jax)/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $6);
      gsub(/ /, "", $10); print "| " $2 " | " $6 " | " $10 " |" }' "$f"
  done
  echo
  echo "| who | 1 200 iterations, seconds |"
  echo "|---|---:|"
  awk -F'|' '$2 ~ /cpu/ && $3 ~ /1200 iterations/ { gsub(/ /, "", $4); print "| langevin | " $4 " |" }' \
    "$out/cpu_check.log"
  for f in "$out"/torch_training.md "$out"/jax_training.md; do
    [ -f "$f" ] || continue
    awk -F'|' '/^\| (torch|jax)/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $6);
      print "| " $2 " | " $6 " |" }' "$f"
  done
}

log "the lanes on each instruction set this CPU runs (LANGEVIN_CPU_SIMD caps the choice):"
log "the seed model and the grid, fractions of that instruction set's FMA ceiling"
for simd in $simds; do
  echo "LANGEVIN_CPU_SIMD=$simd"
  LANGEVIN_CPU_SIMD=$simd "$build/benchmarks/sampler_benchmark" --backend cpu \
    --model "$out/start.safetensors" --chains 100000 --steps 100 --repeat 3 --grid \
    --ceilings measure
done

