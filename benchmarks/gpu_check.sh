#!/usr/bin/env bash
# The GPU check of the whole project, in one call on a lent H100/H200 machine (no internet there):
# build, all tests (GPU ones included), register/spill report, the sampler benchmark, and a
# short table at the end. Full logs go to $OUT (or ./gpu-check-out): gpu_check.log (all it
# prints), configure.log, build.log, ctest.log and details.tar.gz (SASS extracts, profiles,
# sanitizer and peer logs), five files, under the eight a lease returns.
#
# Every stage after the build runs only when its worst case (the sum of its commands' time
# limits) fits what is left of BUDGET seconds (default 560, under the 600 s a call may take),
# so that the call ends with its summary; the new GPU paths (ranks, Python, sampling methods,
# likelihoods) come right after the tests, the benchmarks after them. TESTS=0 skips the tests
# (a second call on the same warm machine, its build kept); PROFILE=0 and SANITIZE=0 skip ncu
# and compute-sanitizer.
#
#   benchmarks/gpu_check.sh prepare   # here, before the call: copies GoogleTest, CLI11,
#                                     # nlohmann-json and Highway's headers into .deps/, with a
#                                     # nanobind wheel
#                                     # (git-ignored; carry it)
#   benchmarks/gpu_check.sh           # there: the check itself
set -uo pipefail
cd "$(dirname "$0")/.."

if [ "${1:-}" = prepare ]; then
  mkdir -p .deps/include
  cp -r /usr/src/googletest .deps/
  cp -r /usr/include/CLI /usr/include/nlohmann /usr/include/hwy .deps/include/
  # nanobind (pure Python, any Python 3), for the Python module where the machine's is older.
  python3 -m pip download -q --no-deps --only-binary=:all: -d .deps/wheels "nanobind>=2.10.1"
  du -sh .deps
  exit 0
fi

out=${OUT:-gpu-check-out}
mkdir -p "$out"
# Everything this script prints also goes to one log: the lease returns at most 8 files.
exec > >(tee "$out/gpu_check.log") 2>&1
tee_pid=$!
log() { echo "== $*"; }
started=$(date +%s)
budget=${BUDGET:-560}
left() { echo $(( budget - ($(date +%s) - started) )); }
skip() { echo "skipped: $(left) s of the budget left, this needs up to $1 s"; }
# fits SECONDS: whether a stage whose commands are limited to SECONDS in all still fits.
fits() { [ "$(left)" -gt "$1" ] && return 0; skip "$1"; return 1; }
# The stages' longer outputs, in one archive at the end (on any exit).
details=build-gpu/check-details
rm -rf "$details"
mkdir -p "$details"
# At the end the log's last lines reach its file before the call returns.
finish() {
  tar -czf "$out/details.tar.gz" -C build-gpu check-details 2>/dev/null
  exec >&- 2>&-
  wait "$tee_pid" 2>/dev/null
}
trap finish EXIT

log "machine"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  nvcc --version | tail -2
  cmake --version | head -1
  lscpu | grep -E "Model name|^CPU\(s\)"
} 2>&1

log "build"
generator=""
command -v ninja >/dev/null && generator="-G Ninja"
# The MPI layer where the machine has an MPI (the rank → GPU check below needs it).
mpi=OFF
command -v mpicxx >/dev/null && command -v mpirun >/dev/null && mpi=ON
# The Python module where the machine's python3 has nanobind (its image has it, with PyTorch and
# CuPy: the DLPack tests below).
python=$(command -v python3 || true)
if [ -n "$python" ] && ls .deps/wheels/nanobind-*.whl >/dev/null 2>&1 &&
   ! python3 -c "import nanobind, sys; sys.exit(tuple(map(int, nanobind.__version__.split('.')[:3])) < (2, 10, 1))" 2>/dev/null; then
  python3 -m pip install -q --no-index --no-deps --target /tmp/langevin-site .deps/wheels/nanobind-*.whl \
    && export PYTHONPATH=/tmp/langevin-site${PYTHONPATH:+:$PYTHONPATH}
fi
configure() {
  cmake -S . -B build-gpu $generator -DCMAKE_BUILD_TYPE=Release -DCMAKE_CUDA_ARCHITECTURES=90 \
    -DLANGEVIN_WITH_MPI=$mpi ${python:+-DPython_EXECUTABLE=$python} >"$out/configure.log" 2>&1
}
# An MPI the image has but CMake cannot use costs the MPI stages, not the whole check.
if ! configure; then
  [ $mpi = ON ] || { tail -30 "$out/configure.log"; exit 1; }
  echo "configuring with the MPI layer failed; again without it"
  grep -iE "error" -A3 "$out/configure.log" | head -10
  mpi=OFF
  configure || { tail -30 "$out/configure.log"; exit 1; }
fi
cmake --build build-gpu -j "$(nproc)" >"$out/build.log" 2>&1 || { grep -E "error|Error" -A3 "$out/build.log" | head -40; exit 1; }
echo "built in $(( $(date +%s) - started )) s"

# instruction_mix SASS NAME TOP: the TOP most frequent instructions of the SASS file's functions
# whose name matches NAME (a regular expression), counted.
instruction_mix() {
  awk -v k="$2" '/Function :/ {on = $0 ~ k} on' "$1" \
    | grep -oE "^ +/\*[0-9a-f]{4}\*/ +[A-Z0-9_]+" | awk '{print $2}' | sort | uniq -c | sort -rn \
    | head -"$3" | tr -s ' ' | tr '\n' ','
}

log "registers and spills of the kernels"
resources=$(cuobjdump --dump-resource-usage build-gpu/host/liblangevin.a 2>/dev/null \
  | awk '/Function/ {name = $2} /REG:/ {print $1, $2, $4, name}')
echo "kernels with a stack frame (spills or local arrays): $(grep -vc "STACK:0 " <<<"$resources") of $(wc -l <<<"$resources")"

# A failure of the tests, the ranks' bytes or the Python tests is the call's exit status.
status=0
log "tests (the GPU ones: every suite or case that names Gpu or cuda, and the MPI library's"
log "at 1-4 ranks, whose cases on the cuda backend run there; CI runs the rest)"
./build-gpu/langevin info
if [ "${TESTS:-1}" = 1 ]; then
  # One test's limit well under the budget: these paths have never run, and one that hangs
  # must not take the call with it.
  limit=$(( $(left) - 120 ))
  [ $limit -gt 120 ] || limit=120
  (cd build-gpu && timeout $limit ctest --output-on-failure -j 4 --timeout 90 \
    -R 'Gpu|[Cc]uda|^Mpi\.LibraryEqualsOneProcess') >"$out/ctest.log" 2>&1
  ctest_status=$?
  grep -E "tests passed|tests failed|\*\*\*Failed|\*\*\*Timeout|Not Run" "$out/ctest.log" | tail -15
  skipped=$(grep -c "Skipped" "$out/ctest.log" || true)
  [ $ctest_status -eq 0 ] || status=1
else
  ctest_status="not run (TESTS=0)"
  skipped=0
fi

log "MPI ranks on the GPU: 2 ranks (both on GPU 0 by the node-local rule) against one process"
if [ $mpi = ON ] && fits 100; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  ranks_run=(sample --gmm examples/data/ring8.json --chains 1000003 --steps 200 --backend cuda)
  timeout 40 ./build-gpu/langevin "${ranks_run[@]}" --out build-gpu/one.npy --json
  timeout 60 mpirun --oversubscribe -n 2 ./build-gpu/langevin "${ranks_run[@]}" \
    --out build-gpu/ranks.npy --json
  if cmp build-gpu/one.npy build-gpu/ranks.npy; then
    echo "2 ranks on the GPU: the one-process bytes"
  else
    echo "2 ranks on the GPU: NOT the one-process bytes"; status=1
  fi
elif [ $mpi = OFF ]; then
  echo "skipped: no MPI on this machine (mpicxx, mpirun)"
fi

log "Python on the GPU: results through DLPack, caller's GPU arrays, GPU inputs (PyTorch, CuPy)"
if [ ! -d build-gpu/python/langevin ]; then
  echo "skipped: the Python module was not built (no python3 with nanobind here)"
elif fits 90; then
  PYTHONPATH=build-gpu/python timeout 90 python3 -m pytest -q -rs -p no:cacheprovider \
    tests/python/test_gpu.py 2>&1 | tail -12
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi

log "sampling methods on the GPU: annealed, pc, ode, mala, underdamped on the ring of 8's exact score, 10^6 chains"
# docs/SAMPLERS.md has their CPU times; these are their first GPU runs (the ODE's seven stages
# per chain are the likely register/local-memory case).
if fits 150; then
  for method in "ula" "pc" "ode" "mala" "underdamped"; do
    sigmas="--sigmas 10,0.01,20"
    [ "$method" = mala ] && sigmas="--steps 1000 --epsilon 0.01"
    [ "$method" = underdamped ] && sigmas="--steps 1000 --epsilon 0.1"
    timeout 30 ./build-gpu/langevin sample --gmm examples/data/ring8.json --sampler "$method" \
      $sigmas --chains 1000000 --backend cuda --json --out build-gpu/methods.npy 2>&1 \
      | python3 -c "import json, sys; d = json.load(sys.stdin); print('$method', d['seconds'], 's,', d['chain_steps_per_second'], 'updates/s')" \
      || echo "$method: failed or timed out"
  done
  rm -f build-gpu/methods.npy
fi

log "likelihoods on the GPU: 10^6 points of the ring of 8 under its exact score, exact and hutchinson"
# The first GPU runs of the likelihood's kernels (one point per thread, seven stages of d + 1
# components in local memory); the CPU-vs-GPU tests above hold them to the CPU's bits.
if fits 90; then
  timeout 30 ./build-gpu/langevin data --gmm examples/data/ring8.json --n 1000000 --seed 1 \
    --backend cuda --out build-gpu/points.npy --quiet
  for divergence in exact hutchinson; do
    timeout 30 ./build-gpu/langevin likelihood --gmm examples/data/ring8.json \
      --sigmas 100,0.01,20 --divergence "$divergence" --in build-gpu/points.npy \
      --out build-gpu/log_density.npy --backend cuda --json 2>&1 \
      | python3 -c "import json, sys; d = json.load(sys.stdin); print('$divergence', d['seconds'], 's,', d['mean_evaluations'], 'evaluations a point,', d['bits_per_dim'], 'bits/dim')" \
      || echo "$divergence: failed or timed out"
  done
  rm -f build-gpu/points.npy build-gpu/log_density.npy
fi

log "ceilings"
fits 60 && timeout 60 ./build-gpu/benchmarks/ceiling_benchmark cuda

log "training: the demo's 1200 iterations (fused GPU kernels), demo --annealed's (cuBLAS and"
log "the general path); writes the data and start weights"
inputs=build-gpu/inputs
mkdir -p "$inputs"
fits 90 && timeout 90 ./build-gpu/benchmarks/training_benchmark --backend cuda --iterations 50 \
  --full --annealed 500 --save-inputs "$inputs"

log "benchmark: seed model (hinge form, and layered), mixture, trajectories, score evaluation"
# The start weights above (the seed model's shape, Glorot-random): the peers read the same file.
if [ -f "$inputs/start.safetensors" ] && fits 120; then
  timeout 120 ./build-gpu/benchmarks/sampler_benchmark --backend cuda \
    --model "$inputs/start.safetensors" --chains 1000,10000,100000,1000000 --steps 1000 \
    --repeat 5 --keep both --score
fi

log "the library's hinge kernels: registers, spills, instruction mix"
if fits 60; then
  grep -iE "hinge" <<<"$resources" | head -6
  # The whole library's SASS is tens of MB: it stays on the machine, the instruction mixes come
  # back.
  timeout 40 cuobjdump -sass build-gpu/host/liblangevin.a 2>/dev/null >build-gpu/library.sass
  # The many-chains launch (items_kernel with the hinge pairs' staging, sampling) and the
  # few-chains one.
  for k in 'StageHingePairs.*ChainWork' hinge_group_chains_kernel; do
    echo "$k: $(instruction_mix build-gpu/library.sass "$k" 8)"
  done
fi

log "peers on the GPU: the same weights, chains and steps (JAX at every chain count, PyTorch)"
peer() {  # peer SECONDS ARGS...: one peer run, its table rows printed, its errors kept
  local seconds=$1
  shift
  timeout "$seconds" python3 "$@" 2>>"$details/peers.err" | grep -E "^\| (jax|torch|numpy)"
}
if [ -f "$inputs/start.safetensors" ] && fits 240; then
  sampling=(--device cuda --sample-only --model "$inputs/start.safetensors" --steps 1000
            --final-only)
  for n in 1000 100000 1000000; do peer 60 benchmarks/peers/seed_jax.py "${sampling[@]}" --chains $n; done
  peer 60 benchmarks/peers/seed_torch.py "${sampling[@]}" --chains 100000 --cuda-graph
fi

log "training peers from the same data and start, the same stop rule (JAX FISTA, PyTorch)"
if [ -f "$inputs/data.npy" ] && fits 210; then
  same_start=(--device cuda --data "$inputs/data.npy" --init-model "$inputs/start.safetensors"
              --stop-rule iterates)
  peer 120 benchmarks/peers/seed_jax.py "${same_start[@]}" --optimizer fista
  peer 90 benchmarks/peers/seed_torch.py "${same_start[@]}"
fi

log "general networks' training: the library, PyTorch eager and JAX on the same rows and batch"
if [ -f "$inputs/data.npy" ] && fits 360; then
  for spec in hidden=128x128,activation=silu,loss=ncsn,batch=2048,iterations=300 \
              hidden=512x512x512,activation=silu,loss=ncsn,batch=8192,iterations=100; do
    timeout 60 ./build-gpu/benchmarks/training_benchmark --backend cuda --network "$spec" \
      --data "$inputs/data.npy"
    peer 60 benchmarks/peers/train_torch.py --device cuda --network "$spec" --data "$inputs/data.npy"
    peer 60 benchmarks/peers/train_jax.py --device cuda --network "$spec" --data "$inputs/data.npy"
  done
fi

log "kernel variants of the seed model's chain (each checked against kernel 0): 10^6 and 10^3 chains"
if fits 150; then
  timeout 60 ./build-gpu/benchmarks/seed_step_kernels all --chains 1000000 --steps 1000 --repeat 3
  echo "seed_step_kernels exit status: $?"
  timeout 60 ./build-gpu/benchmarks/seed_step_kernels all --chains 1000 --steps 1000 --repeat 3 \
    | tail -7
  # The instruction mix per kernel (the notes predict it: loads per hidden unit, constant
  # operands).
  timeout 20 cuobjdump -sass build-gpu/benchmarks/seed_step_kernels 2>/dev/null \
    >"$details/seed_step_kernels.sass"
  for k in kernel0 kernel1 kernel2 kernel3 kernel4; do
    echo "$k: $(instruction_mix "$details/seed_step_kernels.sass" "$k" 6)"
  done
fi

log "demo on the GPU"
fits 60 && timeout 60 ./build-gpu/langevin demo --out build-gpu/demo --backend cuda | tail -14

log "profile of the seed model's kernels (ncu, clocks left alone): 10^6 and 10^3 chains"
# Where the time goes when a target is missed. PROFILE=0 skips it.
if [ "${PROFILE:-1}" = 1 ] && command -v ncu >/dev/null && fits 90; then
  for n in 1000000 1000; do
    timeout 40 ncu --clock-control none --kernel-name regex:'[Hh]inge' --launch-count 1 \
      --section SpeedOfLight --section ComputeWorkloadAnalysis --section Occupancy \
      --section WarpStateStats --section LaunchStats --section InstructionStats \
      ./build-gpu/benchmarks/sampler_benchmark --backend cuda --chains $n --steps 200 \
      --repeat 1 --ceilings none >"$details/ncu_seed_model_$n.txt" 2>&1
    echo "-- $n chains"
    grep -E "Compute \(SM\) Throughput|Issue Slots Busy|Executed Ipc A|Achieved Occupancy|Registers Per|One or More Eligible|Stall (Long|Short|Wait|Math|Not Sel|Barrier|MIO)" \
      "$details/ncu_seed_model_$n.txt" | head -14
  done
else
  echo "skipped (no ncu, PROFILE=0, or too little of the budget left)"
fi

log "large runs: 10^6 ... 10^8 chains summarised in chunks (100 updates; time linear in chains)"
if fits 60; then
  timeout 60 ./build-gpu/benchmarks/sampler_benchmark --backend cuda --chains 1000 --steps 100 \
    --repeat 1 --ceilings none --summary 1000000,10000000,100000000 \
    | grep -E "summary|^\| backend|^\|---"
fi

log "compute-sanitizer over the CPU-vs-GPU tests (memcheck, racecheck), time-boxed"
# Slow (10-100x): the small CPU-vs-GPU suites only; SANITIZE=0 skips it.
if [ "${SANITIZE:-1}" = 1 ] && command -v compute-sanitizer >/dev/null && fits 130; then
  for tool in memcheck racecheck; do
    timeout 60 compute-sanitizer --tool "$tool" --error-exitcode 3 \
      ./build-gpu/tests/langevin_tests \
      --gtest_filter='*CpuGpu*:HingeGpu*:ScalarExactGpu*:CApiGpu*:CheckpointResumeGpu*:SummaryGpu*:SampleSummaryGpu*:SplitGpu*:StatsOnGpu*:Likelihood.CpuAndGpu*' \
      >"$details/sanitizer_$tool.log" 2>&1
    echo "$tool: exit $? ($(grep -c "ERROR SUMMARY: 0 errors" "$details/sanitizer_$tool.log") clean summaries;" \
         "124 = time limit)"
  done
else
  echo "skipped (no compute-sanitizer, SANITIZE=0, or too little of the budget left)"
fi

log "benchmark grid: d in {1,2,16} x width {64,256,1024} x depth 1-3, 10^5 chains, equal work"
if fits 90; then
  timeout 90 ./build-gpu/benchmarks/sampler_benchmark --backend cuda \
    --chains 100000 --steps 100 --repeat 1 --grid --ceilings none | grep -v "gmm"
fi

log "annealed demos on the GPU: demo --annealed and the 2-D ring, against their thresholds"
if fits 100; then
  LANGEVIN=build-gpu/langevin timeout $(( $(left) - 40 )) scripts/check_annealing --backend cuda 2>&1 \
    | grep -E "^(ok|FAIL) |^\| (training|annealed|plain|weight|KS)"
fi

log "summary: the seed model on the GPU (1000 steps, final states) and training, peers beside"
{
  echo "| who | chains | chain-steps/s | of FMA ceiling |"
  echo "|---|---:|---:|---:|"
  awk -F'|' '$2 ~ /cuda/ && $3 ~ /--model/ && $6 ~ /final/ {
    who = $3 ~ /layered/ ? "langevin, layered pass" : "langevin"
    gsub(/ /, "", $4); gsub(/ /, "", $8); gsub(/^ +| +$/, "", $10)
    print "| " who " | " $4 " | " $8 " | " $10 " |" }' "$out/gpu_check.log" | sort -u -t'|' -k2,3
  awk -F'|' '/^\| (jax|torch)/ && $8 ~ /final/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $6);
    gsub(/ /, "", $10); print "| " $2 " | " $6 " | " $10 " | |" }' "$out/gpu_check.log"
  echo
  echo "| who | 1 200 iterations, seconds |"
  echo "|---|---:|"
  awk -F'|' '$2 ~ /cuda/ && $3 ~ /1200 iterations/ { gsub(/ /, "", $4); print "| langevin | " $4 " |" }' \
    "$out/gpu_check.log"
  awk -F'|' '/^\| (jax|torch)/ && $5 ~ /1200/ { gsub(/^ +| +$/, "", $2); gsub(/ /, "", $6);
    print "| " $2 " | " $6 " |" }' "$out/gpu_check.log"
}
echo "ctest status: $ctest_status (skipped: $skipped); exit status $status; total $(( $(date +%s) - started )) s"
exit $status
