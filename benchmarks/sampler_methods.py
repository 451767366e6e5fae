"""The sampling methods side by side (docs/SAMPLERS.md): predictor–corrector's settings, the
probability-flow ODE, annealed Langevin. Each mixture of benchmarks/annealed_defaults.py
sampled with its *exact* noise-conditional score (annealed over
its convolutions with N(0, σ² I), 20 geometric levels 10 → 0.01, initial states N(0, σ₁² I),
denoised), so that the errors are the sampler's alone; 20 000 chains against 20 000 exact draws.
Each cell: the worst component-weight error / the largest per-coordinate Kolmogorov–Smirnov
distance, and the score evaluations a chain makes (levels × steps × (corrector steps + 1)).
Exact draws of the mixtures score about 0.005 / 0.013 against the same held-out rows.

    PY="env PYTHONPATH=build/python build/venv/bin/python"
    $PY benchmarks/sampler_methods.py sweep [SEED]     # steps a level × corrector steps, snr 0.16
    $PY benchmarks/sampler_methods.py snr [SEED]       # the signal-to-noise ratio and the norms
    $PY benchmarks/sampler_methods.py compare [SEED]   # annealed Langevin beside pc, with seconds
    $PY benchmarks/sampler_methods.py trained DEMO_DIR [SEED]   # trained models (below)

`trained` compares the same samplers on trained models: the annealed demo's (`langevin demo
--annealed --out DEMO_DIR` saves it, with the seed notebook's data) against 20 000 exact draws
of the seed's mixture, and `train --loss ncsn`'s defaults on 8 000 rows of the ring of 8.

`--only 2-D three,10-D` keeps the data sets whose names start so.
"""
import os
import sys
import time

import langevin

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from annealed_defaults import DATA_SETS, quality  # noqa: E402

CHAINS, HELD_OUT = 20000, 20000
LEVELS = list(langevin.geometric_noise_levels(10.0, 0.01, 20))
LEVELS_FROM_100 = list(langevin.geometric_noise_levels(100.0, 0.01, 25))


def held_out(mixture, seed):
    held = mixture.draw(HELD_OUT, seed=1000 + seed)
    return held[:, 0] if held.shape[1] == 1 else held


def run(mixture, seed, **settings):
    settings.setdefault("sigmas", LEVELS)
    start = time.perf_counter()
    x = langevin.sample(mixture, chains=CHAINS, seed=seed, denoise=True, backend="cpu",
                        **settings)
    seconds = time.perf_counter() - start
    return (x[:, 0] if x.shape[1] == 1 else x), seconds


def cell(mixture, held, seed, **settings):
    x, seconds = run(mixture, seed, **settings)
    weights, ks = quality(x, held, mixture)
    return weights, ks, seconds


def evaluations(settings):
    levels = len(settings.get("sigmas", LEVELS))
    if settings.get("method") == "ode":
        return "adaptive"
    if settings.get("method") == "pc":
        return levels * settings.get("steps", 10) * (settings.get("corrector_steps", 1) + 1)
    return levels * settings.get("steps", 100)


def table(title, rows, seed):
    """One line a data set, one cell for each (label, settings) of rows."""
    print(f"\n{title} (seed {seed})")
    print("| data set | " + " | ".join(label for label, _ in rows) + " |")
    print("|---" * (len(rows) + 1) + "|")
    for name, mixture in DATA_SETS.items():
        held = held_out(mixture, seed)
        cells = []
        for _, settings in rows:
            weights, ks, _ = cell(mixture, held, seed, **settings)
            cells.append("%.3f / %.3f" % (weights, ks))
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def sweep(seed):
    rows = []
    for corrector in (0, 1, 2):
        for steps in (1, 2, 5, 10, 20):
            settings = dict(method="pc", steps=steps, corrector_steps=corrector)
            rows.append((f"K={steps} C={corrector} ({evaluations(settings)})", settings))
    table("pc, snr 0.16, corrector step 2 r² σ²: K predictor steps a level, C corrector steps "
          "(score evaluations a chain)", rows, seed)


def snr(seed):
    rows = []
    for step in ("sigma", "chain"):
        for r in (0.08, 0.16, 0.32):
            rows.append((f"{step} r={r}", dict(method="pc", steps=10, corrector_steps=1, snr=r,
                                               corrector_step=step)))
    table("pc, K = 10, C = 1: the corrector's signal-to-noise ratio and whose norms set it",
          rows, seed)


def compare(seed):
    candidates = [
        ("annealed T=100 (defaults)", dict(method="ula")),
        ("annealed T=20", dict(method="ula", steps=20)),
        ("pc K=1 C=1", dict(method="pc", steps=1, corrector_steps=1)),
        ("pc K=5 C=1", dict(method="pc", steps=5, corrector_steps=1)),
        ("pc K=10 C=1", dict(method="pc", steps=10, corrector_steps=1)),
        ("pc K=10 C=0", dict(method="pc", steps=10, corrector_steps=0)),
        ("pc K=50 C=0", dict(method="pc", steps=50, corrector_steps=0)),
        ("ode rtol=atol=1e-5 (defaults)", dict(method="ode")),
        ("ode rtol=atol=1e-3", dict(method="ode", rtol=1e-3, atol=1e-3)),
        # The flow keeps the initial law's mismatch: from σ₁ = 100 (25 levels, the same ratio).
        ("ode from σ₁ = 100", dict(method="ode", sigmas=LEVELS_FROM_100)),
        ("pc from σ₁ = 100 (250 predictor steps)", dict(method="pc", sigmas=LEVELS_FROM_100)),
    ]
    print(f"\nAnnealed Langevin and pc on the exact score (seed {seed}): worst weight error / "
          "largest KS, score evaluations a chain, seconds for 20 000 chains (CPU)")
    print("| data set | sampler | evaluations | error | seconds |")
    print("|---|---|---|---|---|")
    for name, mixture in DATA_SETS.items():
        held = held_out(mixture, seed)
        for label, settings in candidates:
            weights, ks, seconds = cell(mixture, held, seed, **settings)
            print(f"| {name} | {label} | {evaluations(settings)} | %.3f / %.3f | %.2f |"
                  % (weights, ks, seconds), flush=True)


def trained(demo_dir, seed):
    ring = DATA_SETS["2-D ring of 8"]
    two_modes = langevin.load_gmm("examples/data/two_modes.json")
    demo = langevin.Mlp.load(os.path.join(demo_dir, "model.safetensors"))
    start = time.perf_counter()
    ring_model = langevin.train(ring.draw(8000, seed=seed), loss="ncsn", seed=seed).model
    print(f"trained the ring's model in {time.perf_counter() - start:.1f} s")
    # The demo samples its model with 100 updates a level at ε = 10⁻⁴ (its own choice).
    candidates = [
        ("annealed T=100", dict(method="ula", steps=100)),
        ("annealed T=20", dict(method="ula", steps=20)),
        ("pc K=1 C=1", dict(method="pc", steps=1, corrector_steps=1)),
        ("pc K=5 C=1", dict(method="pc", steps=5, corrector_steps=1)),
        ("pc K=10 C=1 (defaults)", dict(method="pc")),
        ("ode (defaults)", dict(method="ode")),
    ]
    print(f"\nTrained models (seed {seed}): worst weight error / largest KS against 20 000 exact "
          "draws, score evaluations a chain, seconds for 20 000 chains (CPU)")
    print("| model | sampler | evaluations | error | seconds |")
    print("|---|---|---|---|---|")
    for name, model, mixture, extra in (
            ("annealed demo (1-D, 12 levels)", demo, two_modes, dict(epsilon=1e-4)),
            ("ring of 8 (ncsn defaults, 20 levels)", ring_model, ring, {})):
        held = held_out(mixture, seed)
        levels = len(model.noise_levels)
        for label, settings in candidates:
            run_settings = dict(settings)
            if settings["method"] == "ula":
                run_settings.update(extra)
            start = time.perf_counter()
            x = langevin.sample(model, chains=CHAINS, seed=seed, denoise=True, backend="cpu",
                                **run_settings)
            seconds = time.perf_counter() - start
            x = x[:, 0] if x.shape[1] == 1 else x
            weights, ks = quality(x, held, mixture)
            per_level = settings.get("steps", 10) * (settings.get("corrector_steps", 1) + 1
                                                     if settings["method"] == "pc" else 1)
            count = "adaptive" if settings["method"] == "ode" else levels * per_level
            print(f"| {name} | {label} | {count} | %.3f / %.3f | %.1f |"
                  % (weights, ks, seconds), flush=True)


def main(argv):
    if "--only" in argv:
        at = argv.index("--only")
        prefixes = argv[at + 1].split(",")
        del argv[at:at + 2]
        for name in list(DATA_SETS):
            if not any(name.startswith(p) for p in prefixes):
                del DATA_SETS[name]
    command = argv[1] if len(argv) > 1 else "sweep"
    if command == "trained":
        trained(argv[2], int(argv[3]) if len(argv) > 3 else 1)
        return
    seed = int(argv[2]) if len(argv) > 2 else 1
    {"sweep": sweep, "snr": snr, "compare": compare}[command](seed)


if __name__ == "__main__":
    main(sys.argv)
