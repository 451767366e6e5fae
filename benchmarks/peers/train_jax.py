#!/usr/bin/env python3
"""Training speed in JAX: the general networks `training_benchmark --network` trains, as
train_torch.py trains them in PyTorch (same model, loss, Adam, rows drawn with replacement,
batch), each iteration one jitted function (forward, gradient, Adam update).

  train_jax.py --data X.npy --network hidden=128x128,activation=silu,loss=ncsn,batch=2048,
               iterations=300 [--threads N] [--device cpu|cuda]

Prints one Markdown row as train_torch.py does. 20 iterations of warm-up (compilation) first.
Without JAX it prints "train_jax: skipped: …" and exits with status 0.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as common  # noqa: E402
from seed_jax import make_model  # noqa: E402
from train_torch import DSM_SIGMA, LEVELS, SIGMA_MAX, SIGMA_MIN, WARMUP, parse_spec  # noqa: E402


def main():
    parser = common.new_parser(__doc__)
    parser.add_argument("--data", required=True, metavar="X.npy", help="the rows, (N, d) float32")
    parser.add_argument("--network", required=True, metavar="SPEC")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPUs the process may use (XLA honours only the affinity)")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args()
    spec = parse_spec(args.network)
    common.limit_cpu_affinity(args.threads)
    os.environ.setdefault("JAX_PLATFORMS", "cpu" if args.device == "cpu" else "cuda")
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        print("train_jax: skipped: JAX is not installed (pip install jax)")
        return 0
    import numpy as np

    data = jnp.asarray(np.load(args.data).astype(np.float32))
    rows, dim = data.shape
    ncsn = spec["loss"] == "ncsn"
    widths = [dim + 1 if ncsn else dim] + spec["hidden"] + [dim]
    key = jax.random.PRNGKey(0)
    params = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):  # nn.Linear's uniform initialisation
        key, k_w, k_b = jax.random.split(key, 3)
        bound = 1.0 / np.sqrt(fan_in)
        params.append((jax.random.uniform(k_w, (fan_in, fan_out), minval=-bound, maxval=bound),
                       jax.random.uniform(k_b, (fan_out,), minval=-bound, maxval=bound)))
    sigmas = jnp.asarray(np.geomspace(SIGMA_MAX, SIGMA_MIN, LEVELS), dtype=jnp.float32)
    batch = spec["batch"]
    rate, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8

    net = make_model(jax, spec["activation"])[0]

    def loss(params, key):
        k_rows, k_noise, k_levels = jax.random.split(key, 3)
        x = data[jax.random.randint(k_rows, (batch,), 0, rows)]
        z = jax.random.normal(k_noise, (batch, dim))
        if ncsn:
            sigma = sigmas[jax.random.randint(k_levels, (batch,), 0, LEVELS)][:, None]
            out = net(params, jnp.concatenate([x + sigma * z, jnp.log(sigma)], axis=1))
            return 0.5 * jnp.mean(jnp.sum((out + z) ** 2, axis=1))
        out = net(params, x + DSM_SIGMA * z)
        return 0.5 * jnp.mean(jnp.sum((DSM_SIGMA * out + z) ** 2, axis=1))

    @jax.jit
    def iteration(params, m, v, t, key):
        key, sub = jax.random.split(key)
        grads = jax.grad(loss)(params, sub)
        t = t + 1
        m = jax.tree_util.tree_map(lambda m, g: beta1 * m + (1 - beta1) * g, m, grads)
        v = jax.tree_util.tree_map(lambda v, g: beta2 * v + (1 - beta2) * g * g, v, grads)
        params = jax.tree_util.tree_map(
            lambda p, m, v: p - rate * (m / (1 - beta1 ** t)) / (jnp.sqrt(v / (1 - beta2 ** t)) + eps),
            params, m, v)
        return params, m, v, t, key

    m = jax.tree_util.tree_map(jnp.zeros_like, params)
    v = jax.tree_util.tree_map(jnp.zeros_like, params)
    t = jnp.zeros((), jnp.float32)
    state = (params, m, v, t, key)
    for _ in range(WARMUP):
        state = iteration(*state)
    jax.block_until_ready(state)
    started = time.perf_counter()
    for _ in range(spec["iterations"]):
        state = iteration(*state)
    jax.block_until_ready(state)
    seconds = time.perf_counter() - started
    weights = sum(a * b for a, b in zip(widths[:-1], widths[1:]))
    gflops = 2.0 * 3 * weights * batch * spec["iterations"] / seconds / 1e9
    label = args.device if args.device == "cpu" else str(jax.devices()[0].device_kind)
    print(f"| jax {jax.__version__} jit | {label} | {args.network} | {rows} | {dim} | "
          f"{seconds:.3f} | {seconds / spec['iterations']:.5f} | {gflops:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
