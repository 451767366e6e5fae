"""What the peers share: the seed's constants, the comparison statistics, the tables, options.

Only the standard library is imported at module level, so that a peer can parse its options
(and set thread counts in the environment) before NumPy or a framework is loaded.
"""

import argparse
import datetime
import os
import platform
import sys

# The seed notebook's numbers (shared/seed/langevin-dynamics-notebook.md, CLI.md `demo`).
MIXTURE = ((10000, -5.0, 3.0), (5000, 6.0, 1.0))  # (draws, mean, std) per component
HIDDEN = 1024
MAXITER = 1200
TOL = 1e-3
MAXLS = 15
CHAINS = 1000
STEPS = 2000
EPSILON = 5e-3
RIGHT_MODE_THRESHOLD = 1.5
DATA_SEED = 45     # the notebook's PRNGKey(45): data, then the initial weights
SAMPLE_SEED = 40   # the notebook's PRNGKey(40): initial states and noise

PIPELINE_COLUMNS = (
    "peer", "device", "threads", "train iterations", "train seconds", "s/iteration", "loss",
    "chains", "steps", "sample seconds", "chain-steps/s", "KS(samples, data)",
    "right-mode weight data", "right-mode weight samples")
SAMPLER_COLUMNS = (
    "peer", "device", "threads", "score", "chains", "steps", "keep", "sample seconds",
    "chain-steps/s", "GFLOP/s", "KS(samples, data)", "right-mode weight data",
    "right-mode weight samples")


class FormatError(ValueError):
    """An input file that is not what it should be (the message names the file)."""


def run(main, peer):
    """Run a peer's main(); a missing or malformed input file is one line on stderr, status 2."""
    try:
        return main()
    except (OSError, FormatError) as error:
        print(f"{peer}: error: {error}", file=sys.stderr)
        return 2


# ---------------------------------------------------------------------------------------------
# Options


def add_sampling_options(parser, sample_only_flag=True):
    """The options every peer takes for the sampling part."""
    group = parser.add_argument_group("sampling")
    if sample_only_flag:
        group.add_argument("--sample-only", action="store_true",
                           help="skip training: sample --model (or a Glorot-random 1-1024-1 "
                                "ReLU model) and print the sampler table with GFLOP/s")
    group.add_argument("--model", metavar="M.safetensors",
                       help="score model in the library's layout (layers.{i}.weight (out, in))")
    group.add_argument("--chains", type=int, default=CHAINS, help="number of chains (%(default)s)")
    group.add_argument("--steps", type=int, default=STEPS,
                       help="Langevin updates per chain (%(default)s)")
    group.add_argument("--epsilon", type=float, default=EPSILON,
                       help="step size in x <- x + eps s(x) + sqrt(2 eps) z (%(default)s)")
    group.add_argument("--final-only", action="store_true",
                       help="keep only the final states (the library's --keep final) instead "
                            "of the trajectory of states before each update")
    group.add_argument("--repeat", type=int, default=None,
                       help="timed sampling runs after the warm-up; the median is reported "
                            "(default 3 with --sample-only, like sampler_benchmark, else 1)")
    group.add_argument("--sample-seed", type=int, default=SAMPLE_SEED,
                       help="seed of the initial states and the noise (%(default)s)")
    group.add_argument("--out-samples", metavar="S.npy",
                       help="write the samples (chains, steps, 1) or (chains, d) as .npy")
    group.add_argument("--data", metavar="DATA.npy",
                       help="data to compare the samples with (KS, mode weights) and, in the "
                            "pipeline, to train on (there the default is the seed's mixture, "
                            "drawn with --seed)")
    group.add_argument("--threads", type=int, default=None,
                       help="CPU threads (default: the framework's own choice)")
    return group


def check_sampling_options(parser, args):
    for name in ("chains", "steps"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1, not {getattr(args, name)}")
    if args.epsilon <= 0:
        parser.error(f"--epsilon must be positive, not {args.epsilon}")
    if args.threads is not None and args.threads < 1:
        parser.error(f"--threads must be at least 1, not {args.threads}")
    if args.repeat is None:
        args.repeat = 3 if getattr(args, "sample_only", True) else 1
    if args.repeat < 1:
        parser.error(f"--repeat must be at least 1, not {args.repeat}")


def new_parser(description):
    return argparse.ArgumentParser(description=description,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)


STOP_RULES = ("gradient", "iterates")


def add_training_options(parser):
    """The training options of the peers that train (torch, JAX)."""
    train = parser.add_argument_group("training")
    train.add_argument("--init-model", metavar="M.safetensors",
                       help="start training from these weights instead of Glorot-random ones")
    train.add_argument("--save-model", metavar="M.safetensors",
                       help="write the trained model in the library's layout")
    train.add_argument("--maxiter", type=int, default=MAXITER,
                       help="optimiser iterations at most (%(default)s)")
    train.add_argument("--tol", type=float, default=TOL,
                       help="stopping tolerance (%(default)s)")
    train.add_argument("--stop-rule", default="gradient", choices=STOP_RULES,
                       help="the error compared with --tol: 'gradient' = |grad f(x_k+1)|, as "
                            "jaxopt computed it in 2022, the notebook's time (one more gradient "
                            "per iteration); 'iterates' = |x_k+1 - x_k| / next step size, as "
                            "jaxopt does since google/jaxopt#376 (2023; e.g. 0.8.5) "
                            "(default %(default)s)")
    return train


def add_allocator_option(parser):
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's malloc as it is: it hands every large freed block "
                             "back to the OS, so each new big array costs page faults and "
                             "zeroing (see keep_freed_memory)")


def keep_freed_memory():
    """Make glibc's malloc keep freed memory for reuse; returns a note for the output.

    The frameworks' CPU allocators take each tensor from malloc, and glibc serves blocks over
    32 MiB (and, once the dynamic threshold is reached, smaller ones) with mmap and returns
    them at free: an autograd pass over 15000 x 1024 activations then spends most of its time
    in page faults and in the kernel zeroing fresh pages (8x slower on the development VM).
    GPU frameworks cache device memory for the same reason; this gives the host the same
    courtesy. Call it before the framework allocates.
    """
    import ctypes
    import ctypes.util
    M_TRIM_THRESHOLD, M_MMAP_MAX = -1, -4
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        ok = libc.mallopt(M_MMAP_MAX, 0) == 1 and libc.mallopt(M_TRIM_THRESHOLD, 2**31 - 1) == 1
    except (OSError, AttributeError):
        ok = False
    return "glibc malloc keeps freed memory" if ok else "malloc as is (not glibc)"


def share_threads(threads):
    """Put the library (OpenMP) and JAX (XLA's CPU client) on the same thread count; call it
    before either is imported."""
    os.environ["OMP_NUM_THREADS"] = str(threads)
    os.environ.setdefault("XLA_FLAGS", f"--xla_cpu_multi_thread_eigen=true "
                                       f"intra_op_parallelism_threads={threads}")


def limit_cpu_affinity(threads):
    """Pin this process to `threads` CPUs: the one thread control that XLA honours."""
    if threads is None or not hasattr(os, "sched_setaffinity"):
        return
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, cpus[:threads])


# ---------------------------------------------------------------------------------------------
# Statistics, as `langevin demo` reports them


def ks_distance(a, b):
    """Two-sample Kolmogorov-Smirnov distance sup_x |F_a(x) - F_b(x)|."""
    import numpy as np
    a = np.sort(np.asarray(a, dtype=np.float64).ravel())
    b = np.sort(np.asarray(b, dtype=np.float64).ravel())
    # The supremum is reached at one of the sample points; evaluate both ECDFs at all of them.
    points = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, points, side="right") / a.size
    cdf_b = np.searchsorted(b, points, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def right_mode_weight(x):
    """Fraction of values above 1.5, between the seed's two modes (-5 and 6)."""
    import numpy as np
    return float(np.mean(np.asarray(x).ravel() > RIGHT_MODE_THRESHOLD))


def comparison(samples, data):
    """(KS, right-mode weight data, right-mode weight samples), or dashes without data."""
    if data is None or samples.shape[-1] != 1:
        return ("–", "–", "–") if data is None else ("n/a (d > 1)", "–", "–")
    return (f"{ks_distance(samples, data):.4f}", f"{right_mode_weight(data):.4f}",
            f"{right_mode_weight(samples):.4f}")


def fingerprint(data, layers):
    """A comment line that tells whether two runs started from the same data and weights.

    The frameworks' random streams can differ between versions and CPUs; when two machines'
    lines differ, pass the same --data and --init-model to compare their training.
    """
    import numpy as np
    weights = sum(float(np.abs(np.asarray(t, dtype=np.float64)).sum()) for pair in layers
                  for t in pair)
    data = np.asarray(data, dtype=np.float64)
    return (f"# start: {data.shape[0]} data points, sum {data.sum():.6f}; initial weights "
            f"sum |w| {weights:.6f}")


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


# ---------------------------------------------------------------------------------------------
# Output


def cpu_model():
    """The CPU's model name, as lscpu shows it."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def fmt(value, spec):
    return format(value, spec) if isinstance(value, (int, float)) else str(value)


def print_table(columns, rows):
    """Print a Markdown table; numbers right-aligned, like the library's benchmarks."""
    print("| " + " | ".join(columns) + " |")
    print("|" + "|".join("---" if i < 3 else "---:" for i in range(len(columns))) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def pipeline_row(peer, device, threads, training, sampling, data):
    """One row of the seed-pipeline table. training/sampling are dicts of results."""
    ks, weight_data, weight_samples = comparison(sampling["samples"], data)
    iterations, seconds = training["iterations"], training["seconds"]
    return (peer, device, threads, iterations, f"{seconds:.2f}",
            f"{seconds / max(iterations, 1):.4g}", f"{training['loss']:.5f}",
            sampling["chains"], sampling["steps"], f"{sampling['seconds']:.4f}",
            f"{sampling['chains'] * sampling['steps'] / sampling['seconds']:.4g}",
            ks, weight_data, weight_samples)


def sampler_row(peer, device, threads, score, flop_per_step, sampling, data):
    """One row of the sampler table (chain-steps/s and GFLOP/s, as sampler_benchmark)."""
    ks, weight_data, weight_samples = comparison(sampling["samples"], data)
    rate = sampling["chains"] * sampling["steps"] / sampling["seconds"]
    return (peer, device, threads, score, sampling["chains"], sampling["steps"],
            sampling["keep"], f"{sampling['seconds']:.4f}", f"{rate:.4g}",
            f"{rate * flop_per_step / 1e9:.1f}", ks, weight_data, weight_samples)
