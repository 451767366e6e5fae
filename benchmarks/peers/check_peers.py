#!/usr/bin/env python3
"""Quick self-checks of the peers (a few seconds on a CPU): file formats, statistics, and that
the PyTorch and JAX optimisers take the same steps as jaxopt from the same start.

  python3 benchmarks/peers/check_peers.py

Checks whose framework is missing are skipped. Ends with 'N passed, N failed'.
"""

import os
import sys
import tempfile

import numpy as np

import peer_common as common
import safetensors_io as io

RESULTS = {"passed": 0, "failed": 0, "skipped": 0}


def check(name, ok, detail=""):
    RESULTS["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}{': ' + detail if detail else ''}")


def skip(name, why):
    RESULTS["skipped"] += 1
    print(f"skip {name}: {why}")


def check_files(folder):
    rng = np.random.default_rng(0)
    f32 = np.float32
    layers = [(rng.standard_normal((8, 1)).astype(f32), rng.standard_normal(8).astype(f32)),
              (rng.standard_normal((1, 8)).astype(f32), rng.standard_normal(1).astype(f32))]
    path = os.path.join(folder, "m.safetensors")
    io.write_model(path, layers, "tanh")
    back, activation = io.read_model(path)
    same = all(np.array_equal(a, b) for pa, pb in zip(layers, back) for a, b in zip(pa, pb))
    check("safetensors round trip", same and activation == "tanh")
    check("flop per chain-step of 1-1024-1 is 4096",
          io.flop_per_chain_step([(np.zeros((1024, 1)), 0), (np.zeros((1, 1024)), 0)]) == 4096)
    array = rng.standard_normal(5).astype(np.float64)
    io.write_array(os.path.join(folder, "a.npy"), array)
    read = io.read_array(os.path.join(folder, "a.npy"))
    check(".npy (N,) float64 reads as (N, 1) float32",
          read.shape == (5, 1) and read.dtype == np.float32)


def check_statistics():
    a, b = np.array([0.0, 1.0, 2.0, 3.0]), np.array([1.5, 2.5])
    # F_a - F_b peaks at x in [1, 1.5): F_a = 0.5, F_b = 0.
    check("KS distance of a small example", abs(common.ks_distance(a, b) - 0.5) < 1e-12)
    check("KS distance of a sample with itself is 0", common.ks_distance(a, a) == 0.0)
    check("right-mode weight", common.right_mode_weight(np.array([-5, 0, 1.5, 2, 6])) == 0.4)


def data_and_start():
    rng = np.random.default_rng(1)
    data = np.concatenate([rng.normal(-5, 3, 1000), rng.normal(6, 1, 500)]).astype(np.float32)
    w1 = (rng.standard_normal((64, 1)) * 0.17).astype(np.float32)
    w2 = (rng.standard_normal((1, 64)) * 0.17).astype(np.float32)
    b1, b2 = (rng.standard_normal(64) * 0.01).astype(np.float32), np.zeros(1, np.float32)
    return data.reshape(-1, 1), [(w1, b1), (w2, b2)]


def torch_fista(data, layers, iterations):
    import torch
    import seed_torch
    torch.set_num_threads(1)
    tl = [(torch.from_numpy(w), torch.from_numpy(b)) for w, b in layers]
    packing = seed_torch.Packing(tl)
    objective = seed_torch.Objective(torch, packing, torch.relu, torch.from_numpy(data))
    result = seed_torch.fista(torch, objective, packing.flatten(torch, tl), iterations, 1e-3,
                              "iterates")
    return result["theta"].numpy(), result["loss"], result["line_search_evaluations"]


def jax_fista(data, layers, iterations, use_jaxopt):
    import jax
    import seed_jax
    jax.config.update("jax_default_matmul_precision", "highest")
    params = seed_jax.from_library_layers(jax, layers)
    loss = seed_jax.make_loss(jax, seed_jax.make_model(jax, "relu")[1])

    class Args:
        maxiter, tol, stop_rule = iterations, 1e-3, "iterates"

    run, read = (seed_jax.run_jaxopt if use_jaxopt else seed_jax.run_fista)(
        jax, loss, params, jax.numpy.asarray(data), Args)
    result = read(run(params, jax.numpy.asarray(data)))
    # Flatten in the library's (out, in) order, as Packing does.
    library = seed_jax.to_library_layers(result["params"])
    theta = np.concatenate([t.reshape(-1) for pair in library for t in pair])
    return theta, result.get("loss"), (result["counts"] or (None, None))[1]


def check_optimisers():
    data, layers = data_and_start()
    iterations = 15
    try:
        theta_t, loss_t, evals_t = torch_fista(data, layers, iterations)
    except ImportError as error:
        return skip("optimisers", f"PyTorch missing ({error})")
    check("torch FISTA takes steps", np.isfinite(loss_t) and evals_t >= iterations,
          f"loss {loss_t:.6f}, {evals_t} line-search values")
    try:
        import jax  # noqa: F401
    except ImportError:
        return skip("JAX optimisers", "JAX missing")
    theta_j, loss_j, evals_j = jax_fista(data, layers, iterations, use_jaxopt=False)
    check("JAX FISTA = torch FISTA",
          np.abs(theta_j - theta_t).max() < 1e-4 and evals_j == evals_t,
          f"max |dθ| {np.abs(theta_j - theta_t).max():.2g}, evaluations {evals_j} vs {evals_t}")
    import seed_jax
    if not seed_jax.jaxopt_version():
        return skip("jaxopt", "not installed")
    theta_o, _, _ = jax_fista(data, layers, iterations, use_jaxopt=True)
    check("JAX FISTA = jaxopt.GradientDescent", np.abs(theta_j - theta_o).max() < 1e-6,
          f"max |dθ| {np.abs(theta_j - theta_o).max():.2g}")


def main():
    with tempfile.TemporaryDirectory() as folder:
        check_files(folder)
    check_statistics()
    check_optimisers()
    print(f"{RESULTS['passed']} passed, {RESULTS['failed']} failed, "
          f"{RESULTS['skipped']} skipped")
    return 1 if RESULTS["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
