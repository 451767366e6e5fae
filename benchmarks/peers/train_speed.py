#!/usr/bin/env python3
"""Training speed side by side: the library (`training_benchmark --network`) and PyTorch eager
(train_torch.py), and JAX where given (train_jax.py), on the same general networks, rows,
batch and threads, in one run.

Each SPEC runs --rounds times per peer, the peers alternated (library first in even rounds,
torch first in odd ones), each run its own process; the summary takes the medians. The FMA
ceiling comes from `ceiling_benchmark cpu`, run before and after. When the environment sets
OPENBLAS_CORETYPE (it picks OpenBLAS's kernels, `langevin info` shows which), the library also
runs with it unset, OpenBLAS choosing for the CPU: both rows are printed.

  train_speed.py --build build [--python PY] [--jax-python PY] [--threads 2] [--rounds 3]
                 [--network D:SPEC ...]

--jax-python: a Python with JAX; train_jax.py (the same networks, one jitted iteration) then
runs as a third peer.

Writes the raw rows as they come, then the summary table (Markdown) to stdout.
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as common  # noqa: E402

ROWS = 8192
# (d, SPEC): widths 64–512, depth 2 and 3, every activation, ncsn and dsm, batches 512–8192.
GRID = [
    (2, "hidden=64x64,activation=silu,loss=ncsn,batch=2048,iterations=1000"),
    (2, "hidden=128x128,activation=silu,loss=ncsn,batch=2048,iterations=600"),
    (2, "hidden=256x256,activation=silu,loss=ncsn,batch=2048,iterations=200"),
    (2, "hidden=512x512,activation=silu,loss=ncsn,batch=2048,iterations=60"),
    (2, "hidden=128x128x128,activation=silu,loss=ncsn,batch=2048,iterations=400"),
    (2, "hidden=512x512x512,activation=silu,loss=ncsn,batch=2048,iterations=30"),
    (2, "hidden=128x128,activation=relu,loss=ncsn,batch=2048,iterations=600"),
    (2, "hidden=128x128,activation=tanh,loss=ncsn,batch=2048,iterations=600"),
    (2, "hidden=128x128,activation=softplus,loss=ncsn,batch=2048,iterations=600"),
    (2, "hidden=128x128,activation=silu,loss=dsm,batch=2048,iterations=600"),
    (2, "hidden=256x256x256,activation=tanh,loss=dsm,batch=2048,iterations=100"),
    (2, "hidden=128x128,activation=silu,loss=ncsn,batch=512,iterations=2000"),
    (2, "hidden=128x128,activation=silu,loss=ncsn,batch=8192,iterations=150"),
    (10, "hidden=128x128,activation=silu,loss=ncsn,batch=2048,iterations=600"),
    (10, "hidden=256x256x256,activation=silu,loss=ncsn,batch=2048,iterations=100"),
]


def write_data(directory, dim):
    """ROWS rows of a two-component mixture in `dim` dimensions (speed does not depend on them)."""
    import numpy as np
    rng = np.random.default_rng(dim)
    centres = rng.normal(0.0, 3.0, size=(2, dim))
    labels = rng.integers(0, 2, size=ROWS)
    rows = centres[labels] + rng.normal(size=(ROWS, dim))
    path = os.path.join(directory, f"rows_d{dim}.npy")
    np.save(path, rows.astype(np.float32))
    return path


def run_row(command, env):
    """Run one peer; its last output line is its row, split into cells."""
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"train_speed: {' '.join(command)} failed ({done.returncode}):\n"
                         f"{done.stderr}")
    line = done.stdout.strip().splitlines()[-1]
    print(line, flush=True)
    return [cell.strip() for cell in line.strip("|").split("|")]


def ceiling(build, env):
    done = subprocess.run([os.path.join(build, "benchmarks", "ceiling_benchmark"), "cpu"],
                          env=env, capture_output=True, text=True, check=True)
    for line in done.stdout.splitlines():
        print(f"# {line}")
        if "FMA" in line:
            return float(line.split("|")[2].split()[0])
    raise SystemExit("train_speed: ceiling_benchmark printed no FMA ceiling")


def main():
    parser = common.new_parser(__doc__)
    parser.add_argument("--build", required=True, help="the library's build directory")
    parser.add_argument("--python", default=sys.executable, help="a Python with torch")
    parser.add_argument("--jax-python", help="a Python with JAX: train_jax.py runs too")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--network", action="append", metavar="D:SPEC",
                        help="instead of the grid: d, a colon, a SPEC (repeatable)")
    args = parser.parse_args()
    grid = GRID
    if args.network:
        grid = [(int(item.split(":", 1)[0]), item.split(":", 1)[1]) for item in args.network]

    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    library_envs = [("environment's", env)]
    if coretype is not None:
        unset = dict(env)
        del unset["OPENBLAS_CORETYPE"]
        library_envs = [(f"OPENBLAS_CORETYPE={coretype}", env), ("OpenBLAS's choice", unset)]
    benchmark = os.path.join(args.build, "benchmarks", "training_benchmark")
    here = os.path.dirname(os.path.abspath(__file__))
    torch_peer = os.path.join(here, "train_torch.py")
    jax_peer = os.path.join(here, "train_jax.py")

    print(f"# train_speed: {args.threads} threads, {args.rounds} rounds, {ROWS} rows; CPU "
          f"{common.cpu_model()}; {common.today()}")
    info = subprocess.run([os.path.join(args.build, "langevin"), "info"], env=env,
                          capture_output=True, text=True).stdout
    for line in info.splitlines():
        if "GEMMs" in line or "note:" in line:
            print(f"# langevin info: {line.strip()}")
    peak = ceiling(args.build, env)
    print("| peer | device | network | rows | d | seconds | s / iteration | GFLOP/s |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    times = {}
    with tempfile.TemporaryDirectory() as directory:
        data = {dim: write_data(directory, dim) for dim in sorted({d for d, _ in grid})}
        for round_index in range(args.rounds):
            for dim, spec in grid:
                runs = [(label, [benchmark, "--backend", "cpu", "--network", spec, "--data",
                                 data[dim]], library_env) for label, library_env in library_envs]
                runs.append(("torch", [args.python, torch_peer, "--network", spec, "--data",
                                       data[dim], "--threads", str(args.threads)], env))
                if args.jax_python:
                    runs.append(("jax", [args.jax_python, jax_peer, "--network", spec, "--data",
                                         data[dim], "--threads", str(args.threads)], env))
                if round_index % 2 == 1:
                    runs.reverse()
                for label, command, run_env in runs:
                    cells = run_row(command, run_env)
                    times.setdefault((dim, spec, label), []).append(
                        (float(cells[6]), float(cells[7])))
    peak_after = ceiling(args.build, env)
    # A ceiling is a maximum: a reading lowered by another process on the machine is discarded.
    peak = max(peak, peak_after)

    print(f"\n## Summary: medians of {args.rounds} runs; ceiling {peak:.1f} GFLOP/s (the higher "
          f"of the readings before and after)\n")
    labels = [label for label, _ in library_envs]
    columns = ["d", "network", "torch ms / it."] + (["jax ms / it."] if args.jax_python else [])
    for label in labels:
        columns += [f"langevin ms / it. ({label})", "× torch"] + \
            (["× jax"] if args.jax_python else []) + ["GFLOP/s", "% of ceiling"]
    rows = []
    for dim, spec in grid:
        torch_time = common.median([t for t, _ in times[(dim, spec, "torch")]])
        row = [dim, spec.rsplit(",iterations", 1)[0], f"{torch_time * 1e3:.3f}"]
        if args.jax_python:
            jax_time = common.median([t for t, _ in times[(dim, spec, "jax")]])
            row.append(f"{jax_time * 1e3:.3f}")
        for label in labels:
            library = times[(dim, spec, label)]
            seconds = common.median([t for t, _ in library])
            gflops = common.median([g for _, g in library])
            row += [f"{seconds * 1e3:.3f}", f"{torch_time / seconds:.2f}"]
            if args.jax_python:
                row.append(f"{jax_time / seconds:.2f}")
            row += [f"{gflops:.1f}", f"{100 * gflops / peak:.0f} %"]
        rows.append(row)
    common.print_table(columns, rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
