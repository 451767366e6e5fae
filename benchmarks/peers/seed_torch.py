#!/usr/bin/env python3
"""The seed notebook's pipeline in PyTorch: a peer of `langevin demo` and `sampler_benchmark`.

Train a 1 -> 1024 -> 1 ReLU score model on the seed's 1-D Gaussian mixture by exact (Hyvarinen)
score matching, full batch, with the seed's optimiser (jaxopt.GradientDescent's defaults:
FISTA with a backtracking line search, written out here), then run 1000 Langevin chains for
2000 steps at eps = 5e-3 and compare the trajectory with the data.

  seed_torch.py [--device cpu|cuda] [--threads N] [--compile] [--cuda-graph]
                [--data data.npy] [--init-model M.safetensors] [--save-model M.safetensors]
  seed_torch.py --sample-only [--model M.safetensors] --chains N --steps K --final-only

Everything runs in float32. Prints one Markdown table; comment lines (#) around it say what
ran on which machine and how the optimiser spent its function evaluations.
"""

import contextlib
import math
import sys
import time

import peer_common as common

PEER = "seed_torch"


def parse_args(argv=None):
    parser = common.new_parser(__doc__)
    parser.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"),
                        help="where to run (auto: cuda when available)")
    parser.add_argument("--seed", type=int, default=common.DATA_SEED,
                        help="seed of the data and the initial weights (%(default)s)")
    common.add_training_options(parser)
    common.add_sampling_options(parser)
    common.add_allocator_option(parser)
    fast = parser.add_argument_group("sampler variants")
    fast.add_argument("--compile", action="store_true",
                      help="torch.compile the Langevin step (compile time is left out of "
                           "the timing and reported on its own)")
    fast.add_argument("--cuda-graph", action="store_true",
                      help="capture --graph-steps Langevin steps in one CUDA graph and replay it")
    fast.add_argument("--graph-steps", type=int, default=100,
                      help="steps per CUDA-graph replay (%(default)s)")
    args = parser.parse_args(argv)
    common.check_sampling_options(parser, args)
    if args.model and not args.sample_only:
        parser.error("--model goes with --sample-only; to start training from weights, "
                     "use --init-model")
    if args.maxiter < 0 or args.graph_steps < 1:
        parser.error("--maxiter must be >= 0 and --graph-steps >= 1")
    return args


# ---------------------------------------------------------------------------------------------
# Device and data


def pick_device(torch, name):
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        raise SystemExit(error(f"--device cuda but torch {torch.__version__} sees no CUDA GPU"))
    return torch.device(name)


def device_label(torch, device):
    if device.type == "cuda":
        return "cuda: " + torch.cuda.get_device_name(device)
    return "cpu: " + common.cpu_model()


def synchronize(torch, device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def seed_data(torch, seed, device):
    """The seed's data: 10000 draws of N(-5, 3^2) and 5000 of N(6, 1^2), shape (N, 1)."""
    generator = torch.Generator().manual_seed(seed)
    parts = [torch.randn(n, 1, generator=generator) * std + mean
             for n, mean, std in common.MIXTURE]
    return torch.cat(parts).to(device)


# ---------------------------------------------------------------------------------------------
# The model: a list of (W (out, in), b (out,)) pairs, packed into one flat parameter vector so
# that the optimiser's arithmetic (steps, dot products, norms) is plain vector arithmetic.


def glorot_layers(torch, widths, seed):
    """stax.Dense's initialisation: W ~ Glorot normal, b ~ N(0, 0.01^2).

    jax.nn.initializers.glorot_normal draws a normal truncated to +-2 standard deviations and
    rescales it (by 1/0.8796...) so that the variance is exactly 2 / (fan_in + fan_out).
    """
    generator = torch.Generator().manual_seed(seed)
    layers = []
    for fan_in, fan_out in zip(widths[:-1], widths[1:]):
        std = math.sqrt(2.0 / (fan_in + fan_out)) / 0.87962566103423978
        weight = torch.empty(fan_out, fan_in)
        torch.nn.init.trunc_normal_(weight, 0.0, std, -2 * std, 2 * std, generator=generator)
        bias = torch.randn(fan_out, generator=generator) * 1e-2
        layers.append((weight, bias))
    return layers


class Packing:
    """Maps a list of (W, b) pairs to one flat vector and back (as views)."""

    def __init__(self, layers):
        self.shapes = [(tuple(w.shape), tuple(b.shape)) for w, b in layers]

    def flatten(self, torch, layers):
        return torch.cat([t.reshape(-1) for pair in layers for t in pair])

    def unflatten(self, theta):
        layers, offset = [], 0
        for weight_shape, bias_shape in self.shapes:
            pair = []
            for shape in (weight_shape, bias_shape):
                size = math.prod(shape)
                pair.append(theta[offset:offset + size].view(shape))
                offset += size
            layers.append(tuple(pair))
        return layers


def activation_function(torch, name):
    functional = torch.nn.functional
    return {"relu": torch.relu, "softplus": functional.softplus, "tanh": torch.tanh,
            "silu": functional.silu}[name]


def mlp(layers, activation, x):
    """s(x) for x of shape (N, d): Linear layers with the activation between them."""
    for weight, bias in layers[:-1]:
        x = activation(x @ weight.T + bias)
    weight, bias = layers[-1]
    return x @ weight.T + bias


# ---------------------------------------------------------------------------------------------
# Exact score matching (Hyvarinen 2005) in 1-D: J = mean(0.5 s(x)^2 + ds/dx).


class Objective:
    """The full-batch loss as the optimiser sees it, counting every evaluation.

    The ds/dx term is a derivative of the network, so its gradient with respect to the weights
    needs a second backward pass through the first one (create_graph=True). An evaluation of
    the value alone (the line search's) still needs ds/dx, but not that second pass.
    """

    def __init__(self, torch, packing, activation, data):
        self.torch, self.packing, self.activation, self.data = torch, packing, activation, data
        self.value_calls = self.value_and_grad_calls = self.grad_calls = 0

    def _loss(self, theta, create_graph):
        x = self.data.detach().requires_grad_(True)
        s = mlp(self.packing.unflatten(theta), self.activation, x)
        # Each s_i depends on x_i alone, so d(sum s)/dx_i = ds_i/dx_i.
        (ds_dx,) = self.torch.autograd.grad(s.sum(), x, create_graph=create_graph)
        return (0.5 * s.square() + ds_dx).mean()

    def value(self, theta):
        self.value_calls += 1
        return self._loss(theta.detach(), create_graph=False).detach()

    def value_and_grad(self, theta, count=True):
        if count:
            self.value_and_grad_calls += 1
        theta = theta.detach().requires_grad_(True)
        loss = self._loss(theta, create_graph=True)
        (gradient,) = self.torch.autograd.grad(loss, theta)
        return loss.detach(), gradient

    def grad(self, theta):
        self.grad_calls += 1
        return self.value_and_grad(theta, count=False)[1]


# ---------------------------------------------------------------------------------------------
# The seed's optimiser: jaxopt.GradientDescent(fun=loss, maxiter=1200), i.e. ProximalGradient
# with the identity prox and its defaults: stepsize=0 (backtracking line search), maxls=15,
# decrease_factor (once called stepfactor) = 0.5, acceleration=True (FISTA), tol=1e-3. Written
# as jaxopt's _update_accel / _iter / line search do it, in float32 arithmetic.


def line_search(torch, objective, y, f_y, g_y, stepsize, maxls):
    """Backtracking from `stepsize`: halve until f(x) - f(y) <= <g, x - y> + |x - y|^2 / 2s.

    jaxopt multiplies both sides by s and adds float32 eps to the right-hand side for
    numerical robustness; so does this. After `maxls` halvings the last candidate is taken
    as it is. Returns (x, f(x), accepted stepsize, value evaluations).
    """
    eps = torch.finfo(torch.float32).eps
    s = torch.tensor(stepsize, dtype=torch.float32, device=y.device)
    evaluations = 0
    for halvings in range(maxls + 1):
        if halvings:
            s = s * 0.5
        x = y - s * g_y
        f_x = objective.value(x)
        evaluations += 1
        diff = x - y
        decrease = s * (f_x - f_y)
        allowed = s * torch.dot(diff, g_y) + 0.5 * torch.dot(diff, diff)
        # A NaN loss compares False here and is accepted, as in jaxopt.
        if not bool(decrease > allowed + eps):
            break
    return x, f_x, float(s), evaluations


def fista(torch, objective, theta0, maxiter, tol, stop_rule="gradient", maxls=common.MAXLS,
          progress=None):
    """Accelerated proximal gradient with identity prox; returns a dict of results.

    stop_rule "gradient": error = |prox(x - grad f(x)) - x| = |grad f(x)| at the new x, as
    jaxopt computed it in 2022 (the notebook's time); "iterates": |x_new - x| / the next step
    size, as jaxopt computes it since google/jaxopt#376 (2023), with no extra gradient.
    progress(iterations, maxiter, loss), if given, is called after every iteration.
    """
    x, y, t, stepsize = theta0.clone(), theta0.clone(), 1.0, 1.0
    error, iterations, loss, line_search_evaluations = math.inf, 0, math.nan, 0
    while iterations < maxiter and error > tol:
        f_y, g_y = objective.value_and_grad(y)
        x_next, f_next, accepted, evaluations = line_search(
            torch, objective, y, f_y, g_y, stepsize, maxls)
        line_search_evaluations += evaluations
        # Restart a collapsed step size; otherwise try one twice as large next time.
        stepsize = 1.0 if accepted <= 1e-6 else accepted / 0.5
        t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
        y = x_next + ((t - 1.0) / t_next) * (x_next - x)
        if stop_rule == "gradient":
            error = float(torch.linalg.vector_norm(objective.grad(x_next)))
        else:
            error = float(torch.linalg.vector_norm(x_next - x)) / stepsize
        x, t = x_next, t_next
        loss = float(f_next)
        iterations += 1
        if progress:
            progress(iterations, maxiter, loss)
    return {"theta": x, "iterations": iterations, "loss": loss, "error": error,
            "stepsize": stepsize, "line_search_evaluations": line_search_evaluations,
            "stopped": "tol" if error <= tol else "maxiter"}


def show_progress(iterations, maxiter, loss):
    """A one-line counter on a terminal (stderr), every 10 iterations and at the end."""
    if iterations % 10 == 0 or iterations == maxiter:
        end = "\n" if iterations == maxiter else ""
        print(f"\r{PEER}: training {iterations}/{maxiter}, loss {loss:.5f}", end=end,
              file=sys.stderr, flush=True)


def train(torch, layers, activation_name, data, args, device):
    packing = Packing(layers)
    theta0 = packing.flatten(torch, layers).to(device)
    objective = Objective(torch, packing, activation_function(torch, activation_name), data)
    synchronize(torch, device)
    start = time.perf_counter()
    progress = show_progress if sys.stderr.isatty() else None
    result = fista(torch, objective, theta0, args.maxiter, args.tol, args.stop_rule,
                   progress=progress)
    synchronize(torch, device)
    result["seconds"] = time.perf_counter() - start
    result["layers"] = [(w.detach(), b.detach()) for w, b in packing.unflatten(result["theta"])]
    result["counts"] = (objective.value_and_grad_calls, objective.value_calls,
                        objective.grad_calls)
    return result


# ---------------------------------------------------------------------------------------------
# Langevin dynamics, all chains at once: x <- x + eps s(x) + sqrt(2 eps) z, one batched step
# (a few framework operations, the hidden layer as a chains x 1024 matrix) per loop iteration.


def inplace_activation(torch, name):
    functional = torch.nn.functional
    return {"relu": torch.relu_, "tanh": torch.tanh_,
            "silu": lambda h: functional.silu(h, inplace=True),
            "softplus": lambda h: h.copy_(functional.softplus(h))}[name]


class EagerStep:
    """One step with preallocated buffers and in-place operations, updating x in place.

    This is how one writes a fast eager loop: no tensor is allocated per step (on the CPU every
    fresh chains x 1024 block would otherwise cost page faults), the bias add rides in addmm
    and the two scaled adds in add_(alpha=). Static buffers also suit CUDA-graph capture.
    """

    def __init__(self, torch, layers, activation_name, epsilon, x0):
        self.torch, self.epsilon, self.noise_scale = torch, epsilon, math.sqrt(2.0 * epsilon)
        self.layers = [(w.T.contiguous(), b) for w, b in layers]
        chains = x0.shape[0]
        self.outputs = [torch.empty(chains, w.shape[0], device=x0.device) for w, _ in layers]
        self.noise = torch.empty_like(x0)
        self.activate_ = inplace_activation(torch, activation_name)

    def __call__(self, x):
        torch, h = self.torch, x
        for i, ((weight_t, bias), out) in enumerate(zip(self.layers, self.outputs)):
            torch.addmm(bias, h, weight_t, out=out)
            if i + 1 < len(self.layers):
                self.activate_(out)
            h = out
        torch.randn(x.shape, out=self.noise)
        return x.add_(h, alpha=self.epsilon).add_(self.noise, alpha=self.noise_scale)


def functional_step(torch, layers, activation_name, epsilon):
    """The same step as a pure function, for torch.compile to fuse."""
    activation, noise_scale = activation_function(torch, activation_name), math.sqrt(2.0 * epsilon)

    def step(x):
        return x + epsilon * mlp(layers, activation, x) + noise_scale * torch.randn_like(x)

    return step


class Sampler:
    """Runs the chains eagerly, torch.compile'd, or as replays of a captured CUDA graph.

    prepare() does the untimed work (warm-up, compilation, graph capture); run(x0) is the part
    that is timed. The trajectory keeps the state *before* each update, like the library's
    `--keep trajectory` and the seed's lax.scan.
    """

    def __init__(self, torch, layers, activation_name, args, x0):
        self.torch, self.device = torch, x0.device
        self.steps, self.keep = args.steps, not args.final_only
        self.cuda_graph, self.graph_steps = args.cuda_graph, min(args.graph_steps, args.steps)
        layers = [(w.to(self.device), b.to(self.device)) for w, b in layers]
        if args.compile:
            self.step = torch.compile(functional_step(torch, layers, activation_name,
                                                      args.epsilon), dynamic=False)
        else:
            self.step = EagerStep(torch, layers, activation_name, args.epsilon, x0)
        self.graphs = {}

    def prepare(self, x0):
        """Warm up (cuBLAS handles, allocator, compilation) and capture graphs; untimed."""
        torch = self.torch
        side = torch.cuda.Stream() if self.device.type == "cuda" else None
        if side is not None:
            # The CUDA-graph recipe: warm up on a side stream before capturing.
            side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side) if side is not None else contextlib.nullcontext():
            with torch.no_grad():
                scratch = x0.clone()
                for _ in range(3):
                    scratch = self.step(scratch)
        if side is not None:
            torch.cuda.current_stream().wait_stream(side)
        if self.cuda_graph:
            self._capture(x0)
        synchronize(torch, self.device)

    def _advance(self, x):
        """One step of the static state (the eager step updates it in place already)."""
        out = self.step(x)
        if out is not x:
            x.copy_(out)

    def _capture(self, x0):
        torch = self.torch
        self.static_x = x0.clone()
        sizes = {self.graph_steps, self.steps % self.graph_steps} - {0}
        for size in sizes:
            block = (torch.empty((size,) + tuple(x0.shape), device=self.device)
                     if self.keep else None)
            graph = torch.cuda.CUDAGraph()
            with torch.no_grad(), torch.cuda.graph(graph):
                for j in range(size):
                    if self.keep:
                        block[j].copy_(self.static_x)
                    self._advance(self.static_x)
            self.graphs[size] = (graph, block)

    def run(self, x0):
        with self.torch.no_grad():
            return self._run_graphs(x0) if self.cuda_graph else self._run_steps(x0)

    def _trajectory_buffer(self, x0):
        # (steps, chains, d): each step writes one contiguous row.
        return self.torch.empty((self.steps,) + tuple(x0.shape), device=self.device)

    def _run_steps(self, x0):
        x, trajectory = x0.clone(), self._trajectory_buffer(x0) if self.keep else None
        for k in range(self.steps):
            if self.keep:
                trajectory[k].copy_(x)
            x = self.step(x)
        return trajectory.transpose(0, 1) if self.keep else x

    def _run_graphs(self, x0):
        trajectory = self._trajectory_buffer(x0) if self.keep else None
        self.static_x.copy_(x0)
        done = 0
        while done < self.steps:
            size = min(self.graph_steps, self.steps - done)
            graph, block = self.graphs[size]
            graph.replay()
            if self.keep:
                trajectory[done:done + size].copy_(block)
            done += size
        return trajectory.transpose(0, 1) if self.keep else self.static_x.clone()


def sample(torch, layers, activation_name, args, device):
    """Prepare, then time --repeat runs from the same seed; returns the last run's samples."""
    dim = layers[0][0].shape[1]

    def initial_states():
        # Reseed before each run so that every run draws the same x0 and noise stream.
        torch.manual_seed(args.sample_seed)
        return torch.randn(args.chains, dim, device=device)

    start = time.perf_counter()
    sampler = Sampler(torch, layers, activation_name, args, initial_states())
    sampler.prepare(initial_states())
    prepare_seconds = time.perf_counter() - start
    seconds = []
    for _ in range(args.repeat):
        x0 = initial_states()
        synchronize(torch, device)
        start = time.perf_counter()
        samples = sampler.run(x0)
        synchronize(torch, device)
        seconds.append(time.perf_counter() - start)
    samples = samples.detach().cpu().numpy()
    return {"samples": samples, "seconds": common.median(seconds), "all_seconds": seconds,
            "prepare_seconds": prepare_seconds, "chains": args.chains, "steps": args.steps,
            "keep": "final" if args.final_only else "trajectory"}


# ---------------------------------------------------------------------------------------------


def variant_name(torch, args):
    parts = ["torch " + torch.__version__.split("+")[0]]
    parts += ["compile"] if args.compile else []
    parts += [f"cuda-graph/{args.graph_steps}"] if args.cuda_graph else []
    return " ".join(parts if len(parts) > 1 else parts + ["eager"])


def load_layers(torch, io, path):
    layers, activation = io.read_model(path)
    return [(torch.from_numpy(w.copy()), torch.from_numpy(b.copy())) for w, b in layers], activation


def error(message):
    print(f"{PEER}: error: {message}", file=sys.stderr)
    return 2


def numpy_layers(layers):
    return [(w.numpy(), b.numpy()) for w, b in layers]


def run_sampler(torch, io, args, device, data):
    """--sample-only: the sampler table (chain-steps/s, GFLOP/s) for --model or a random one."""
    if args.model:
        layers, activation = load_layers(torch, io, args.model)
    else:
        layers, activation = glorot_layers(torch, [1, common.HIDDEN, 1], args.seed), "relu"
    result = sample(torch, layers, activation, args, device)
    flop = io.flop_per_chain_step(numpy_layers(layers))
    common.print_table(common.SAMPLER_COLUMNS, [common.sampler_row(
        variant_name(torch, args), device_label(torch, device), torch.get_num_threads(),
        io.describe(numpy_layers(layers), activation), flop, result, data)])
    print(f"# sampling: {flop} FLOP per chain-step; prepare (warm-up, compile, capture) "
          f"{result['prepare_seconds']:.3f} s; runs "
          + ", ".join(f"{s:.4f}" for s in result["all_seconds"]) + " s (median shown)")
    return result


def run_pipeline(torch, io, args, device, data):
    """The seed end to end: train, sample, compare; the pipeline table."""
    if data is None:
        data = seed_data(torch, args.seed, device).cpu().numpy()
    elif data.shape[1] != 1:
        raise common.FormatError(f"{args.data}: training is 1-D, the data has d = {data.shape[1]}")
    if args.init_model:
        layers, activation = load_layers(torch, io, args.init_model)
        if layers[0][0].shape[1] != 1:
            raise common.FormatError(f"{args.init_model}: training is 1-D")
    else:
        layers, activation = glorot_layers(torch, [1, common.HIDDEN, 1], args.seed), "relu"
    print(common.fingerprint(data, numpy_layers(layers)))
    training = train(torch, layers, activation, torch.from_numpy(data).to(device), args, device)
    trained = [(w.cpu(), b.cpu()) for w, b in training["layers"]]
    if args.save_model:
        io.write_model(args.save_model, numpy_layers(trained), activation)
    result = sample(torch, trained, activation, args, device)
    common.print_table(common.PIPELINE_COLUMNS, [common.pipeline_row(
        variant_name(torch, args), device_label(torch, device), torch.get_num_threads(),
        training, result, data)])
    value_and_grad, value, grad = training["counts"]
    print(f"# training: stop rule {args.stop_rule}, stopped by {training['stopped']} after "
          f"{training['iterations']} iterations; final error {training['error']:.3g}; next step "
          f"size {training['stepsize']:.3g}; function evaluations: {value_and_grad} "
          f"value+gradient (at y), {value} value (line search), {grad} gradient (at x)")
    print(f"# sampling: prepare (warm-up, compile, capture) {result['prepare_seconds']:.3f} s")
    return result


def main(argv=None):
    args = parse_args(argv)
    allocator = "malloc as is" if args.default_malloc else common.keep_freed_memory()
    try:
        import numpy as np
        import torch
    except ImportError as missing:
        return error(f"needs PyTorch and NumPy ({missing}); pip install numpy torch")
    import safetensors_io as io

    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = pick_device(torch, args.device)
    if args.cuda_graph and device.type != "cuda":
        return error("--cuda-graph needs --device cuda")
    data = io.read_array(args.data) if args.data else None
    print(f"# {PEER}: torch {torch.__version__}, numpy {np.__version__}, python "
          f"{sys.version.split()[0]}; CPU {common.cpu_model()}, {torch.get_num_threads()} "
          f"torch threads; {device_label(torch, device)}; {allocator}; {common.today()}")
    result = (run_sampler if args.sample_only else run_pipeline)(torch, io, args, device, data)
    if args.out_samples:
        io.write_array(args.out_samples, result["samples"])
    return 0


if __name__ == "__main__":
    sys.exit(common.run(main, PEER))
