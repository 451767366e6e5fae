"""The seed notebook (a JAX notebook: an MLP score model fitted to a 1-D two-component mixture,
then 1 000 Langevin chains) in langevin, then the annealed sampler that fixes the mode weights
the notebook found wrong.

    python examples/python/seed_notebook.py [--out DIR] [--quick]

Writes ecdf.png into DIR (the current directory by default) when matplotlib is installed.
"""
import argparse
import time

import numpy as np

import langevin


def ecdf(values):
    x = np.sort(values.ravel())
    return x, np.arange(1, x.size + 1) / x.size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=".", help="where ecdf.png goes")
    parser.add_argument("--quick", action="store_true",
                        help="train the noise-conditional model 1 000 iterations, not 20 000: every "
                             "step runs, the weights are not the point (the test suite's run; "
                             "`langevin demo --annealed`, which scripts/check_annealing checks, "
                             "trains the full one)")
    arguments = parser.parse_args()
    out = arguments.out

    # The notebook's data: 10 000 points of N(-5, 3²) and 5 000 of N(6, 1²), drawn as
    # `langevin demo` draws them, so that every number below is the demo's.
    left = langevin.GaussianMixture([1], [[-5]], [[3]]).draw(10000, seed=0)
    right = langevin.GaussianMixture([1], [[6]], [[1]]).draw(5000, seed=0x9E3779B9)
    data = np.concatenate([left, right])

    # Its model and training: 1 → 1024 → 1 (ReLU), exact score matching, accelerated gradient
    # descent with a line search (jaxopt's GradientDescent), 1 200 iterations.
    start = time.perf_counter()
    fit = langevin.train(data, hidden=[1024], loss="exact", optimizer="nesterov",
                         learning_rate=0, iterations=1200, progress=True)
    trained = time.perf_counter() - start

    # Its sampler: 1 000 chains × 2 000 steps at ε = 5·10⁻³ from N(0, 1), every step kept.
    start = time.perf_counter()
    chains = langevin.sample(fit.model, chains=1000, steps=2000, epsilon=5e-3, keep="trajectory")
    sampled = time.perf_counter() - start
    print(f"trained in {trained:.2f} s ({fit.backend}), sampled 1000 × 2000 in {sampled:.3f} s")

    # The notebook's caveat: the weights of the two modes are wrong. Annealed Langevin dynamics
    # on a noise-conditional model gets them right (the settings of `langevin demo --annealed`).
    levels = langevin.geometric_noise_levels(20, 0.05, 12)
    ncsn = langevin.train(data, loss="ncsn", sigmas=levels, hidden=[128, 128], activation="silu",
                          learning_rate=1e-3, iterations=1000 if arguments.quick else 20000,
                          batch=2048, ema=0.999, progress=True)
    annealed = langevin.sample(ncsn.model, chains=10000, steps=100, epsilon=1e-4, init_std=1.0,
                               denoise=True)

    print("mass above 1.5 (the right mode): data {:.3f}, seed sampler {:.3f}, annealed {:.3f}"
          .format((data > 1.5).mean(), (chains > 1.5).mean(), (annealed > 1.5).mean()))
    for name, x in (("seed sampler", chains), ("annealed", annealed)):
        print(f"{name}: KS distance to the data {langevin.compare(x, data).ks[0]:.3f}")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plot")
        return
    plt.plot(*ecdf(chains), label="seed sampler (1000 chains × 2000 steps)")
    plt.plot(*ecdf(annealed), label="annealed (10 000 chains)")
    plt.plot(*ecdf(data), label="data", linestyle="--")
    plt.legend()
    plt.savefig(f"{out}/ecdf.png", dpi=120)
    print(f"wrote {out}/ecdf.png")


if __name__ == "__main__":
    main()
