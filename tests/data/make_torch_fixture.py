"""Writes the PyTorch fixture of tests/torch_fixture_test.cpp (run by hand; needs torch,
safetensors and numpy): a small nn.Sequential score model saved with safetensors.torch under
the library's tensor names, points, and the scores PyTorch computes at them in float64.

    python tests/data/make_torch_fixture.py tests/data
"""
import sys

import numpy as np
import torch
from safetensors.torch import save_file


class Score(torch.nn.Module):
    """d -> 16 -> 8 -> d with SiLU: `layers` is an nn.Sequential, so its linear layers are named
    layers.0, layers.2, layers.4 in the state dict (the activations take the odd indices)."""

    def __init__(self, dim):
        super().__init__()
        self.layers = torch.nn.Sequential(
            torch.nn.Linear(dim, 16), torch.nn.SiLU(),
            torch.nn.Linear(16, 8), torch.nn.SiLU(),
            torch.nn.Linear(8, dim))

    def forward(self, x):
        return self.layers(x)


def main(out):
    torch.manual_seed(2026)
    model = Score(2)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()},
              f"{out}/torch_mlp.safetensors", metadata={"activation": "silu"})
    points = torch.randn(32, 2) * 2
    with torch.no_grad():
        scores = model.double()(points.double())
    np.save(f"{out}/torch_points.npy", points.numpy().astype(np.float32))
    np.save(f"{out}/torch_scores.npy", scores.numpy())  # float64: the library converts on read


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
