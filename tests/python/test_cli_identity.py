"""The same seed and settings give the same bytes from Python as from the CLI: samples (plain,
trajectory, MALA, annealed, predictor–corrector), trained models, scores."""
import csv
import json
import math

import numpy as np
import pytest

import langevin
from conftest import TWO_MODES


def test_samples_equal_the_clis(tool, tmp_path, two_modes):
    tool("sample", "--gmm", TWO_MODES, "--chains", 3000, "--steps", 500, "--seed", 7,
         "--epsilon", 0.01, "--out", tmp_path / "cli.npy")
    x = langevin.sample(two_modes, chains=3000, steps=500, seed=7, epsilon=0.01)
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"), x)


def test_trajectories_and_mala_equal_the_clis(tool, tmp_path, two_modes):
    tool("sample", "--gmm", TWO_MODES, "--chains", 200, "--steps", 60, "--seed", 3,
         "--keep", "trajectory", "--burn-in", 10, "--thin", 5, "--sampler", "mala",
         "--epsilon", 0.05, "--first-chain", 1000, "--out", tmp_path / "cli.npy")
    x = langevin.sample(two_modes, chains=200, steps=60, seed=3, keep="trajectory", burn_in=10,
                        thin=5, method="mala", epsilon=0.05, first_chain=1000)
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"), x)


def test_predictor_corrector_equals_the_clis(tool, tmp_path, two_modes):
    tool("sample", "--gmm", TWO_MODES, "--chains", 300, "--sigmas", "4,0.1,5", "--sampler", "pc",
         "--steps", 3, "--corrector-steps", 2, "--snr", 0.2, "--denoise", "--seed", 9,
         "--out", tmp_path / "cli.npy")
    config = langevin.SamplerConfig(chains=300, sigmas=langevin.geometric_noise_levels(4, 0.1, 5),
                                    method="pc", steps=3, corrector_steps=2, snr=0.2,
                                    denoise=True, seed=9)
    assert (config.corrector_steps, config.snr, config.corrector_step) == (2, 0.2, "sigma")
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"), langevin.sample(two_modes, config))
    with pytest.raises(ValueError, match="corrector_step = \"batch\""):
        langevin.sample(two_modes, method="pc", sigmas=[1.0, 0.1], corrector_step="batch")


def test_probability_flow_equals_the_clis(tool, tmp_path, two_modes):
    tool("sample", "--gmm", TWO_MODES, "--chains", 300, "--sigmas", "4,0.1,5", "--sampler", "ode",
         "--rtol", 1e-4, "--denoise", "--seed", 9, "--out", tmp_path / "cli.npy")
    x = langevin.sample(two_modes, chains=300, sigmas=langevin.geometric_noise_levels(4, 0.1, 5),
                        method="ode", rtol=1e-4, denoise=True, seed=9)
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"), x)
    assert langevin.SamplerConfig(method="ode").atol == 1e-5


def test_underdamped_langevin_equals_the_clis(tool, tmp_path, two_modes):
    tool("sample", "--gmm", TWO_MODES, "--chains", 300, "--steps", 50, "--sampler", "underdamped",
         "--epsilon", 0.3, "--friction", 0.5, "--seed", 9, "--out", tmp_path / "cli.npy")
    x = langevin.sample(two_modes, chains=300, steps=50, method="underdamped", epsilon=0.3,
                        friction=0.5, seed=9)
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"), x)


def test_trained_models_and_their_samples_equal_the_clis(tool, tmp_path, data_1d):
    np.save(tmp_path / "data.npy", data_1d)
    tool("train", "--data", tmp_path / "data.npy", "--out", tmp_path / "cli.safetensors",
         "--hidden", 32, "--iters", 40, "--seed", 5)
    fit = langevin.train(data_1d, hidden=[32], iterations=40, seed=5)
    fit.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "cli.safetensors").read_bytes()

    tool("sample", "--model", tmp_path / "cli.safetensors", "--chains", 500, "--steps", 100,
         "--seed", 1, "--out", tmp_path / "cli.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "cli.npy"),
                                  langevin.sample(fit.model, chains=500, steps=100, seed=1))


def test_noise_conditional_training_and_annealing_equal_the_clis(tool, tmp_path, data_1d):
    np.save(tmp_path / "data.npy", data_1d)
    tool("train", "--data", tmp_path / "data.npy", "--out", tmp_path / "cli.safetensors",
         "--loss", "ncsn", "--sigmas", "5,0.1,4", "--hidden", 32, "--iters", 30, "--batch", 256,
         "--seed", 2)
    fit = langevin.train(data_1d, loss="ncsn", sigmas=langevin.geometric_noise_levels(5, 0.1, 4),
                         hidden=[32], iterations=30, batch=256, seed=2)
    fit.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "cli.safetensors").read_bytes()

    tool("sample", "--model", tmp_path / "cli.safetensors", "--chains", 300, "--steps", 20,
         "--epsilon", 1e-4, "--denoise", "--out", tmp_path / "cli.npy")
    np.testing.assert_array_equal(
        np.load(tmp_path / "cli.npy"),
        langevin.sample(fit.model, chains=300, steps=20, epsilon=1e-4, denoise=True))


def test_scores_equal_the_clis(tool, tmp_path, two_modes):
    x = np.linspace(-9, 9, 101, dtype=np.float32)[:, None]
    np.save(tmp_path / "x.npy", x)
    tool("score", "--gmm", TWO_MODES, "--in", tmp_path / "x.npy", "--out", tmp_path / "s.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "s.npy"), langevin.score(two_modes, x))


def test_scheduled_training_equals_the_clis(tool, tmp_path, data_1d):
    np.save(tmp_path / "data.npy", data_1d)
    tool("train", "--data", tmp_path / "data.npy", "--out", tmp_path / "cli.safetensors",
         "--hidden", 16, "--iters", 30, "--lr", 0.01, "--schedule", "cosine", "--warmup", 5,
         "--ema", 0.9, "--batch", 128)
    steps = []
    fit = langevin.train(data_1d, hidden=[16], iterations=30, learning_rate=0.01,
                         schedule="cosine", warmup=5, ema=0.9, batch=128, on_step=steps.append)
    fit.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "cli.safetensors").read_bytes()
    assert steps[0].step_size == pytest.approx(0.01 / 5, rel=1e-15)


def test_validated_training_equals_the_clis(tool, tmp_path, data_1d):
    np.save(tmp_path / "data.npy", data_1d)
    summary = json.loads(tool("train", "--data", tmp_path / "data.npy", "--out",
                              tmp_path / "cli.safetensors", "--hidden", 16, "--iters", 300,
                              "--lr", 0.05, "--validation", 0.25, "--early-stop", 4,
                              "--log", tmp_path / "log.csv", "--json"))
    steps = []
    fit = langevin.train(data_1d, hidden=[16], iterations=300, learning_rate=0.05,
                         validation=0.25, early_stop=4, on_step=steps.append)
    fit.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "cli.safetensors").read_bytes()
    assert summary["validation_loss"] == fit.validation_loss
    assert summary["best_iteration"] == fit.best_iteration
    assert summary["iterations"] == fit.iterations == len(steps)
    # The log's validation column: the held-out loss where it was scored (every 3rd of 300
    # iterations and the last), empty elsewhere; the model returned is the best scored.
    with open(tmp_path / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["iteration"] for r in rows] == [str(s.iteration) for s in steps]
    scored = {}
    for row, step in zip(rows, steps):
        assert (row["validation_loss"] == "") == math.isnan(step.validation_loss)
        if row["validation_loss"]:
            assert float(row["validation_loss"]) == pytest.approx(step.validation_loss, rel=1e-8)
            scored[step.iteration] = step.validation_loss
    assert all(k % 3 == 0 or k == 300 for k in scored)
    assert fit.validation_loss == min(scored.values())
    assert scored[fit.best_iteration] == fit.validation_loss
    held = langevin.validation_rows(len(data_1d), 0.25, 0)
    assert len(held) == round(0.25 * len(data_1d)) and list(held) == sorted(set(held))


def test_training_resumes_from_the_clis_checkpoint(tool, tmp_path, data_1d):
    np.save(tmp_path / "data.npy", data_1d)
    options = ["train", "--data", tmp_path / "data.npy", "--hidden", 16, "--iters", 60,
               "--lr", 0.01, "--ema", 0.9, "--batch", 64, "--seed", 4]
    tool(*options, "--out", tmp_path / "whole.safetensors", "--checkpoint", tmp_path / "t.ckpt",
         "--checkpoint-every", 25)
    saved = langevin.TrainCheckpoint.load(str(tmp_path / "t.ckpt"))
    assert saved.iteration == 50 and saved.settings["iterations"] == "60"
    kwargs = dict(hidden=[16], iterations=60, learning_rate=0.01, ema=0.9, batch=64, seed=4)
    seen = []
    whole = langevin.train(data_1d, checkpoint_every=25, on_checkpoint=seen.append, **kwargs)
    assert [c.iteration for c in seen] == [25, 50]
    np.testing.assert_array_equal(seen[1].parameters, saved.parameters)
    for resume in (saved, str(tmp_path / "t.ckpt"), seen[0]):
        resumed = langevin.train(data_1d, resume=resume, **kwargs)
        assert resumed.model.state_dict().keys() == whole.model.state_dict().keys()
        for key, value in whole.model.state_dict().items():
            np.testing.assert_array_equal(resumed.model.state_dict()[key], value)
    whole.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "whole.safetensors").read_bytes()


def test_the_default_batch_is_the_clis(tool, tmp_path):
    """Adam's default batch: 2 048 rows above 8 192 training rows, the full batch below, the same
    choice and model from Python as from the CLI."""
    rows = np.random.default_rng(5).normal(size=(9000, 2)).astype(np.float32)
    np.save(tmp_path / "data.npy", rows)
    for validation, batch in ((0.0, 2048), (0.1, 8100)):
        summary = json.loads(tool("train", "--data", tmp_path / "data.npy", "--out",
                                  tmp_path / "cli.safetensors", "--hidden", 8, "--loss", "dsm",
                                  "--iters", 3, "--validation", validation, "--json"))
        fit = langevin.train(rows, hidden=[8], loss="dsm", iterations=3, validation=validation)
        fit.model.save(str(tmp_path / "py.safetensors"))
        assert (tmp_path / "py.safetensors").read_bytes() == \
            (tmp_path / "cli.safetensors").read_bytes()
        assert summary["batch"] == fit.batch == batch


def test_ncsn_defaults_are_the_clis(tool, tmp_path):
    """--loss ncsn alone and loss="ncsn" alone: the same network, levels, batch and model."""
    rows = np.random.default_rng(6).normal(size=(300, 2)).astype(np.float32)
    np.save(tmp_path / "data.npy", rows)
    summary = json.loads(tool("train", "--data", tmp_path / "data.npy", "--out",
                              tmp_path / "cli.safetensors", "--loss", "ncsn", "--iters", 3, "--json"))
    fit = langevin.train(rows, loss="ncsn", iterations=3)
    fit.model.save(str(tmp_path / "py.safetensors"))
    assert (tmp_path / "py.safetensors").read_bytes() == (tmp_path / "cli.safetensors").read_bytes()
    assert summary["hidden"] == [128, 128] and summary["activation"] == "silu"
    assert summary["batch"] == fit.batch == 2048
    assert len(fit.model.noise_levels) == 20
