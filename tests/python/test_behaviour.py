"""Behaviour around the library: exceptions, the GIL released during long calls, Ctrl-C."""
import _thread
import threading
import time

import numpy as np
import pytest

import langevin


def test_bad_input_is_a_value_error_naming_the_field(two_modes):
    with pytest.raises(ValueError, match="epsilon = -1: must be"):
        langevin.sample(two_modes, epsilon=-1)
    with pytest.raises(ValueError, match="keep = \"all\": expected final or trajectory"):
        langevin.sample(two_modes, keep="all")
    with pytest.raises(ValueError, match="weights"):
        langevin.GaussianMixture([1, -1], [[0], [1]], [[1], [1]])
    with pytest.raises(ValueError, match="loss"):
        langevin.train(np.zeros(10), loss="maximum")
    with pytest.raises(ValueError, match="no-such-file"):
        langevin.Mlp.load("no-such-file.safetensors")


def test_a_failed_run_is_a_runtime_error(two_modes):
    with pytest.raises(RuntimeError, match="chains diverged"):
        langevin.sample(two_modes, chains=10, steps=200, epsilon=1e3)


def run_beside_a_thread(call):
    """Calls `call` while another thread counts; returns the count made during the call."""
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1
            time.sleep(0.001)

    thread = threading.Thread(target=counter)
    thread.start()
    time.sleep(0.05)
    before = count[0]
    call()
    during = count[0] - before
    stop.set()
    thread.join()
    return during


def test_the_gil_is_released_while_sampling_and_training(two_modes, data_1d):
    # With the GIL held through the call the counter could not move at all while it runs. The
    # calls last well over 20 ms (the counter ticks at most once a millisecond): 200 training
    # iterations took about 20 ms on two cores, and the count then fell to 20 in one run of five.
    assert run_beside_a_thread(lambda: langevin.sample(two_modes, chains=20000, steps=3000)) > 20
    assert run_beside_a_thread(lambda: langevin.train(data_1d, hidden=[256], iterations=2000)) > 20


def interrupt_after(seconds):
    timer = threading.Timer(seconds, _thread.interrupt_main)
    timer.start()
    return timer


def test_ctrl_c_stops_a_long_run_between_slices(two_modes):
    timer = interrupt_after(0.3)
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        langevin.sample(two_modes, chains=2_000_000, steps=20000)  # minutes uninterrupted
    timer.join()
    assert time.monotonic() - start < 30


def test_ctrl_c_stops_training(data_1d):
    timer = interrupt_after(0.3)
    with pytest.raises(KeyboardInterrupt):
        langevin.train(data_1d, hidden=[256], iterations=1_000_000)
    timer.join()


def test_progress_bar_with_tqdm(two_modes, capsys):
    from conftest import optional_module
    optional_module("tqdm")
    langevin.sample(two_modes, chains=20000, steps=5, progress=True)
    assert "20000/20000" in capsys.readouterr().err
