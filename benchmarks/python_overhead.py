"""The Python call's overhead against the C++ call on the same run (docs/PERFORMANCE.md,
"Python"): langevin.sample(...) against C++ sample(), and a reused Sampler's run(out=...)
against run_into_host(), on the CPU backend, from one chain and step to a million chains. The
C++ binary (call_overhead) and the Python calls alternate, ROUNDS times; each reports medians.

    PYTHONPATH=build/python build/venv/bin/python benchmarks/python_overhead.py \
        --call-overhead build/benchmarks/call_overhead [--rounds 3] [--repeats 9]
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import time

import numpy as np

import langevin

RUNS = ["1x1", "1000x100", "100000x100", "1000000x20"]
TARGET = pathlib.Path(__file__).resolve().parents[1] / "examples" / "data" / "two_modes.json"


def median_seconds(repeats, call):
    seconds = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        seconds.append(time.perf_counter() - start)
    return statistics.median(seconds)


def python_round(target, repeats):
    result = {}
    for run in RUNS:
        chains, steps = map(int, run.split("x"))
        config = dict(chains=chains, steps=steps, backend="cpu")
        one_call = median_seconds(repeats, lambda: langevin.sample(target, **config))
        sampler = langevin.Sampler(target, **config)
        out = np.empty((chains, target.dim), dtype=np.float32)
        reused = median_seconds(repeats, lambda: sampler.run(out=out))
        result[run] = {"sample": one_call, "reuse": reused}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--call-overhead", required=True, help="the C++ benchmark binary")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    target = langevin.load_gmm(str(TARGET))
    cpp, python = [], []
    for _ in range(args.rounds):
        done = subprocess.run([args.call_overhead, str(TARGET), str(args.repeats), *RUNS],
                              capture_output=True, text=True, check=True)
        cpp.append(json.loads(done.stdout))
        python.append(python_round(target, args.repeats))

    def best(rounds, run, kind):
        return min(r[run][kind] for r in rounds)  # the least disturbed round

    print(f"langevin {langevin.__version__}, CPU backend, two_modes.json, best of {args.rounds} "
          f"alternated rounds of {args.repeats}-call medians\n")
    print("| chains × steps | C++ sample() | Python sample() | overhead | C++ reused run | "
          "Python reused run(out=) | overhead |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for run in RUNS:
        c1, p1 = best(cpp, run, "sample"), best(python, run, "sample")
        c2, p2 = best(cpp, run, "reuse"), best(python, run, "reuse")
        print(f"| {run.replace('x', ' × ')} | {c1 * 1e3:.3f} ms | {p1 * 1e3:.3f} ms | "
              f"{(p1 - c1) * 1e6:+.0f} µs ({p1 / c1:.2f}×) | {c2 * 1e3:.3f} ms | {p2 * 1e3:.3f} ms | "
              f"{(p2 - c2) * 1e6:+.0f} µs ({p2 / c2:.2f}×) |")


if __name__ == "__main__":
    main()
