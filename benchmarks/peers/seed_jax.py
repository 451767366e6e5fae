#!/usr/bin/env python3
"""The seed notebook itself, in JAX: a peer of `langevin demo` and `sampler_benchmark`.

As shared/seed/langevin-dynamics-notebook.md does it, with ericmjl/score-models' helpers
written out: a stax-style MLP 1 -> 1024 -> 1 (ReLU; W Glorot normal, b ~ N(0, 0.01^2)),
exact score matching (mean of ds/dx + s^2/2, ds/dx by jax.grad under vmap), trained by
jaxopt.GradientDescent(fun=loss, maxiter=1200) when jaxopt is installed, else by the same
algorithm written out here (FISTA with backtracking line search, one lax.while_loop); then
Langevin chains: vmap over chains of a lax.scan over steps, each chain drawing its noise from
its own pre-split keys, keeping the state before each update.

  seed_jax.py [--device cpu|cuda] [--threads N] [--optimizer auto|jaxopt|fista]
              [--data data.npy] [--init-model M.safetensors] [--save-model M.safetensors]
  seed_jax.py --sample-only [--model M.safetensors] --chains N --steps K --final-only

With the default seeds (45, 40) the keys are the notebook's. Everything is float32 (matmuls at
"highest" precision, so no TF32 on the GPU). Compilation is timed apart from the runs. Without
JAX installed it says so and exits with status 0, so that a script running all peers goes on.
"""

import os
import sys
import time
from functools import partial

import peer_common as common

PEER = "seed_jax"


def parse_args(argv=None):
    parser = common.new_parser(__doc__)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                        help="where to run (auto: JAX's default backend)")
    parser.add_argument("--seed", type=int, default=common.DATA_SEED,
                        help="PRNGKey of the data and the initial weights (%(default)s)")
    train = common.add_training_options(parser)
    train.add_argument("--optimizer", default="auto", choices=("auto", "jaxopt", "fista"),
                       help="jaxopt.GradientDescent, or the same algorithm written out here, "
                            "which also counts function evaluations (auto: jaxopt if installed)")
    common.add_sampling_options(parser)
    common.add_allocator_option(parser)
    args = parser.parse_args(argv)
    common.check_sampling_options(parser, args)
    if args.model and not args.sample_only:
        parser.error("--model goes with --sample-only; to start training from weights, "
                     "use --init-model")
    if args.maxiter < 0:
        parser.error("--maxiter must be >= 0")
    return args


def import_jax(args):
    """Import JAX for the chosen device: (jax, None), (None, why it is missing) or exit 2."""
    if args.device != "auto":
        # Must be set before JAX initialises its backends.
        os.environ["JAX_PLATFORMS"] = args.device
    # XLA sizes its CPU thread pools by the CPUs this process may run on.
    common.limit_cpu_affinity(args.threads)
    try:
        import jax
    except ImportError as error:
        return None, f"JAX is not installed ({error}); pip install 'jax[cpu]' (or jax[cuda12])"
    jax.config.update("jax_default_matmul_precision", "highest")
    try:
        jax.devices()
    except Exception as error:  # RuntimeError, or an AssertionError in some versions
        print(f"{PEER}: error: jax {jax.__version__} has no {args.device} backend here "
              f"({type(error).__name__}: {error})", file=sys.stderr)
        raise SystemExit(2)
    return jax, None


# ---------------------------------------------------------------------------------------------
# The model, as stax.serial(Dense(1024), Relu, Dense(1)) holds it: [(W (in, out), b), ...].


def make_model(jax, activation_name):
    """(apply, score): apply(params, x) for x (N, d); score(params, x) for one point x (d,)."""
    jnp = jax.numpy
    activation = {"relu": jax.nn.relu, "softplus": jax.nn.softplus, "tanh": jnp.tanh,
                  "silu": jax.nn.silu}[activation_name]

    def apply(params, x):
        for weight, bias in params[:-1]:
            x = activation(x @ weight + bias)
        weight, bias = params[-1]
        return x @ weight + bias

    def score(params, x):
        # nn_score_func: one draw through the batched network, as shape (1, d).
        return apply(params, x[None, :])[0]

    return apply, score


def stax_init(jax, key, widths):
    """stax.serial's initialisation of Dense/activation/.../Dense, key for key.

    serial splits its key once per layer (activations included); Dense splits its layer key
    into W ~ glorot_normal (truncated normal, variance 2 / (fan_in + fan_out)) and
    b ~ normal(0.01).
    """
    random, initializers = jax.random, jax.nn.initializers
    params = []
    for i, (fan_in, fan_out) in enumerate(zip(widths[:-1], widths[1:])):
        if i:
            key, _ = random.split(key)  # the activation layer's (unused) key
        key, layer_key = random.split(key)
        k_weight, k_bias = random.split(layer_key)
        params.append((initializers.glorot_normal()(k_weight, (fan_in, fan_out)),
                       initializers.normal(1e-2)(k_bias, (fan_out,))))
    return params


def to_library_layers(params):
    import numpy as np
    return [(np.asarray(w).T, np.asarray(b)) for w, b in params]


def from_library_layers(jax, layers):
    jnp = jax.numpy
    return [(jnp.asarray(w.T), jnp.asarray(b)) for w, b in layers]


def seed_data_and_init_key(jax, seed):
    """The notebook's keys: split(PRNGKey(seed), 3) -> two mixture draws, then the init key."""
    random, jnp = jax.random, jax.numpy
    keys = random.split(random.PRNGKey(seed), len(common.MIXTURE) + 1)
    parts = [random.normal(k, shape=(n,)) * std + mean
             for k, (n, mean, std) in zip(keys, common.MIXTURE)]
    init_key, _ = random.split(keys[-1])
    return jnp.concatenate(parts).reshape(-1, 1), init_key


# ---------------------------------------------------------------------------------------------
# Exact score matching, as score_models.losses does it: mean over the batch of
# ds/dx (jax.grad of the scalar score, vmapped) + 0.5 s(x)^2.


def make_loss(jax, score):
    vmap, jnp = jax.vmap, jax.numpy

    def loss(params, batch):
        def s(x):
            return score(params, x)[0]

        term1 = vmap(jax.grad(s))(batch)[:, 0]
        term2 = 0.5 * vmap(s)(batch) ** 2
        return jnp.mean(term1 + term2)

    return loss


# ---------------------------------------------------------------------------------------------
# Training


def run_jaxopt(jax, loss, params, data, args):
    """jaxopt.GradientDescent as the notebook calls it; returns (compiled run, reader)."""
    from jaxopt import GradientDescent
    solver = GradientDescent(fun=loss, maxiter=args.maxiter, tol=args.tol)
    run = jax.jit(lambda p, batch: solver.run(p, batch=batch))
    compiled = run.lower(params, data).compile()

    def read(result):
        state = result.state
        return {"params": result.params, "iterations": int(state.iter_num),
                "error": float(state.error), "stepsize": float(state.stepsize),
                "counts": None}

    return compiled, read


def fista(jax, loss_flat, theta0, data, maxiter, tol, stop_rule, maxls=common.MAXLS):
    """jaxopt's ProximalGradient (identity prox, acceleration, line search) in one loop.

    The same steps as seed_torch.fista: value and gradient at y, backtracking from the carried
    step size (halve while s (f(x) - f(y)) > s <g, x - y> + |x - y|^2 / 2 + eps, at most maxls
    times), next step size 2s (or 1 if s <= 1e-6), FISTA's t and y, and the error
    |grad f(x)|. Carries counters of the function evaluations.
    """
    jnp, lax = jax.numpy, jax.lax
    value_and_grad, grad = jax.value_and_grad(loss_flat), jax.grad(loss_flat)
    eps = jnp.finfo(jnp.float32).eps

    def line_search(y, f_y, g_y, stepsize):
        def candidate(s):
            x = y - s * g_y
            return x, loss_flat(x, data)

        def keep_halving(carry):
            x, f_x, s, evaluations = carry
            diff = x - y
            allowed = s * jnp.vdot(diff, g_y) + 0.5 * jnp.vdot(diff, diff) + eps
            return (s * (f_x - f_y) > allowed) & (evaluations <= maxls)

        def halve(carry):
            s = carry[2] * 0.5
            return candidate(s) + (s, carry[3] + 1)

        return lax.while_loop(keep_halving, halve, candidate(stepsize) + (stepsize, jnp.int32(1)))

    def running(state):
        return (state["k"] < maxiter) & (state["error"] > tol)

    def iterate(state):
        f_y, g_y = value_and_grad(state["y"], data)
        x, f_x, s, evaluations = line_search(state["y"], f_y, g_y, state["stepsize"])
        t = state["t"]
        t_next = 0.5 * (1.0 + jnp.sqrt(1.0 + 4.0 * t * t))
        stepsize = jnp.where(s <= 1e-6, 1.0, s / 0.5).astype(jnp.float32)
        if stop_rule == "gradient":
            error = jnp.linalg.norm(grad(x, data))
        else:
            error = jnp.linalg.norm(x - state["x"]) / stepsize
        return {"k": state["k"] + 1, "x": x, "y": x + (t - 1.0) / t_next * (x - state["x"]),
                "t": t_next, "stepsize": stepsize, "error": error, "loss": f_x,
                "line_search_evaluations": state["line_search_evaluations"] + evaluations}

    f32 = partial(jnp.asarray, dtype=jnp.float32)
    state = {"k": jnp.int32(0), "x": theta0, "y": theta0, "t": f32(1.0), "stepsize": f32(1.0),
             "error": f32(jnp.inf), "loss": f32(jnp.nan), "line_search_evaluations": jnp.int32(0)}
    return lax.while_loop(running, iterate, state)


def run_fista(jax, loss, params, data, args):
    """The hand-written optimiser on the flattened parameters; returns (compiled run, reader)."""
    from jax.flatten_util import ravel_pytree
    theta0, unravel = ravel_pytree(params)

    def loss_flat(theta, batch):
        return loss(unravel(theta), batch)

    run = jax.jit(lambda theta, batch: fista(jax, loss_flat, theta, batch, args.maxiter, args.tol,
                                                   args.stop_rule))
    compiled = run.lower(theta0, data).compile()

    def read(state):
        iterations = int(state["k"])
        return {"params": unravel(state["x"]), "iterations": iterations,
                "error": float(state["error"]), "stepsize": float(state["stepsize"]),
                "loss": float(state["loss"]),
                "counts": (iterations, int(state["line_search_evaluations"]),
                           iterations if args.stop_rule == "gradient" else 0)}

    return (lambda p, batch: compiled(ravel_pytree(p)[0], batch)), read


def jaxopt_version():
    """The installed jaxopt's version, or None when it is missing or does not import."""
    try:
        import jaxopt  # noqa: F401
    except Exception:  # an old jaxopt may fail to import on a new JAX in many ways
        return None
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("jaxopt")
    except PackageNotFoundError:
        return "unknown"


def train(jax, loss, params, data, args):
    optimizer = args.optimizer
    if optimizer == "auto":
        optimizer = "jaxopt" if jaxopt_version() else "fista"
    if optimizer == "jaxopt" and not jaxopt_version():
        print(f"{PEER}: error: --optimizer jaxopt but jaxopt is not installed", file=sys.stderr)
        raise SystemExit(2)
    start = time.perf_counter()
    run, read = (run_jaxopt if optimizer == "jaxopt" else run_fista)(jax, loss, params, data, args)
    compile_seconds = time.perf_counter() - start
    start = time.perf_counter()
    raw = jax.block_until_ready(run(params, data))
    seconds = time.perf_counter() - start
    result = read(raw)
    if "loss" not in result or result["iterations"] == 0:
        result["loss"] = float(jax.jit(loss)(result["params"], data))
    label = (f"jaxopt {jaxopt_version()} (its own stop rule)" if optimizer == "jaxopt"
             else f"fista, stop rule {args.stop_rule}")
    result.update(optimizer=optimizer, label=label, seconds=seconds,
                  compile_seconds=compile_seconds,
                  stopped="tol" if result["error"] <= args.tol else "maxiter")
    return result


# ---------------------------------------------------------------------------------------------
# Langevin dynamics as the notebook runs it: vmap over chains of lax.scan over steps.


def make_sampler(jax, score, chains, dim, steps, epsilon, keep):
    """A function (params, key) -> samples: (chains, steps, d) trajectory or (chains, d)."""
    random, lax, jnp = jax.random, jax.lax, jax.numpy

    def one_chain(x, key, params):
        keys = random.split(key, steps)

        def inner(prev_x, step_key):
            draw = random.normal(step_key, shape=prev_x.shape)
            new_x = prev_x + epsilon * score(params, prev_x) + jnp.sqrt(2 * epsilon) * draw
            return new_x, (prev_x if keep else None)

        final, xs = lax.scan(inner, x, keys)
        return xs if keep else final

    def many_chains(params, key):
        starter_xs = random.normal(key, shape=(chains, dim))
        keys = random.split(key, num=chains)
        return jax.vmap(partial(one_chain, params=params))(starter_xs, keys)

    return many_chains


def sample(jax, score, params, args):
    dim = params[0][0].shape[0]
    sampler = make_sampler(jax, score, args.chains, dim, args.steps, args.epsilon,
                           not args.final_only)
    key = jax.random.PRNGKey(args.sample_seed)
    start = time.perf_counter()
    compiled = jax.jit(sampler).lower(params, key).compile()
    compile_seconds = time.perf_counter() - start
    jax.block_until_ready(compiled(params, key))  # warm-up run, as sampler_benchmark does
    seconds = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        samples = jax.block_until_ready(compiled(params, key))
        seconds.append(time.perf_counter() - start)
    import numpy as np
    return {"samples": np.asarray(samples), "seconds": common.median(seconds),
            "all_seconds": seconds, "prepare_seconds": compile_seconds, "chains": args.chains,
            "steps": args.steps, "keep": "final" if args.final_only else "trajectory"}


# ---------------------------------------------------------------------------------------------


def device_label(jax):
    device = jax.devices()[0]
    if device.platform == "cpu":
        return "cpu: " + common.cpu_model()
    return f"{'cuda' if device.platform == 'gpu' else device.platform}: {device.device_kind}"


def threads_label(jax):
    if jax.devices()[0].platform != "cpu":
        return "–"
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def run_sampler(jax, io, args, data):
    """--sample-only: the sampler table (chain-steps/s, GFLOP/s) for --model or a random one."""
    if args.model:
        layers, activation = io.read_model(args.model)
        params = from_library_layers(jax, layers)
    else:
        activation = "relu"
        params = stax_init(jax, jax.random.PRNGKey(args.seed), [1, common.HIDDEN, 1])
        layers = to_library_layers(params)
    result = sample(jax, make_model(jax, activation)[1], params, args)
    flop = io.flop_per_chain_step(layers)
    common.print_table(common.SAMPLER_COLUMNS, [common.sampler_row(
        f"jax {jax.__version__}", device_label(jax), threads_label(jax),
        io.describe(layers, activation), flop, result, data)])
    print(f"# sampling: {flop} FLOP per chain-step; compile {result['prepare_seconds']:.3f} s; "
          "runs " + ", ".join(f"{s:.4f}" for s in result["all_seconds"]) + " s (median shown)")
    return result


def run_pipeline(jax, io, args, data):
    """The notebook end to end: train, sample, compare; the pipeline table."""
    import numpy as np
    data_jax, init_key = seed_data_and_init_key(jax, args.seed)
    if data is not None:
        if data.shape[1] != 1:
            raise common.FormatError(f"{args.data}: training is 1-D, the data has "
                                     f"d = {data.shape[1]}")
        data_jax = jax.numpy.asarray(data)
    if args.init_model:
        layers, activation = io.read_model(args.init_model)
        if layers[0][0].shape[1] != 1:
            raise common.FormatError(f"{args.init_model}: training is 1-D")
        params = from_library_layers(jax, layers)
    else:
        activation = "relu"
        params = stax_init(jax, init_key, [1, common.HIDDEN, 1])
    print(common.fingerprint(np.asarray(data_jax), to_library_layers(params)))
    score = make_model(jax, activation)[1]
    training = train(jax, make_loss(jax, score), params, data_jax, args)
    if args.save_model:
        io.write_model(args.save_model, to_library_layers(training["params"]), activation)
    result = sample(jax, score, training["params"], args)
    common.print_table(common.PIPELINE_COLUMNS, [common.pipeline_row(
        f"jax {jax.__version__} {training['optimizer']}", device_label(jax), threads_label(jax),
        training, result, np.asarray(data_jax))])
    counts = training["counts"]
    evaluations = ("not counted inside jaxopt" if counts is None else
                   f"{counts[0]} value+gradient (at y), {counts[1]} value (line search), "
                   f"{counts[2]} gradient (at x)")
    print(f"# training: {training['label']}, stopped by {training['stopped']} after "
          f"{training['iterations']} iterations; final error {training['error']:.3g}; next "
          f"step size {training['stepsize']:.3g}; compile {training['compile_seconds']:.2f} s "
          f"(not in train seconds); function evaluations: {evaluations}")
    print(f"# sampling: compile {result['prepare_seconds']:.3f} s (not in sample seconds)")
    return result


def main(argv=None):
    args = parse_args(argv)
    allocator = "malloc as is" if args.default_malloc else common.keep_freed_memory()
    jax, reason = import_jax(args)
    if jax is None:
        print(f"{PEER}: skipped: {reason}", file=sys.stderr)
        return 0
    import numpy as np
    import safetensors_io as io

    print(f"# {PEER}: jax {jax.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; CPU {common.cpu_model()}, {threads_label(jax)} CPUs for "
          f"XLA; {device_label(jax)}; {allocator}; {common.today()}")
    data = io.read_array(args.data) if args.data else None
    result = (run_sampler if args.sample_only else run_pipeline)(jax, io, args, data)
    if args.out_samples:
        io.write_array(args.out_samples, result["samples"])
    return 0


if __name__ == "__main__":
    sys.exit(common.run(main, PEER))
