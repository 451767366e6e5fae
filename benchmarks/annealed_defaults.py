"""The step size and steps per level of annealed Langevin dynamics on noise-conditional models
(docs/PERFORMANCE.md, "Annealed sampling's defaults"): models trained with what `langevin train
--loss ncsn` did with no other option until "Training's defaults" (benchmarks/training_defaults.py)
replaced it (a 1 024-wide ReLU layer, 1 200 full-batch Adam iterations, 10 levels), on 8 000 rows of data sets of different shapes, then sampled
with α_i = r σ_i² at level i (ε = r σ_L² in SamplerConfig's terms) for T updates per level,
initial states N(0, σ₁² I), with the final denoising step. Each cell: the worst
component-weight error against the mixture's weights / the largest per-coordinate
Kolmogorov–Smirnov distance to 8 000 held-out rows, over 4 000 chains.

    PYTHONPATH=build/python build/venv/bin/python benchmarks/annealed_defaults.py sweep [SEED]
    PYTHONPATH=build/python build/venv/bin/python benchmarks/annealed_defaults.py defaults SEED...

`defaults` trains that model and samples it with the sampler's defaults and prints the same two
numbers.
"""
import sys

import numpy as np

import langevin


def ten_dimensional():
    means = [[-2.0] * 10, [2.0] * 5 + [-1.0] * 5, [0.0, 3.0] * 5]
    stds = [[0.7] * 10, [0.5] * 10, [1.0, 0.6] * 5]
    return langevin.GaussianMixture([0.5, 0.3, 0.2], means, stds)


DATA_SETS = {
    "1-D two modes": langevin.load_gmm("examples/data/two_modes.json"),
    "2-D three components": langevin.GaussianMixture(
        [0.5, 0.3, 0.2], [[-3, 0], [2, 2], [2, -3]], [[1, 0.5], [0.6, 0.6], [0.8, 1.2]]),
    "2-D ring of 8": langevin.load_gmm("examples/data/ring8.json"),
    "10-D three components": ten_dimensional(),
}
RATIOS = (0.01, 0.03, 0.1, 0.3, 1.0)
STEPS = (20, 50, 100, 200)


def quality(samples, held, mixture):
    compared = langevin.compare(samples, held, mixture=mixture)
    weights = max(abs(a - b) for a, b in zip(compared.component_weights_a, mixture.weights))
    return weights, max(compared.ks)


def trained(mixture, seed):
    data = mixture.draw(8000, seed=seed)
    held = mixture.draw(8000, seed=1000 + seed)
    if data.shape[1] == 1:
        data, held = data[:, 0], held[:, 0]
    # The training defaults of that sweep (before "Training's defaults"): 10 levels 10 → 0.01.
    model = langevin.train(data, loss="ncsn", seed=seed, hidden=[1024], activation="relu",
                           iterations=1200, ema=0.0, batch=0,
                           sigmas=langevin.geometric_noise_levels(10.0, 0.01, 10)).model
    return model, held


def sweep(seed):
    for name, mixture in DATA_SETS.items():
        model, held = trained(mixture, seed)
        levels = model.noise_levels
        print(f"\n{name} (seed {seed}; levels {levels[0]:g} → {levels[-1]:g}, {len(levels)}): "
              "worst weight error / largest KS")
        print("| r \\ T | " + " | ".join(str(t) for t in STEPS) + " |")
        print("|---" * (len(STEPS) + 1) + "|")
        for r in RATIOS:
            cells = []
            for steps in STEPS:
                try:
                    x = langevin.sample(model, chains=4000, steps=steps,
                                        epsilon=r * levels[-1] ** 2, init_std=levels[0],
                                        denoise=True, seed=seed, backend="cpu")
                    cells.append("%.3f / %.3f" % quality(x, held, mixture))
                except RuntimeError as error:  # diverged
                    cells.append("diverged" if "diverged" in str(error) else str(error))
            print(f"| {r:g} | " + " | ".join(cells) + " |", flush=True)


def defaults(seeds):
    for name, mixture in DATA_SETS.items():
        rows = []
        for seed in seeds:
            model, held = trained(mixture, seed)
            x = langevin.sample(model, chains=4000, seed=seed, backend="cpu")
            rows.append(quality(x, held, mixture))
        worst = max(w for w, _ in rows), max(k for _, k in rows)
        print(f"{name}: " + ", ".join("%.3f / %.3f" % row for row in rows) +
              "   worst %.3f / %.3f" % worst, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "sweep":
        sweep(int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    else:
        defaults([int(s) for s in sys.argv[2:]])
