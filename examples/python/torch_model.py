"""A score model trained in PyTorch (denoising score matching on a 2-D ring of Gaussians),
sampled by langevin: the nn.Sequential's state dict goes in as it is, and on a GPU the samples
come back as a PyTorch CUDA tensor without a copy.

    python examples/python/torch_model.py
"""
import math
import time

import numpy as np
import torch

import langevin

torch.manual_seed(0)

# Data: 8 Gaussians on a circle of radius 4.
ring = langevin.GaussianMixture([1] * 8, [[4 * math.cos(k * math.pi / 4), 4 * math.sin(k * math.pi / 4)]
                                          for k in range(8)], [[0.5, 0.5]] * 8)
data = torch.from_numpy(ring.draw(20000, seed=1))

# The model: an nn.Sequential of Linear and SiLU, trained by denoising score matching at σ = 0.3:
# s(x + σz) ≈ -z/σ.
net = torch.nn.Sequential(torch.nn.Linear(2, 128), torch.nn.SiLU(), torch.nn.Linear(128, 128),
                          torch.nn.SiLU(), torch.nn.Linear(128, 2))
optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
sigma = 0.3
start = time.perf_counter()
for step in range(3000):
    x = data[torch.randint(0, data.shape[0], (512,))]
    z = torch.randn_like(x)
    loss = 0.5 * ((sigma * net(x + sigma * z) + z) ** 2).sum(dim=1).mean()
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"trained in PyTorch: {time.perf_counter() - start:.1f} s, loss {loss.item():.4f}")

# Into langevin as it is: the state dict's names are nn.Sequential's (0.weight, 2.weight, …).
model = langevin.Mlp.from_state_dict(net.state_dict(), activation="silu")

if langevin.cuda_available():
    # On the GPU the result stays there, a PyTorch tensor over langevin's memory.
    samples = langevin.sample(model, chains=100_000, steps=1000, epsilon=1e-3, device="cuda",
                              framework="torch")
    print("samples on", samples.device, tuple(samples.shape))
    samples = samples.cpu().numpy()
else:
    samples = langevin.sample(model, chains=10_000, steps=1000, epsilon=1e-3, progress=True)
    print("samples on the CPU", samples.shape)

weights = langevin.compare(samples, data.numpy(), mixture=ring).component_weights_a
print("component weights (1/8 = 0.125 each):", " ".join(f"{w:.3f}" for w in weights))
