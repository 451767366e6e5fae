"""Arrays across the boundary: float32 C-order inputs read in place, others converted once,
outputs written into the caller's arrays or handed over without copies, refusals."""
import numpy as np
import pytest

import langevin
from langevin import _langevin


def pointer(a):
    return a.__array_interface__["data"][0]


def test_float32_c_order_inputs_are_read_in_place():
    x = np.zeros((100, 2), dtype=np.float32)
    address, in_place = _langevin._input_view(x)
    assert in_place and address == pointer(x)
    view = x[10:20]  # a contiguous slice: still the caller's memory
    assert _langevin._input_view(view) == (pointer(view), True)


@pytest.mark.parametrize("make", [
    lambda x: x.astype(np.float64),
    lambda x: np.asfortranarray(x),
    lambda x: x[:, ::-1].copy()[:, ::-1],
    lambda x: x.tolist(),
])
def test_other_inputs_are_converted_once_to_the_same_values(make):
    x = np.random.default_rng(3).normal(size=(50, 2)).astype(np.float32)
    model = langevin.Mlp.random([2, 8, 2], "relu", seed=1)
    other = make(x)
    _, in_place = _langevin._input_view(other)
    assert not in_place
    np.testing.assert_array_equal(langevin.score(model, other), langevin.score(model, x))


def test_results_own_their_memory_without_copies(two_modes):
    x = langevin.sample(two_modes, chains=10, steps=3)
    assert x.flags.c_contiguous and x.flags.writeable and x.base is not None


def test_out_arrays_are_written_in_place(two_modes):
    sampler = langevin.Sampler(two_modes, chains=32, steps=10, seed=3)
    out = np.full((32, 1), np.nan, dtype=np.float32)
    address = pointer(out)
    assert sampler.run(out=out) is out
    assert pointer(out) == address
    np.testing.assert_array_equal(out, sampler.run())

    points = np.linspace(-3, 3, 32, dtype=np.float32)[:, None]
    scores = np.empty_like(points)
    assert langevin.score(two_modes, points, out=scores) is scores
    np.testing.assert_array_equal(scores, langevin.score(two_modes, points))


@pytest.mark.parametrize("out, words", [
    (np.empty((32, 1), dtype=np.float64), "got float64"),
    (np.empty((32, 2), dtype=np.float32)[:, :1], "not C-contiguous"),
    (np.empty((31, 1), dtype=np.float32), "of shape (31, 1)"),
    ([0.0] * 32, "got a list"),
])
def test_out_arrays_that_would_need_a_copy_are_refused(two_modes, out, words):
    sampler = langevin.Sampler(two_modes, chains=32, steps=2)
    with pytest.raises(ValueError, match="out: expected a writable float32 C-contiguous array of shape \\(32, 1\\)") as e:
        sampler.run(out=out)
    assert words in str(e.value)


def test_read_only_out_is_refused(two_modes):
    out = np.empty((4, 1), dtype=np.float32)
    out.flags.writeable = False
    with pytest.raises(ValueError, match="read-only"):
        langevin.sample(two_modes, chains=4, steps=2, out=out)


def test_bad_shapes_name_the_argument(two_modes):
    with pytest.raises(ValueError, match="points: shape \\(5, 2\\) for a score in 1 dimensions"):
        langevin.score(two_modes, np.zeros((5, 2), np.float32))
    with pytest.raises(ValueError, match="points: an array of shape \\(2, 2, 2\\)"):
        langevin.score(two_modes, np.zeros((2, 2, 2), np.float32))
    with pytest.raises(ValueError, match="cannot be read as an array of numbers"):
        langevin.score(two_modes, "not numbers")
