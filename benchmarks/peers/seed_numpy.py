#!/usr/bin/env python3
"""Langevin sampling in NumPy on the CPU: the plainest peer of `langevin sample`.

All chains step together, one step per loop iteration: the hidden layer is materialised as a
chains x 1024 matrix (a BLAS matmul), then the activation, the output layer, a normal draw
and x <- x + eps s(x) + sqrt(2 eps) z, all into preallocated buffers. No training: give
--model (e.g. the one `langevin demo` or seed_torch.py --save-model wrote), or it samples a
Glorot-random 1-1024-1 ReLU model of the same cost as sampler_benchmark's.

  seed_numpy.py [--model M.safetensors] [--chains N] [--steps K] [--final-only]
                [--threads N] [--data data.npy]

Threads: only the matmuls are threaded (by NumPy's BLAS); the elementwise work is one thread.
--threads N sets OMP_NUM_THREADS / OPENBLAS_NUM_THREADS / MKL_NUM_THREADS before NumPy is
imported, and also threadpoolctl's limit when threadpoolctl is installed. Without --threads
the BLAS uses its own default (usually all cores, or whatever OMP_NUM_THREADS says).
"""

import math
import os
import sys
import time

import peer_common as common

PEER = "seed_numpy"


def parse_args(argv=None):
    parser = common.new_parser(__doc__)
    parser.add_argument("--seed", type=int, default=common.DATA_SEED,
                        help="seed of the random model when no --model is given (%(default)s)")
    common.add_sampling_options(parser, sample_only_flag=False)
    common.add_allocator_option(parser)
    args = parser.parse_args(argv)
    args.sample_only = True  # the sampler table, --repeat 3 by default
    common.check_sampling_options(parser, args)
    return args


def limit_threads(threads):
    """Set the BLAS thread count; returns a label for the table. Imports NumPy."""
    if threads is not None:
        # Read by OpenBLAS / MKL / BLIS when they load, i.e. when NumPy is first imported.
        for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                     "BLIS_NUM_THREADS"):
            os.environ[name] = str(threads)
    import numpy  # noqa: F401  (threadpoolctl finds the BLAS that NumPy loaded)
    try:
        import threadpoolctl
    except ImportError:
        return threads if threads is not None else os.environ.get("OMP_NUM_THREADS", "BLAS default")
    if threads is not None:
        # Kept alive for the whole run; threadpoolctl restores the limit when it is collected.
        limit_threads.keep = threadpoolctl.threadpool_limits(threads)
    blas = [pool["num_threads"] for pool in threadpoolctl.threadpool_info()
            if pool.get("user_api") == "blas"]
    return blas[0] if blas else "BLAS default"


def glorot_layers(np, rng, widths):
    """stax.Dense's initialisation: W ~ Glorot truncated normal, b ~ N(0, 0.01^2)."""
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        z = rng.standard_normal((fan_out, fan_in))
        while np.any(np.abs(z) > 2):  # truncate at 2 standard deviations by redrawing
            outside = np.abs(z) > 2
            z[outside] = rng.standard_normal(np.count_nonzero(outside))
        std = math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
        layers.append(((z * std).astype(np.float32),
                       (rng.standard_normal(fan_out) * 1e-2).astype(np.float32)))
    return layers


def inplace_activation(np, name):
    def silu(h):
        t = np.exp(-h)
        t += 1
        np.divide(h, t, out=h)

    return {"relu": lambda h: np.maximum(h, 0, out=h),
            "tanh": lambda h: np.tanh(h, out=h),
            "softplus": lambda h: np.logaddexp(h, 0, out=h),
            "silu": silu}[name]


class Sampler:
    """x <- x + eps s(x) + sqrt(2 eps) z for all chains, into buffers allocated once."""

    def __init__(self, np, layers, activation_name, chains, epsilon, rng):
        self.np, self.rng, self.epsilon = np, rng, np.float32(epsilon)
        self.noise_scale = np.float32(math.sqrt(2.0 * epsilon))
        self.layers = [(np.ascontiguousarray(w.T), b) for w, b in layers]
        self.outputs = [np.empty((chains, w.shape[0]), np.float32) for w, _ in layers]
        self.noise = np.empty((chains, layers[0][0].shape[1]), np.float32)
        self.activate = inplace_activation(np, activation_name)

    def step(self, x):
        np, h = self.np, x
        for i, ((weight_t, bias), out) in enumerate(zip(self.layers, self.outputs)):
            np.matmul(h, weight_t, out=out)  # the chains x 1024 hidden layer
            out += bias
            if i + 1 < len(self.layers):
                self.activate(out)
            h = out
        h *= self.epsilon
        x += h
        self.rng.standard_normal(out=self.noise, dtype=np.float32)
        self.noise *= self.noise_scale
        x += self.noise

    def run(self, x0, steps, keep):
        """The trajectory (chains, steps, d) of states before each update, or the final x."""
        np, x = self.np, x0.copy()
        trajectory = np.empty((steps,) + x0.shape, np.float32) if keep else None
        for k in range(steps):
            if keep:
                trajectory[k] = x
            self.step(x)
        return trajectory.transpose(1, 0, 2) if keep else x


def main(argv=None):
    args = parse_args(argv)
    allocator = "malloc as is" if args.default_malloc else common.keep_freed_memory()
    try:
        threads = limit_threads(args.threads)
    except ImportError as error:
        print(f"{PEER}: error: needs NumPy ({error}); pip install numpy", file=sys.stderr)
        return 2
    import numpy as np
    import safetensors_io as io

    if args.model:
        layers, activation = io.read_model(args.model)
    else:
        layers = glorot_layers(np, np.random.default_rng(args.seed), [1, common.HIDDEN, 1])
        activation = "relu"
    data = io.read_array(args.data) if args.data else None
    dim = layers[0][0].shape[1]

    def run_once(steps):
        # Philox, like the library (though not its streams); reseeded so every run is the same.
        rng = np.random.Generator(np.random.Philox(args.sample_seed))
        sampler = Sampler(np, layers, activation, args.chains, args.epsilon, rng)
        x0 = rng.standard_normal((args.chains, dim), dtype=np.float32)
        start = time.perf_counter()
        samples = sampler.run(x0, steps, not args.final_only)
        return samples, time.perf_counter() - start

    run_once(min(args.steps, 3))  # warm-up: BLAS threads, first touch of the buffers
    seconds = []
    for _ in range(args.repeat):
        samples, elapsed = run_once(args.steps)
        seconds.append(elapsed)
    result = {"samples": samples, "seconds": common.median(seconds), "chains": args.chains,
              "steps": args.steps, "keep": "final" if args.final_only else "trajectory"}

    print(f"# {PEER}: numpy {np.__version__}, python {sys.version.split()[0]}; CPU "
          f"{common.cpu_model()}; BLAS threads {threads}; {allocator}; {common.today()}")
    flop = io.flop_per_chain_step(layers)
    common.print_table(common.SAMPLER_COLUMNS, [common.sampler_row(
        f"numpy {np.__version__}", "cpu: " + common.cpu_model(), threads,
        io.describe(layers, activation), flop, result, data)])
    print(f"# sampling: {flop} FLOP per chain-step; runs "
          + ", ".join(f"{s:.4f}" for s in seconds) + " s (median shown)")
    if args.out_samples:
        io.write_array(args.out_samples, samples)
    return 0


if __name__ == "__main__":
    sys.exit(common.run(main, PEER))
