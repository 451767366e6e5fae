"""Training's defaults for noise-conditional models (docs/PERFORMANCE.md, "Training's defaults"):
what `langevin train --data X --loss ncsn` with no other option must give, measured on 8 000
rows of the data sets of benchmarks/annealed_defaults.py (1-D two modes, a 2-D three-component
mixture, the 2-D ring of 8, a 10-D three-component mixture), each model sampled by annealed
Langevin with the sampler's defaults (initial states N(0, σ₁² I), α_i = 0.1 σ_i², `--steps`
updates a level), 20 000 chains against 20 000 held-out rows. Each cell: the worst
component-weight error / the largest per-coordinate Kolmogorov–Smirnov distance. The tolerance
is 0.03 / 0.03; exact draws of the mixture score about 0.005 / 0.015 (the `floor` table), so
the numbers above that are the model's and the sampler's.

    PY="env PYTHONPATH=build/python build/venv/bin/python"
    $PY benchmarks/training_defaults.py floor [SEED]          # the sampler with the exact score
    $PY benchmarks/training_defaults.py train NAME [--steps T] SEED...   # a candidate, below
    $PY benchmarks/training_defaults.py torch [--steps T] SEED...        # PyTorch, same budget

`--only 2-D three,10-D` keeps the data sets whose names start so.

`floor` samples each mixture annealed over its own convolutions with the noise levels a model
would have (10 or 20 geometric levels 10 → 0.01): the error the sampler's step ratio r and
steps a level T leave with a perfect score. `train defaults` is `langevin.train(data,
loss="ncsn")` with no other option; the other candidates change one setting at a time. `torch`
trains the same network, loss, levels, optimiser, batch, iterations and weight average in
PyTorch eager (its own initialisation), loads the state dict with Mlp.from_state_dict and
samples it with the same sampler.
"""
import os
import sys
import time

import numpy as np

import langevin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from annealed_defaults import DATA_SETS, quality  # noqa: E402

ROWS, HELD_OUT, CHAINS = 8000, 20000, 20000
LEVELS_20 = list(langevin.geometric_noise_levels(10.0, 0.01, 20))
LEVELS_10 = list(langevin.geometric_noise_levels(10.0, 0.01, 10))
NCSN = dict(hidden=[128, 128], activation="silu", iterations=24000, ema=0.999)
CANDIDATES = {
    "defaults": {},
    # The defaults before this sweep: the exact loss's network and budget, 10 levels, full batch.
    "before": dict(hidden=[1024], activation="relu", iterations=1200, ema=0.0, batch=0,
                   sigmas=LEVELS_10),
    "ncsn-10-levels": dict(NCSN, sigmas=LEVELS_10),
    "ncsn-12000": dict(NCSN, iterations=12000),
    "ncsn-batch-1024": dict(NCSN, batch=1024),
    "ncsn-full-batch": dict(NCSN, batch=0, iterations=6000),  # 8 000 rows: the same work
    "ncsn-no-ema": dict(NCSN, ema=0.0),
    "ncsn-cosine": dict(NCSN, schedule="cosine"),
    "ncsn-256": dict(NCSN, hidden=[256, 256]),
}


def split(mixture, seed):
    data = mixture.draw(ROWS, seed=seed)
    held = mixture.draw(HELD_OUT, seed=1000 + seed)
    if data.shape[1] == 1:
        data, held = data[:, 0], held[:, 0]
    return data, held


def floor(seed):
    print(f"Exact score, seed {seed}: worst weight error / largest KS "
          f"({CHAINS} chains, {HELD_OUT} held-out rows)")
    for name, mixture in DATA_SETS.items():
        _, held = split(mixture, seed)
        print(f"  exact draws of {name}: %.3f / %.3f" % quality(
            split(mixture, 2000 + seed)[1], held, mixture), flush=True)
    steps = (50, 100, 200, 500)
    for levels in (LEVELS_10, LEVELS_20):
        print(f"\n{len(levels)} levels 10 → 0.01")
        print("| data set | r | " + " | ".join(f"T = {t}" for t in steps) + " |")
        print("|---" * (len(steps) + 2) + "|")
        for name, mixture in DATA_SETS.items():
            _, held = split(mixture, seed)
            for r in (0.03, 0.1, 0.3):
                cells = []
                for t in steps:
                    x = langevin.sample(mixture, chains=CHAINS, seed=seed, backend="cpu",
                                        sigmas=levels, steps=t, epsilon=r * levels[-1] ** 2,
                                        init_std=levels[0])
                    cells.append("%.3f / %.3f" % quality(x, held, mixture))
                print(f"| {name} | {r:g} | " + " | ".join(cells) + " |", flush=True)


def report(label, rows, seconds):
    worst = max(w for w, _ in rows), max(k for _, k in rows)
    print(f"| {label} | " + " | ".join("%.3f / %.3f" % row for row in rows) +
          " | **%.3f / %.3f** | %.1f |" % (*worst, np.median(seconds)), flush=True)


def header(title, seeds):
    print(f"\n{title}: worst weight error / largest KS per seed, worst, median training seconds")
    print("| data set | " + " | ".join(f"seed {s}" for s in seeds) + " | worst | s |")
    print("|---" * (len(seeds) + 3) + "|")


def evaluate(make_model, seeds, steps):
    """Each data set's row: make_model(data, seed) trained and timed, then sampled."""
    for data_name, mixture in DATA_SETS.items():
        rows, seconds = [], []
        for seed in seeds:
            data, held = split(mixture, seed)
            started = time.perf_counter()
            model = make_model(data, seed)
            seconds.append(time.perf_counter() - started)
            x = langevin.sample(model, chains=CHAINS, seed=seed, steps=steps, backend="cpu")
            rows.append(quality(x, held, mixture))
        report(data_name, rows, seconds)


def train(name, seeds, steps):
    config = CANDIDATES[name]
    header(f"langevin train, {name} {config or '(no option but loss=ncsn)'}, "
           f"sampled with {steps or 'the default'} steps a level", seeds)
    evaluate(lambda data, seed: langevin.train(data, loss="ncsn", seed=seed, **config).model,
             seeds, steps)


def torch_model(data, seed):
    """NCSN training in PyTorch eager with the library's ncsn defaults; returns an Mlp."""
    import torch
    torch.manual_seed(seed)
    x_all = torch.from_numpy(data.reshape(len(data), -1).astype(np.float32))
    rows, dim = x_all.shape
    widths = [dim + 1] + NCSN["hidden"]
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        layers += [torch.nn.Linear(fan_in, fan_out), torch.nn.SiLU()]
    net = torch.nn.Sequential(*layers, torch.nn.Linear(widths[-1], dim))
    average = {k: v.detach().clone() for k, v in net.state_dict().items()}
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    sigmas = torch.tensor(LEVELS_20, dtype=torch.float32)
    batch, mu = 2048, NCSN["ema"]
    for k in range(1, NCSN["iterations"] + 1):
        x = x_all[torch.randint(rows, (batch,))]
        z = torch.randn(batch, dim)
        sigma = sigmas[torch.randint(len(LEVELS_20), (batch,))].unsqueeze(1)
        out = net(torch.cat([x + sigma * z, sigma.log()], dim=1))
        loss = 0.5 * (out + z).square().sum(dim=1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        decay = min(mu, (1.0 + k) / (10.0 + k))  # the library's warmed-up average
        with torch.no_grad():
            for key, value in net.state_dict().items():
                average[key].mul_(decay).add_(value, alpha=1.0 - decay)
    return langevin.Mlp.from_state_dict({k: v.numpy() for k, v in average.items()},
                                        activation="silu", sigmas=LEVELS_20)


def torch_peer(seeds, steps):
    import torch
    torch.set_num_threads(os.cpu_count())
    header(f"PyTorch {torch.__version__.split('+')[0]} eager, the same network, loss, levels, "
           f"Adam, batch, iterations and average, sampled by langevin with "
           f"{steps or 'the default'} steps a level", seeds)
    evaluate(torch_model, seeds, steps)


def main(argv):
    mode, args = argv[0], argv[1:]
    steps = 0
    if "--steps" in args:
        at = args.index("--steps")
        steps = int(args[at + 1])
        del args[at:at + 2]
    if "--only" in args:
        at = args.index("--only")
        prefixes = args[at + 1].split(",")
        del args[at:at + 2]
        for name in list(DATA_SETS):
            if not any(name.startswith(p) for p in prefixes):
                del DATA_SETS[name]
    if mode == "floor":
        floor(int(args[0]) if args else 0)
    elif mode == "train":
        train(args[0], [int(s) for s in args[1:]], steps)
    elif mode == "torch":
        torch_peer([int(s) for s in args], steps)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
