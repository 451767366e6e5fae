#!/usr/bin/env python3
"""Training speed in PyTorch eager: the general networks `training_benchmark --network` trains.

The same model, loss, optimiser, rows, batch and threads as the library's row for the same
SPEC, so that benchmarks/peers/train_speed.py can put them side by side:

  model   an MLP d (+1 for ncsn: log sigma) -> hidden... -> d, nn.Linear layers
  loss    dsm:  1/2 |sigma s(x + sigma z) + z|^2 at sigma = 0.1
          ncsn: 1/2 |net(x + sigma z, log sigma) + z|^2, sigma drawn per row from 20 geometric
                levels 10 -> 0.01 (the library's default levels)
          averaged over the batch (rows drawn with replacement from the data at each iteration)
  adam    learning rate 1e-3, PyTorch's defaults otherwise

  train_torch.py --data X.npy --network hidden=128x128,activation=silu,loss=ncsn,batch=2048,
                 iterations=300 [--threads N] [--device cpu|cuda]

Prints one Markdown row: peer, device, SPEC, rows, d, seconds, s / iteration, GFLOP/s (counted
as the library counts: 3 multiply-adds per weight and row). 20 iterations of warm-up first.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peer_common as common  # noqa: E402

WARMUP = 20
LEVELS = 20
SIGMA_MAX, SIGMA_MIN = 10.0, 0.01
DSM_SIGMA = 0.1


def parse_spec(spec):
    """hidden=128x128,activation=silu,loss=ncsn,batch=2048,iterations=300 -> dict."""
    values = {"hidden": [1024], "activation": "relu", "loss": "ncsn", "batch": 2048,
              "iterations": 300}
    for item in spec.split(","):
        key, _, value = item.partition("=")
        if key == "hidden":
            values["hidden"] = [int(w) for w in value.split("x")]
        elif key in ("activation", "loss"):
            values[key] = value
        elif key in ("batch", "iterations"):
            values[key] = int(value)
        else:
            raise SystemExit(f"train_torch: --network: unknown key {key!r} in {spec}")
    if values["loss"] not in ("ncsn", "dsm"):
        raise SystemExit(f"train_torch: --network loss = {values['loss']!r}: ncsn or dsm")
    return values


def main():
    parser = common.new_parser(__doc__)
    parser.add_argument("--data", required=True, metavar="X.npy", help="the rows, (N, d) float32")
    parser.add_argument("--network", required=True, metavar="SPEC")
    parser.add_argument("--threads", type=int, default=None, help="torch threads")
    parser.add_argument("--device", default="cpu", choices=("cpu", "cuda"))
    args = parser.parse_args()
    spec = parse_spec(args.network)

    import numpy as np
    import torch
    if args.threads is not None:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    torch.manual_seed(0)
    data = torch.from_numpy(np.load(args.data).astype(np.float32)).to(device)
    rows, dim = data.shape
    activations = {"relu": torch.nn.ReLU, "silu": torch.nn.SiLU, "tanh": torch.nn.Tanh,
                   "softplus": torch.nn.Softplus}
    ncsn = spec["loss"] == "ncsn"
    layers, fan_in = [], dim + 1 if ncsn else dim
    for width in spec["hidden"]:
        layers += [torch.nn.Linear(fan_in, width), activations[spec["activation"]]()]
        fan_in = width
    layers.append(torch.nn.Linear(fan_in, dim))
    net = torch.nn.Sequential(*layers).to(device)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3)
    sigmas = torch.tensor(np.geomspace(SIGMA_MAX, SIGMA_MIN, LEVELS), dtype=torch.float32,
                          device=device)
    batch = spec["batch"]

    def iteration():
        x = data[torch.randint(rows, (batch,), device=device)]
        z = torch.randn(batch, dim, device=device)
        if ncsn:
            sigma = sigmas[torch.randint(LEVELS, (batch,), device=device)].unsqueeze(1)
            out = net(torch.cat([x + sigma * z, sigma.log()], dim=1))
            loss = 0.5 * (out + z).square().sum(dim=1).mean()
        else:
            out = net(x + DSM_SIGMA * z)
            loss = 0.5 * (DSM_SIGMA * out + z).square().sum(dim=1).mean()
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def synchronize():
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(WARMUP):
        iteration()
    synchronize()
    started = time.perf_counter()
    for _ in range(spec["iterations"]):
        iteration()
    synchronize()
    seconds = time.perf_counter() - started
    weights = sum(m.weight.numel() for m in net if isinstance(m, torch.nn.Linear))
    gflops = 2.0 * 3 * weights * batch * spec["iterations"] / seconds / 1e9
    peer = f"torch {torch.__version__.split('+')[0]} eager"
    label = args.device if args.device == "cpu" else torch.cuda.get_device_name(device)
    print(f"| {peer} | {label} | {args.network} | {rows} | {dim} | {seconds:.3f} | "
          f"{seconds / spec['iterations']:.5f} | {gflops:.1f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
