"""MALA, underdamped Langevin and ULA against BlackJAX on the CPU, side by side in one run
(docs/PERFORMANCE.md, "MALA against BlackJAX"): a 2-D three-component Gaussian mixture (the "2-D
three components" of benchmarks/annealed_defaults.py), 10 000 chains × 1 000 steps of
ε = 0.05 from N(0, I), final states only. BlackJAX's `mala`, BlackJAX's underdamped Langevin
kernel `sghmc` (SGHMC's Euler step of the same dynamics, friction `alpha` = 1, given the exact
gradient; one score evaluation an update, as the library's BAOAB) and a ULA step written in JAX
(`jax.grad` of the same log-density) run as one jitted `vmap` over chains of a `lax.scan` over
steps; the library runs `langevin.sample(..., backend="cpu")`, underdamped at friction 1. Each is timed after a warm-up run (JAX's compilation
excluded), the tools alternated, `--repeats` times; the table gives the median seconds and
chain-steps/s, and each tool's acceptance rate and mean as a check that they sample the same
law.

    python3 -m venv /tmp/bj && /tmp/bj/bin/pip install "jax[cpu]" blackjax numpy
    PYTHONPATH=build/python /tmp/bj/bin/python benchmarks/peers/mala_blackjax.py --threads 2

The library's module must be importable with that Python (build it with the same Python
version, or run the library's side with --library-python).
"""
import argparse
import os
import statistics
import sys
import time

import peer_common

WEIGHTS = [0.5, 0.3, 0.2]
MEANS = [[-3.0, 0.0], [2.0, 2.0], [2.0, -3.0]]
STDS = [[1.0, 0.5], [0.6, 0.6], [0.8, 1.2]]
FRICTION = 1.0


def parse():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chains", type=int, default=10000)
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--epsilon", type=float, default=0.05)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    return parser.parse_args()


def main():
    args = parse()
    peer_common.share_threads(args.threads)
    import numpy as np
    import jax
    import jax.numpy as jnp
    import blackjax
    import langevin

    weights = jnp.array(WEIGHTS)
    means = jnp.array(MEANS)
    stds = jnp.array(STDS)

    def log_density(x):
        z = (x[None, :] - means) / stds
        per = jnp.log(weights) - 0.5 * jnp.sum(z * z, axis=1) - jnp.sum(jnp.log(stds), axis=1)
        return jax.scipy.special.logsumexp(per)

    mala = blackjax.mala(log_density, args.epsilon)
    score = jax.grad(log_density)
    # sghmc's kernel draws a fresh momentum and then makes num_integration_steps updates: one
    # call is a whole chain. Its gradient estimator is given the exact score (no minibatch).
    sghmc = blackjax.sghmc(lambda position, _: score(position),
                           num_integration_steps=args.steps, alpha=FRICTION)

    def run_mala(key):
        keys = jax.random.split(key, args.chains)

        def chain(key):
            init_key, run_key = jax.random.split(key)
            state = mala.init(jax.random.normal(init_key, (2,)))

            def step(carry, k):
                state, accepted = carry
                state, info = mala.step(k, state)
                return (state, accepted + info.is_accepted), None

            (state, accepted), _ = jax.lax.scan(step, (state, 0),
                                                jax.random.split(run_key, args.steps))
            return state.position, accepted
        return jax.vmap(chain)(keys)

    def run_ula(key):
        keys = jax.random.split(key, args.chains)

        def chain(key):
            init_key, run_key = jax.random.split(key)
            x = jax.random.normal(init_key, (2,))

            def step(x, k):
                z = jax.random.normal(k, (2,))
                return x + args.epsilon * score(x) + jnp.sqrt(2 * args.epsilon) * z, None

            x, _ = jax.lax.scan(step, x, jax.random.split(run_key, args.steps))
            return x
        return jax.vmap(chain)(keys)

    def run_sghmc(key):
        keys = jax.random.split(key, args.chains)

        def chain(key):
            init_key, run_key = jax.random.split(key)
            x = jax.random.normal(init_key, (2,))
            return sghmc.step(run_key, x, jnp.zeros(()), args.epsilon)
        return jax.vmap(chain)(keys)

    jit_mala, jit_ula, jit_sghmc = jax.jit(run_mala), jax.jit(run_ula), jax.jit(run_sghmc)
    mixture = langevin.GaussianMixture(WEIGHTS, MEANS, STDS)

    def blackjax_mala(seed):
        positions, accepted = jit_mala(jax.random.PRNGKey(seed))
        positions.block_until_ready()
        return np.asarray(positions), float(np.mean(accepted)) / args.steps

    def jax_ula(seed):
        x = jit_ula(jax.random.PRNGKey(seed))
        x.block_until_ready()
        return np.asarray(x), float("nan")

    def blackjax_sghmc(seed):
        x = jit_sghmc(jax.random.PRNGKey(seed))
        x.block_until_ready()
        return np.asarray(x), float("nan")

    def library(method):
        def run(seed):
            sampler = langevin.Sampler(mixture, chains=args.chains, steps=args.steps,
                                       epsilon=args.epsilon, method=method, seed=seed,
                                       friction=FRICTION, backend="cpu")
            x = sampler.run()
            return x, sampler.acceptance_rate
        return run

    tools = [("langevin mala", library("mala")), ("BlackJAX mala", blackjax_mala),
             ("langevin underdamped", library("underdamped")), ("BlackJAX sghmc", blackjax_sghmc),
             ("langevin ula", library("ula")), ("JAX ula", jax_ula)]
    for _, run in tools:  # warm-up: JAX compiles here
        run(0)
    seconds = {name: [] for name, _ in tools}
    results = {}
    for repeat in range(args.repeats):
        for name, run in tools:
            start = time.perf_counter()
            results[name] = run(repeat + 1)
            seconds[name].append(time.perf_counter() - start)

    chain_steps = args.chains * args.steps
    print(f"{args.chains} chains x {args.steps} steps, eps = {args.epsilon}, d = 2, "
          f"{args.threads} threads; jax {jax.__version__}, blackjax {blackjax.__version__}, "
          f"langevin {langevin.__version__}; median of {args.repeats}")
    print("| tool | seconds | chain-steps/s | acceptance | mean |")
    print("|---|---|---|---|---|")
    for name, _ in tools:
        median = statistics.median(seconds[name])
        x, rate = results[name]
        print(f"| {name} | {median:.3f} | {chain_steps / median:.3g} | {rate:.3f} | "
              f"({x[:, 0].mean():.3f}, {x[:, 1].mean():.3f}) |")
    for ours, theirs in (("langevin mala", "BlackJAX mala"),
                         ("langevin underdamped", "BlackJAX sghmc"), ("langevin ula", "JAX ula")):
        ratio = statistics.median(seconds[theirs]) / statistics.median(seconds[ours])
        print(f"{ours} is {ratio:.1f}x {theirs}")
    exact = np.array(WEIGHTS) @ np.array(MEANS)
    print(f"exact mean ({exact[0]:.3f}, {exact[1]:.3f})")


if __name__ == "__main__":
    sys.exit(main())
