#!/usr/bin/env python3
"""Full batch or mini-batches: which reaches the lower held-out loss in the same time?

For data sets of N rows (a 2-D three-component mixture, N = 2 048 … 131 072), `langevin train`
with the default optimiser (Adam) twice: over the full batch, and over mini-batches of 2 048
rows with N / 2 048 times the iterations, so that both compute the same number of row
evaluations (the same time, to the per-iteration overheads, which are measured). A validation
split (10 %, the same rows in both runs) scores the trained model. The row count above which
mini-batches win is the library's default (TrainConfig::batch).

  batch_default.py --tool build/langevin [--rows 2048,8192,32768,131072] [--work R]
                   [--loss ncsn] [--seeds 0,1]

--work R: row evaluations per run (default 2.5e7: 12 207 mini-batch iterations; at 2 threads on
the development machine ~15 s a run for 2 → 128 → 128 → 2). Prints one Markdown table.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

BATCH = 2048
COMPONENTS = (((-4.0, 0.0), 1.0, 0.5), ((3.0, 3.0), 0.7, 0.3), ((3.0, -3.0), 0.5, 0.2))


def mixture_rows(rows, seed):
    """`rows` draws of a 2-D mixture of isotropic Gaussians (centre, std, weight)."""
    rng = np.random.default_rng(seed)
    weights = np.array([w for _, _, w in COMPONENTS])
    labels = rng.choice(len(COMPONENTS), size=rows, p=weights / weights.sum())
    centres = np.array([c for c, _, _ in COMPONENTS])[labels]
    stds = np.array([s for _, s, _ in COMPONENTS])[labels][:, None]
    return (centres + stds * rng.normal(size=(rows, 2))).astype(np.float32)


def train(tool, data, out, batch, iterations, loss, seed, threads):
    command = [tool, "train", "--data", data, "--out", out, "--loss", loss, "--hidden", "128,128",
               "--activation", "silu", "--batch", str(batch), "--iters", str(iterations),
               "--validation", "0.1", "--seed", str(seed), "--backend", "cpu", "--json"]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"batch_default: {' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tool", required=True)
    parser.add_argument("--rows", default="2048,8192,32768,131072")
    parser.add_argument("--work", type=float, default=2.5e7)
    parser.add_argument("--loss", default="ncsn")
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print(f"# batch_default: {args.loss}, 2 -> 128 -> 128 -> 2 SiLU, Adam at its default rate, "
          f"{args.work:.3g} row evaluations a run, validation 0.1, {args.threads} threads")
    print("| rows | seed | full batch: iterations | seconds | held-out loss | "
          f"batch {BATCH}: iterations | seconds | held-out loss | lower |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    with tempfile.TemporaryDirectory() as directory:
        out = os.path.join(directory, "model.safetensors")
        for rows in [int(r) for r in args.rows.split(",")]:
            for seed in [int(s) for s in args.seeds.split(",")]:
                data = os.path.join(directory, f"rows_{rows}_{seed}.npy")
                np.save(data, mixture_rows(rows, 100 + seed))
                trained_rows = rows - int(0.1 * rows)  # about: the held-out rows are left out
                full_iterations = max(1, round(args.work / trained_rows))
                mini_iterations = max(1, round(args.work / BATCH))
                full = train(args.tool, data, out, 0, full_iterations, args.loss, seed,
                             args.threads)
                mini = train(args.tool, data, out, BATCH, mini_iterations, args.loss, seed,
                             args.threads)
                lower = "mini-batches" if mini["validation_loss"] < full["validation_loss"] \
                    else "full batch"
                print(f"| {rows} | {seed} | {full_iterations} | {full['seconds']:.2f} | "
                      f"{full['validation_loss']:.5f} | {mini_iterations} | "
                      f"{mini['seconds']:.2f} | {mini['validation_loss']:.5f} | {lower} |",
                      flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
