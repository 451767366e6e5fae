"""Log-likelihoods by the probability-flow ODE against score_sde's scheme on the CPU, side by side
in one run (docs/PERFORMANCE.md, "Likelihoods against score_sde's scheme"): the 2-D ring of 8
(examples/data/ring8.json) under its exact noise-conditional score (the mixture convolved with
N(0, σ² I)), points drawn from the mixture, the flow from σ_min = 0.01 to σ_max = 100.

The peer follows score_sde's likelihood.py (Song et al. 2021): the variance-exploding SDE
σ(t) = σ_min (σ_max/σ_min)^t, its probability-flow drift −½ g(t)² s = −σ² log(σ_max/σ_min) s,
and the augmented state (x, ℓ) of the whole batch flattened into one vector for SciPy's
solve_ivp(RK45, rtol, atol) from t = 0 to 1, so that one step size serves every point; the drift
and the divergence (Hutchinson's with one Rademacher probe per point fixed along the path, or
the exact trace by jax.jacfwd) are jitted JAX. The library runs langevin.log_likelihood over one
interval σ_min → σ_max (levels = 2), each point with its own steps. Both are timed after a
warm-up (JAX's compilation excluded), alternated, --repeats times; the table gives the median
seconds, the right-hand-side evaluations, and the error against the mixture's exact log-density
(mean and worst |error|; Hutchinson's includes its own variance).

    python3 -m venv /tmp/bj && /tmp/bj/bin/pip install "jax[cpu]" scipy numpy
    PYTHONPATH=build/python /tmp/bj/bin/python benchmarks/peers/likelihood_scoresde.py
"""
import argparse
import json
import os
import statistics
import time

import peer_common

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=2000)
    parser.add_argument("--tolerance", type=float, default=1e-5)
    parser.add_argument("--sigma-min", type=float, default=0.01)
    parser.add_argument("--sigma-max", type=float, default=100.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args()


def main():
    args = parse()
    peer_common.share_threads(args.threads)
    import numpy as np
    import jax
    import jax.numpy as jnp
    from scipy import integrate
    import langevin

    jax.config.update("jax_enable_x64", False)
    path = os.path.join(ROOT, "examples", "data", "ring8.json")
    spec = json.load(open(path))
    weights = np.array(spec["weights"], float)
    weights /= weights.sum()
    means = np.array(spec["means"], float)
    stds = np.array(spec["stds"], float)
    mixture = langevin.load_gmm(path)
    rng = np.random.default_rng(1)
    component = rng.choice(len(weights), size=args.points, p=weights)
    points = (means[component] + stds[component] * rng.standard_normal((args.points, 2)))
    points = points.astype(np.float32)

    def exact_log_density(x, sigma):
        v = stds ** 2 + sigma ** 2
        terms = (np.log(weights)[None] - 0.5 * np.sum((x[:, None, :] - means[None]) ** 2 / v[None]
                                                      + np.log(2 * np.pi * v)[None], axis=2))
        top = terms.max(axis=1)
        return top + np.log(np.exp(terms - top[:, None]).sum(axis=1))

    exact = exact_log_density(points.astype(float), args.sigma_min)
    log_ratio = np.log(args.sigma_max / args.sigma_min)
    jw, jm, js = jnp.array(weights), jnp.array(means), jnp.array(stds)

    def log_p(x, sigma):  # one point
        v = js ** 2 + sigma ** 2
        terms = jnp.log(jw) - 0.5 * jnp.sum((x[None, :] - jm) ** 2 / v + jnp.log(2 * jnp.pi * v),
                                            axis=1)
        return jax.scipy.special.logsumexp(terms)

    score = jax.grad(log_p)

    def drift(x, t):  # dx/dt of the probability flow, one point
        sigma = args.sigma_min * (args.sigma_max / args.sigma_min) ** t
        return -sigma ** 2 * log_ratio * score(x, sigma)

    @jax.jit
    def rhs_hutchinson(x, t, probe):
        def one(xi, ei):
            f, jvp = jax.jvp(lambda y: drift(y, t), (xi,), (ei,))
            return f, jnp.sum(jvp * ei)
        f, divergence = jax.vmap(one)(x, probe)
        return f, divergence

    @jax.jit
    def rhs_exact(x, t):
        def one(xi):
            return drift(xi, t), jnp.trace(jax.jacfwd(lambda y: drift(y, t))(xi))
        return jax.vmap(one)(x)

    n = args.points

    def peer(kind):
        probe = jnp.array(rng.choice([-1.0, 1.0], size=(n, 2)), dtype=jnp.float32)
        evaluations = [0]

        def ode(t, state):
            evaluations[0] += 1
            x = jnp.asarray(state[: 2 * n].reshape(n, 2), dtype=jnp.float32)
            if kind == "hutchinson":
                f, divergence = rhs_hutchinson(x, t, probe)
            else:
                f, divergence = rhs_exact(x, t)
            return np.concatenate([np.asarray(f).reshape(-1), np.asarray(divergence)])

        start = np.concatenate([points.reshape(-1).astype(float), np.zeros(n)])
        solution = integrate.solve_ivp(ode, (0.0, 1.0), start, rtol=args.tolerance,
                                       atol=args.tolerance, method="RK45")
        state = solution.y[:, -1]
        z = state[: 2 * n].reshape(n, 2)
        delta = state[2 * n:]  # ∫ ∇·(dx/dt) dt = −ℓ
        prior = np.sum(-0.5 * (z / args.sigma_max) ** 2 - np.log(args.sigma_max)
                       - 0.5 * np.log(2 * np.pi), axis=1)
        return prior + delta, evaluations[0]

    def ours(kind):
        result = langevin.log_likelihood(mixture, points, sigmas=[args.sigma_max, args.sigma_min],
                                         divergence=kind, rtol=args.tolerance,
                                         atol=args.tolerance, backend="cpu", seed=1)
        return result.log_density.astype(float), float(np.mean(result.evaluations))

    tools = [("score_sde scheme (SciPy RK45 + JAX), exact", lambda: peer("exact")),
             ("score_sde scheme (SciPy RK45 + JAX), hutchinson", lambda: peer("hutchinson")),
             ("langevin, exact", lambda: ours("exact")),
             ("langevin, hutchinson", lambda: ours("hutchinson"))]
    for _, run in tools:
        run()  # warm-up: JAX compiles
    times = {name: [] for name, _ in tools}
    results = {}
    for _ in range(args.repeats):
        for name, run in tools:
            start = time.perf_counter()
            log_density, evaluations = run()
            times[name].append(time.perf_counter() - start)
            errors = np.abs(log_density - exact)
            results[name] = (evaluations, errors.mean(), errors.max())

    print(f"ring of 8, {n} points, sigma {args.sigma_min} -> {args.sigma_max}, "
          f"rtol = atol = {args.tolerance}, {args.threads} threads")
    print("| tool | seconds (median) | evaluations | mean abs error | worst abs error |")
    print("|---|---|---|---|---|")
    for name, _ in tools:
        evaluations, mean_error, worst = results[name]
        print(f"| {name} | {statistics.median(times[name]):.3f} | {evaluations:.0f} | "
              f"{mean_error:.2e} | {worst:.2e} |")


if __name__ == "__main__":
    main()
