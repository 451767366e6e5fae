"""Underdamped Langevin beside ULA and MALA on an ill-conditioned Gaussian (docs/SAMPLERS.md,
"Underdamped Langevin"): N(0, diag(s²)) in d = 2 with s = (s_min, 1), condition number
κ = 1/s_min², every chain started at (5 s_min, 5). For each method and step size, the fewest
updates (from a doubling grid) after which the chains' mean is within 0.01 s_j of 0 and their
variance within 2 % of s_j² in every coordinate (100 000 chains: the variance's standard error is
0.45 %), and the seconds that run took on the CPU. ULA's variance is biased by its step
(s²/(1 − ε/2s²)), so only steps below ~0.04 s_min² can meet the 2 %; MALA is unbiased and mixes
at ε ~ s_min²; BAOAB's positions are exact on a Gaussian at any stable step (h < 2 s_min), and
its friction damps the slow mode at γ ~ 2/s_max.

    PYTHONPATH=build/python build/venv/bin/python benchmarks/kinetic.py [--kappa 100]
    PYTHONPATH=build/python build/venv/bin/python benchmarks/kinetic.py --modes

`--modes` instead samples the seed notebook's two modes (examples/data/two_modes.json, weight
2/3 at −5) with each method's defaults from N(0, 1), 20 000 chains, and prints the share of
chains left of 0.5 (between the modes): what each method's 2 000 default updates leave of the
initial basins' weights.
"""
import argparse
import math
import sys
import time

import numpy as np

import langevin

CHAINS = 100000


def reaches(x, stds):
    mean_ok = all(abs(x[:, j].mean()) < 0.01 * s for j, s in enumerate(stds))
    var_ok = all(abs(x[:, j].var() / (s * s) - 1.0) < 0.02 for j, s in enumerate(stds))
    return mean_ok and var_ok


def fewest_updates(target, stds, most, **settings):
    """The first N in 2^k (k ≥ 3) whose run meets the accuracy, its seconds and acceptance."""
    init = np.tile(np.array([5.0 * stds[0], 5.0 * stds[1]], dtype=np.float32), (CHAINS, 1))
    steps = 8
    while steps <= most:
        start = time.perf_counter()
        sampler = langevin.Sampler(target, chains=CHAINS, steps=steps, init=init, seed=1,
                                   backend="cpu", **settings)
        x = sampler.run()
        seconds = time.perf_counter() - start
        if reaches(x, stds):
            return steps, seconds, sampler.acceptance_rate
        steps *= 2
    return None, None, None


def modes():
    import os
    target = langevin.load_gmm(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                            "examples", "data", "two_modes.json"))
    def normal_cdf(z):
        return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
    exact = (2.0 / 3.0) * normal_cdf((0.5 + 5.0) / 3.0) + (1.0 / 3.0) * normal_cdf(0.5 - 6.0)
    print("the seed's two modes, 20 000 chains from N(0, 1), defaults (2 000 updates); "
          f"exact share left of 0.5: {exact:.3f}")
    print("| method | share left of 0.5 | mean (exact -1.333) |")
    print("|---|---|---|")
    runs = [("ula (ε = 0.005)", dict(method="ula"))]
    runs += [(f"underdamped (h = 0.1), γ = {f}", dict(method="underdamped", friction=f))
             for f in (0.25, 1.0, 2.0)]
    for name, settings in runs:
        x = langevin.sample(target, chains=20000, seed=1, backend="cpu", **settings)[:, 0]
        print(f"| {name} | {(x < 0.5).mean():.3f} | {x.mean():.3f} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kappa", type=float, default=100.0)
    parser.add_argument("--most", type=int, default=1 << 17)
    parser.add_argument("--modes", action="store_true")
    args = parser.parse_args()
    if args.modes:
        return modes()
    s_min = 1.0 / math.sqrt(args.kappa)
    stds = (s_min, 1.0)
    target = langevin.GaussianMixture([1.0], [[0.0, 0.0]], [list(stds)])
    runs = []
    for ratio in (0.02, 0.04):
        runs.append((f"ula ε = {ratio} s_min²", dict(method="ula", epsilon=ratio * s_min ** 2)))
    for ratio in (0.5, 1.0, 1.5):
        runs.append((f"mala ε = {ratio} s_min²", dict(method="mala", epsilon=ratio * s_min ** 2)))
    for ratio in (0.5, 1.0, 1.5):
        for friction in (1.0, 2.0):
            runs.append((f"underdamped h = {ratio} s_min, γ = {friction}",
                         dict(method="underdamped", epsilon=ratio * s_min, friction=friction)))
    print(f"κ = {args.kappa:g} (s = {s_min:.4g}, 1), {CHAINS} chains from (5 s_min, 5); "
          f"langevin {langevin.__version__}")
    print("| method | updates to 1 % mean, 2 % variance | seconds | acceptance |")
    print("|---|---|---|---|")
    for name, settings in runs:
        steps, seconds, rate = fewest_updates(target, stds, args.most, **settings)
        if steps is None:
            print(f"| {name} | > {args.most} | | |")
            continue
        accept = "" if math.isnan(rate) else f"{rate:.2f}"
        print(f"| {name} | {steps} | {seconds:.2f} | {accept} |")
        sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
