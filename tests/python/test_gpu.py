"""GPU arrays through DLPack: results left on the GPU, caller's GPU arrays written in place,
GPU inputs; each against the CPU backend's bits. Skipped without a GPU."""
import numpy as np
import pytest

import langevin
from conftest import gpu_or_skip


def test_device_results_equal_the_cpu_bits(two_modes):
    gpu_or_skip()
    torch = pytest.importorskip("torch")
    cpu = langevin.sample(two_modes, chains=4096, steps=100, seed=5, backend="cpu")
    x = langevin.sample(two_modes, chains=4096, steps=100, seed=5, device="cuda", framework="torch")
    assert x.is_cuda and tuple(x.shape) == (4096, 1)
    np.testing.assert_array_equal(x.cpu().numpy(), cpu)
    y = torch.from_dlpack(langevin.sample(two_modes, chains=4096, steps=100, seed=5, device="cuda"))
    np.testing.assert_array_equal(y.cpu().numpy(), cpu)


def test_caller_gpu_arrays_are_written_in_place(two_modes):
    gpu_or_skip()
    torch = pytest.importorskip("torch")
    out = torch.empty((1000, 1), device="cuda")
    address = out.data_ptr()
    sampler = langevin.Sampler(two_modes, chains=1000, steps=50, seed=1, backend="cuda")
    stream = torch.cuda.current_stream()
    assert sampler.run(out=out, stream=stream) is out
    stream.synchronize()
    assert out.data_ptr() == address
    np.testing.assert_array_equal(out.cpu().numpy(),
                                  langevin.sample(two_modes, chains=1000, steps=50, seed=1, backend="cpu"))


def test_gpu_inputs_are_read(two_modes):
    gpu_or_skip()
    torch = pytest.importorskip("torch")
    x = torch.linspace(-5, 5, 100, device="cuda")[:, None]
    np.testing.assert_array_equal(langevin.score(two_modes, x), langevin.score(two_modes, x.cpu().numpy()))


def test_cupy_arrays(two_modes):
    gpu_or_skip()
    cupy = pytest.importorskip("cupy")
    out = cupy.empty((256, 1), dtype=cupy.float32)
    langevin.sample(two_modes, chains=256, steps=20, backend="cuda", out=out)
    np.testing.assert_array_equal(cupy.asnumpy(out),
                                  langevin.sample(two_modes, chains=256, steps=20, backend="cpu"))


def test_device_results_come_back_through_dlpack_without_a_framework(two_modes):
    # nanobind's own DLPack array, read back by the package itself (a GPU input is copied to
    # the host once): the CPU backend's bits.
    gpu_or_skip()
    x = langevin.sample(two_modes, chains=10000, steps=200, seed=8, device="cuda")
    assert hasattr(x, "__dlpack__")
    back = langevin.summarize(x)
    cpu = langevin.sample(two_modes, chains=10000, steps=200, seed=8, backend="cpu")
    assert back.min == langevin.summarize(cpu).min and back.max == langevin.summarize(cpu).max
    np.testing.assert_array_equal(langevin.score(two_modes, x), langevin.score(two_modes, cpu))
