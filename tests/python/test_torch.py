"""PyTorch models: an nn.Sequential's state dict loads through from_state_dict and scores as the
PyTorch module does, within float32 rounding; the library's models load back into PyTorch."""
import numpy as np
import pytest

import langevin
from conftest import DATA, optional_module


def forward_bound(layers, x):
    """A float32 forward error bound against exact arithmetic: per layer γ_n (|W||h| + |b|)
    with n = fan-in + 1, propagated through |W| (the activations are 1.1-Lipschitz), plus 4 ulp
    of the activation's own rounding (tests/mlp_test.cpp derives the same bound)."""
    u = 2.0**-24
    h = np.abs(x.astype(np.float64))
    error = np.zeros_like(h)
    for i, (w, b) in enumerate(layers):
        w, b = np.abs(w.astype(np.float64)), np.abs(b.astype(np.float64))
        n = w.shape[1] + 1
        gamma = n * u / (1 - n * u)
        magnitude = h @ w.T + b
        error = gamma * magnitude + 1.1 * error @ w.T
        if i + 1 < len(layers):
            error = error + 4 * u * magnitude
        h = magnitude
    return error


def test_a_sequential_state_dict_scores_like_pytorch_computed():
    # The fixture: torch.nn.Sequential(Linear(2,16), SiLU, Linear(16,8), SiLU, Linear(8,2)) and
    # the scores PyTorch computed in float64 (tests/data/make_torch_fixture.py).
    tensors = langevin.Mlp.load(str(DATA / "torch_mlp.safetensors")).state_dict()
    # As a bare nn.Sequential's state_dict() names them: 0.weight, 2.weight, 4.weight.
    model = langevin.Mlp.from_state_dict(tensors, activation="silu")
    x = np.load(DATA / "torch_points.npy")
    expected = np.load(DATA / "torch_scores.npy")
    layers = [(tensors[f"{i}.weight"], tensors[f"{i}.bias"]) for i in (0, 2, 4)]
    bound = forward_bound(layers, x)
    assert (np.abs(langevin.score(model, x) - expected) <= bound).all()


def test_from_state_dict_of_a_live_pytorch_module():
    torch = optional_module("torch")
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 32), torch.nn.Tanh(), torch.nn.Linear(32, 32),
                              torch.nn.Tanh(), torch.nn.Linear(32, 3))
    model = langevin.Mlp.from_state_dict(net.state_dict(), activation="tanh")
    assert model.widths == [3, 32, 32, 3]
    x = torch.randn(64, 3)
    with torch.no_grad():
        expected = net.double()(x.double()).numpy()
    layers = [(p.detach().numpy(), q.detach().numpy())
              for p, q in zip(list(net.parameters())[0::2], list(net.parameters())[1::2])]
    got = langevin.score(model, x)  # a torch tensor as input
    assert (np.abs(got - expected) <= forward_bound(layers, x.numpy())).all()


def test_the_librarys_models_load_into_pytorch():
    torch = optional_module("torch")
    model = langevin.Mlp.random([2, 16, 2], "softplus", seed=3)
    net = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Softplus(), torch.nn.Linear(16, 2))
    net.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    x = np.random.default_rng(2).normal(size=(10, 2)).astype(np.float32)
    with torch.no_grad():
        expected = net(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(langevin.score(model, x), expected, rtol=1e-5, atol=1e-6)
