"""The moving average of the iterates against the last iterate (docs/PERFORMANCE.md, "The moving
average's warm-up"), on a 2-D three-component mixture with noise-conditional training:

  fisher:  the σ²-weighted Fisher divergence to the true score, E_σ E_{x∼p_σ} σ²‖s − ∇log p_σ‖²,
           after 200, 2 000 and 20 000 iterations (2 → 64 → 64 → 2, Adam, batches of 256)
  weights: the worst component-weight error of annealed samples after 3 000 full-batch
           iterations (2 → 128 → 128 → 2)

    PYTHONPATH=build/python build/venv/bin/python benchmarks/ema_quality.py fisher 1 2 3
    PYTHONPATH=build/python build/venv/bin/python benchmarks/ema_quality.py weights 0 1 2
"""
import sys

import langevin

MIXTURE = langevin.GaussianMixture([0.5, 0.3, 0.2], [[-3, 0], [2, 2], [2, -3]],
                                   [[1, 0.5], [0.6, 0.6], [0.8, 1.2]])
DATA = MIXTURE.draw(8000, seed=1)
LEVELS = langevin.geometric_noise_levels(6, 0.05, 12)


def fisher(model):
    total = 0.0
    for k, sigma in enumerate(LEVELS):
        noised = MIXTURE.convolved(sigma)
        x = noised.draw(2000, seed=100 + k)
        error = langevin.score(model, x, sigma=sigma) - langevin.score(noised, x)
        total += sigma * sigma * (error**2).sum(axis=1).mean()
    return total / len(LEVELS)


def fisher_rows(seed):
    for iterations in (200, 2000, 20000):
        last, averaged = (fisher(langevin.train(
            DATA, loss="ncsn", sigmas=LEVELS, hidden=[64, 64], activation="softplus",
            learning_rate=1e-3, batch=256, iterations=iterations, ema=ema, seed=seed).model)
            for ema in (0.0, 0.999))
        print(f"seed {seed} iterations {iterations:6d}: last {last:.4f}  ema {averaged:.4f}  "
              f"ratio {averaged / last:.3f}", flush=True)


def weight_row(seed):
    errors = []
    for ema in (0.0, 0.999):
        fit = langevin.train(DATA, loss="ncsn", sigmas=LEVELS, hidden=[128, 128],
                             activation="softplus", iterations=3000, ema=ema, seed=seed)
        x = langevin.sample(fit.model, chains=5000, steps=100, epsilon=1e-4, denoise=True,
                            seed=seed, init_std=6.0)
        weights = langevin.compare(x, DATA, mixture=MIXTURE).component_weights_a
        errors.append(max(abs(a - b) for a, b in zip(weights, MIXTURE.weights)))
    print(f"seed {seed}: worst weight error, last iterate {errors[0]:.3f}, ema 0.999 "
          f"{errors[1]:.3f}", flush=True)


if __name__ == "__main__":
    row = {"fisher": fisher_rows, "weights": weight_row}[sys.argv[1]]
    for seed in map(int, sys.argv[2:]):
        row(seed)
