"""Writes the diagnostics fixture tests/diagnostics_test.cpp compares with: trajectories drawn
here with NumPy's PCG64 (float32, as the sampler writes them) and ArviZ's rank-normalised
split-R̂, bulk and tail ESS and MCSE of the mean on them.

    python3 -m venv /tmp/az && /tmp/az/bin/pip install arviz numpy
    /tmp/az/bin/python tests/data/make_diagnostics_fixture.py
"""
import json
import os

import arviz as az
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def trajectories():
    rng = np.random.default_rng(20261206)
    chains, draws = 4, 301  # odd: the split leaves the middle draw out
    x = np.empty((chains, draws, 3))
    # An AR(1) chain, ρ = 0.9: slow mixing.
    noise = rng.normal(size=(chains, draws))
    x[:, 0, 0] = noise[:, 0]
    for t in range(1, draws):
        x[:, t, 0] = 0.9 * x[:, t - 1, 0] + np.sqrt(1 - 0.81) * noise[:, t]
    # Independent draws around means that differ between chains: R̂ well above 1.
    x[:, :, 1] = rng.normal(size=(chains, draws)) + np.array([0.0, 0.0, 0.5, 1.0])[:, None]
    # Values with ties (one decimal): the average ranks.
    x[:, :, 2] = np.round(rng.standard_t(4, size=(chains, draws)), 1)
    short = rng.exponential(size=(3, 8, 1))  # 3 chains of 8 draws, skewed
    return {"three": x.astype(np.float32), "short": short.astype(np.float32)}


def main():
    reference = {}
    for name, x in trajectories().items():
        np.save(os.path.join(HERE, f"diagnostics_{name}.npy"), x)
        data = az.convert_to_dataset(x.astype(np.float64))
        pick = lambda ds: [float(v) for v in np.asarray(ds["x"]).ravel()]
        reference[name] = {
            "arviz": az.__version__,
            "rhat": pick(az.rhat(data, method="rank")),
            "ess_bulk": pick(az.ess(data, method="bulk")),
            "ess_tail": pick(az.ess(data, method="tail")),
            "mcse_mean": pick(az.mcse(data, method="mean")),
        }
    with open(os.path.join(HERE, "diagnostics_arviz.json"), "w") as out:
        json.dump(reference, out, indent=1)
        out.write("\n")


if __name__ == "__main__":
    main()
