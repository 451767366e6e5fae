"""The API on NumPy inputs: targets, models, sampling, training, scores, comparisons,
summaries, checkpoints, HDF5, with their properties against analytic values."""
import json
import math

import numpy as np
import pytest

import langevin
from conftest import DATA, TWO_MODES


def test_mixture_from_lists_and_arrays_agree(two_modes):
    same = langevin.GaussianMixture([2, 1], np.array([[-5.0], [6.0]]), [[3.0], [1.0]])
    assert same.weights == pytest.approx(two_modes.weights, abs=0)
    assert same.dim == 1 and same.components == 2
    x = np.linspace(-10, 10, 7, dtype=np.float32)[:, None]
    np.testing.assert_array_equal(langevin.score(same, x), langevin.score(two_modes, x))


def test_mixture_score_is_the_analytic_one(two_modes):
    x = np.linspace(-12, 12, 41).astype(np.float32)[:, None]
    w, m, s = [2 / 3, 1 / 3], [-5.0, 6.0], [3.0, 1.0]
    xd = x[:, 0].astype(np.float64)
    p = [w[k] * np.exp(-0.5 * ((xd - m[k]) / s[k]) ** 2) / s[k] for k in range(2)]
    exact = sum(p[k] * -(xd - m[k]) / s[k] ** 2 for k in range(2)) / sum(p)
    got = langevin.score(two_modes, x)[:, 0]
    # float32 evaluation: a few ulp of values up to |x - m|/s² ~ 18.
    np.testing.assert_allclose(got, exact, rtol=0, atol=64 * 2**-24 * 18)


def test_draw_is_reproducible_per_row(two_modes):
    a = two_modes.draw(100, seed=5)
    b = two_modes.draw(50, seed=5)
    np.testing.assert_array_equal(a[:50], b)


def test_sample_final_and_trajectory_shapes(two_modes):
    x = langevin.sample(two_modes, chains=64, steps=10, seed=1)
    assert x.shape == (64, 1) and x.dtype == np.float32
    t = langevin.sample(two_modes, chains=64, steps=10, seed=1, keep="trajectory", burn_in=2, thin=3)
    assert t.shape == (64, math.ceil((10 - 2) / 3), 1)
    # Row k of a trajectory is the state after k updates (row 0: the initial state).
    every = langevin.sample(two_modes, chains=64, steps=10, seed=1, keep="trajectory")
    assert every.shape == (64, 10, 1)
    np.testing.assert_array_equal(every[:, 9], langevin.sample(two_modes, chains=64, steps=9, seed=1))
    np.testing.assert_array_equal(t, every[:, 2::3])


def test_sampler_is_reusable_and_gives_the_same_bits(two_modes):
    sampler = langevin.Sampler(two_modes, chains=100, steps=50, seed=9, backend="cpu")
    assert sampler.backend == "cpu" and sampler.dim == 1 and sampler.output_shape == [100, 1]
    np.testing.assert_array_equal(sampler.run(), sampler.run())
    config = langevin.SamplerConfig(chains=100, steps=50, seed=9, backend="cpu")
    np.testing.assert_array_equal(langevin.Sampler(two_modes, config).run(), sampler.run())
    with pytest.raises(ValueError, match="either as config= or as keyword"):
        langevin.Sampler(two_modes, config, chains=3)


def test_mala_targets_the_mixture_within_standard_errors(two_modes):
    # MALA is exact in the limit: the mean over chains is the mixture's mean, −4/3, within a
    # few standard errors (chains independent; the chain's own error shrinks with steps).
    sampler = langevin.Sampler(two_modes, chains=4000, steps=400, epsilon=0.05, method="mala",
                               seed=2, init_mean=0.0, init_std=4.0)
    x = sampler.run()[:, 0].astype(np.float64)
    mean = -5 * 2 / 3 + 6 / 3
    variance = 2 / 3 * (9 + 25) + 1 / 3 * (1 + 36) - mean**2
    assert abs(x.mean() - mean) < 5 * math.sqrt(variance / x.size)
    assert 0.0 < sampler.acceptance_rate <= 1.0


def test_annealed_sampling_over_a_mixtures_convolutions(two_modes):
    x = langevin.sample(two_modes, chains=200, steps=20, sigmas=langevin.geometric_noise_levels(10, 0.1, 5))
    assert x.shape == (200, 1) and np.isfinite(x).all()


def test_score_of_a_model_and_its_noise_level():
    model = langevin.Mlp.random([2, 16, 2], "tanh", seed=4)
    x = np.random.default_rng(0).normal(size=(10, 2)).astype(np.float32)
    s = langevin.score(model, x)
    assert s.shape == (10, 2)
    with pytest.raises(ValueError, match="sigma: this model is not noise-conditional"):
        langevin.score(model, x, sigma=0.5)
    conditional = langevin.Mlp.from_state_dict(
        {f"{2 * l}.{k}": v for l, (w, b) in enumerate([(np.ones((8, 3)), np.zeros(8)), (np.ones((2, 8)), np.zeros(2))])
         for k, v in (("weight", w), ("bias", b))},
        activation="relu", sigmas=[1.0, 0.1])
    assert conditional.noise_conditional and conditional.noise_levels == [1.0, 0.1]
    with pytest.raises(ValueError, match="noise-conditional"):
        langevin.score(conditional, x)
    assert langevin.score(conditional, x, sigma=0.5).shape == (10, 2)


def test_train_then_sample_recovers_the_modes(data_1d):
    fit = langevin.train(data_1d, hidden=[64], iterations=300, seed=3)
    assert fit.iterations == 300 and fit.model.widths == [1, 64, 1]
    assert math.isfinite(fit.final_loss)
    steps = []
    langevin.train(data_1d, hidden=[8], iterations=5, on_step=steps.append)
    assert [s.iteration for s in steps] == [1, 2, 3, 4, 5]


def test_model_files_and_state_dicts_round_trip(tmp_path):
    model = langevin.Mlp.random([3, 32, 16, 3], "silu", seed=8)
    model.save(str(tmp_path / "m.safetensors"))
    loaded = langevin.Mlp.load(str(tmp_path / "m.safetensors"))
    again = langevin.Mlp.from_state_dict(model.state_dict(), activation="silu")
    x = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    np.testing.assert_array_equal(langevin.score(loaded, x), langevin.score(model, x))
    np.testing.assert_array_equal(langevin.score(again, x), langevin.score(model, x))
    assert sorted(model.state_dict()) == ["0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight"]


def test_compare_and_summaries(two_modes):
    a = two_modes.draw(20000, seed=1)
    b = two_modes.draw(20000, seed=2)
    c = langevin.compare(a, b, mixture=two_modes)
    # Two samples of one law: KS distance of order sqrt(2/n).
    assert c.ks[0] < 4 * math.sqrt(2 / 20000)
    assert c.component_weights_a[0] == pytest.approx(2 / 3, abs=5 * math.sqrt(2 / 9 / 20000))
    s = langevin.summarize(a, bins=10, range=(-10, 10))
    assert s.count == 20000 and s.counts.shape == (1, 12) and int(s.counts.sum()) == 20000
    np.testing.assert_allclose(s.mean, [a.astype(np.float64).mean()], rtol=1e-12)
    run = langevin.summary(two_modes, chains=5000, steps=20, bins=4, range=(-1, 1), chunk_chains=1000)
    whole = langevin.summarize(langevin.sample(two_modes, chains=5000, steps=20), bins=4, range=(-1, 1))
    assert run.count == whole.count and (run.counts == whole.counts).all()
    assert run.min == whole.min and run.max == whole.max


def test_checkpoints_resume_to_the_uninterrupted_bits(two_modes, tmp_path):
    whole = langevin.sample(two_modes, chains=50, steps=30, seed=4)
    saved = []
    langevin.sample(two_modes, chains=50, steps=30, seed=4, checkpoint_every=10, on_checkpoint=saved.append)
    assert [c.update for c in saved] == [10, 20]
    assert saved[0].states.shape == (50, 1) and saved[0].trajectory is None
    saved[0].save(str(tmp_path / "run.ckpt"), {"note": "test"})
    back = langevin.Checkpoint.load(str(tmp_path / "run.ckpt"))
    assert back.update == 10 and back.settings["note"] == "test"
    np.testing.assert_array_equal(langevin.sample(two_modes, chains=50, steps=30, seed=4, resume=back), whole)
    np.testing.assert_array_equal(
        langevin.sample(two_modes, chains=50, steps=30, seed=4, resume=str(tmp_path / "run.ckpt")), whole)
    assert saved[0].velocities is None


def test_underdamped_checkpoints_carry_the_velocities(two_modes, tmp_path):
    kwargs = dict(chains=50, steps=30, seed=4, method="underdamped", epsilon=0.2, friction=0.5)
    whole = langevin.sample(two_modes, **kwargs)
    saved = []
    langevin.sample(two_modes, checkpoint_every=10, on_checkpoint=saved.append, **kwargs)
    assert saved[0].velocities.shape == (50, 1) and np.isfinite(saved[0].velocities).all()
    saved[0].save(str(tmp_path / "run.ckpt"), {})
    back = langevin.Checkpoint.load(str(tmp_path / "run.ckpt"))
    np.testing.assert_array_equal(back.velocities, saved[0].velocities)
    np.testing.assert_array_equal(langevin.sample(two_modes, resume=back, **kwargs), whole)
    assert langevin.SamplerConfig(method="underdamped", friction=2.0).friction == 2.0
    with pytest.raises(ValueError, match="friction = 0"):
        langevin.sample(two_modes, method="underdamped", friction=0.0)


def test_empty_results_are_empty_float32_arrays(two_modes, tmp_path):
    model = langevin.Mlp.random([2, 16, 2], "tanh", seed=4)
    for target, dim in [(two_modes, 1), (model, 2)]:
        scores = langevin.score(target, np.zeros((0, dim), np.float32))
        assert scores.shape == (0, dim) and scores.dtype == np.float32
    if langevin.hdf5_available():
        langevin.write_hdf5(str(tmp_path / "e.h5"), np.zeros((0, 3), np.float32))
        empty = langevin.read_hdf5(str(tmp_path / "e.h5"))
        assert empty.shape == (0, 3) and empty.dtype == np.float32


def test_hdf5_round_trip(tmp_path):
    if not langevin.hdf5_available():
        pytest.skip("built without HDF5")
    x = np.arange(12, dtype=np.float32).reshape(6, 2)
    langevin.write_hdf5(str(tmp_path / "x.h5"), x, attributes={"seed": 3, "what": "test"})
    np.testing.assert_array_equal(langevin.read_hdf5(str(tmp_path / "x.h5")), x)
    assert langevin.read_hdf5_attributes(str(tmp_path / "x.h5"))["what"] == "test"


def test_defaults_are_the_cpp_ones():
    config = langevin.SamplerConfig()
    # steps and epsilon 0: the defaults, made concrete for the run (plain or annealed).
    assert (config.chains, config.steps, config.epsilon, config.seed) == (1000, 0, 0.0, 0)
    train = langevin.TrainConfig()
    assert (train.iterations, train.loss, train.hidden) == (1200, "exact", [1024])
    # Each loss starts from its own (train_defaults): ncsn's network and budget.
    ncsn = langevin.TrainConfig(loss="ncsn")
    assert (ncsn.iterations, ncsn.hidden) == (24000, [128, 128])
    assert langevin.TrainConfig(loss="ncsn", hidden=[8], iterations=5).hidden == [8]


def test_progress_callable_sees_every_chain(two_modes):
    seen = []
    langevin.sample(two_modes, chains=20000, steps=5, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (20000, 20000)
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:]))


def test_diagnose_is_the_clis(tool, tmp_path, two_modes):
    """diagnose() on a trajectory: what `langevin diagnose --json` says of the same file."""
    x = langevin.sample(two_modes, chains=6, steps=50, keep="trajectory", backend="cpu")
    np.save(tmp_path / "t.npy", x)
    d = langevin.diagnose(x)
    assert (d.chains, d.draws, d.dim) == (6, 50, 1)
    assert json.loads(tool("diagnose", tmp_path / "t.npy", "--json"))["rhat"] == d.rhat
    # A file: mapped (float32 .npy) rather than read, the same numbers.
    on_file = langevin.diagnose(tmp_path / "t.npy")
    assert (on_file.rhat, on_file.ess_bulk, on_file.mcse_mean) == (d.rhat, d.ess_bulk, d.mcse_mean)
    with pytest.raises(ValueError, match="chains = 1"):
        langevin.diagnose(x[:1])
    nested = langevin.diagnose(x, superchains=3)
    assert nested.superchains == 3 and len(nested.nested_rhat) == 1 and nested.rhat == d.rhat
    assert json.loads(tool("diagnose", tmp_path / "t.npy", "--superchains", 3, "--json"))[
        "nested_rhat"] == nested.nested_rhat


def test_log_likelihood_is_the_clis(tool, tmp_path, two_modes):
    """log_likelihood() of points: what `langevin likelihood` writes for the same file, and the
    mixture's own log-density to the ODE's and the prior's errors."""
    x = np.linspace(-6.0, 6.0, 25, dtype=np.float32).reshape(-1, 1)
    np.save(tmp_path / "x.npy", x)
    sigmas = langevin.geometric_noise_levels(200.0, 0.01, 6)
    result = langevin.log_likelihood(two_modes, x, sigmas=sigmas, rtol=1e-6, atol=1e-6,
                                     backend="cpu")
    assert result.log_density.shape == (25,) and result.latent.shape == (25, 1)
    assert result.divergence == "exact" and result.failed == 0 and result.dim == 1
    assert len(result.evaluations) == 25 and min(result.evaluations) > 0
    exact = np.log(sum(w * np.exp(-0.5 * ((x[:, 0] - m[0]) ** 2) / (s[0] ** 2 + 1e-4))
                       / np.sqrt(2 * np.pi * (s[0] ** 2 + 1e-4))
                       for w, m, s in zip(two_modes.weights, two_modes.means, two_modes.stds)))
    # The prior's mismatch at sigma_1 = 200 is below |mu| |z| / sigma_1^2 + s^2/sigma_1^2 ~ 0.1.
    np.testing.assert_allclose(result.log_density, exact, atol=0.1)
    tool("likelihood", "--gmm", TWO_MODES, "--sigmas", "200,0.01,6", "--rtol", "1e-6",
         "--atol", "1e-6", "--in", tmp_path / "x.npy", "--out", tmp_path / "logp.npy",
         "--backend", "cpu", "--quiet")
    np.testing.assert_array_equal(np.load(tmp_path / "logp.npy"), result.log_density)
    assert result.bits_per_dim == pytest.approx(-result.log_density.mean() / np.log(2.0))
    with pytest.raises(ValueError, match="sigmas"):
        langevin.log_likelihood(two_modes, x)
    with pytest.raises(ValueError, match="divergence"):
        langevin.log_likelihood(two_modes, x, sigmas=sigmas, divergence="trace")


def test_cpu_simd_names_the_copy_in_use_and_every_copy_gives_the_same_bits(two_modes, monkeypatch):
    simd = langevin.cpu_simd()
    assert simd["selected"] in simd["runnable"] and set(simd["runnable"]) <= set(simd["built"])
    samples = []
    for name in simd["runnable"]:
        monkeypatch.setenv("LANGEVIN_CPU_SIMD", name)
        assert langevin.cpu_simd()["selected"] == name
        samples.append(langevin.sample(two_modes, chains=40, steps=30, seed=3, backend="cpu"))
    for other in samples[1:]:
        np.testing.assert_array_equal(other, samples[0])
    monkeypatch.setenv("LANGEVIN_CPU_SIMD", "avx3")
    with pytest.raises(ValueError, match="LANGEVIN_CPU_SIMD"):
        langevin.cpu_simd()


def test_device_strings_are_checked(two_modes):
    for bad in ["gpu", "cuda:", "cuda:x", "cuda1", "cuda:-1"]:
        with pytest.raises(ValueError, match=f'device = "{bad}": expected cpu, cuda or cuda:N'):
            langevin.sample(two_modes, chains=10, steps=5, device=bad)
    with pytest.raises(ValueError, match='framework = "numpy": expected dlpack, torch, cupy or jax'):
        langevin.sample(two_modes, chains=10, steps=5, framework="numpy")
    sampler = langevin.Sampler(two_modes, chains=10, steps=5, backend="cpu")
    for device in ["cuda", "cuda:0"]:
        with pytest.raises(ValueError,
                           match=f'device = "{device}": this sampler runs on the cpu backend'):
            sampler.run(device=device)
