"""Shared fixtures of the Python package's tests (run by ctest: Python.Package)."""
import os
import pathlib
import subprocess

import numpy as np
import pytest

import langevin

REPOSITORY = pathlib.Path(__file__).resolve().parents[2]
DATA = REPOSITORY / "tests" / "data"
TWO_MODES = REPOSITORY / "examples" / "data" / "two_modes.json"
REQUIRE_ALL = os.environ.get("LANGEVIN_REQUIRE_ALL_TOOLS") == "1"


def optional_module(name):
    """The module, or a skip where it is missing; under LANGEVIN_REQUIRE_ALL_TOOLS (CI) a
    missing module fails instead, since scripts/bootstrap installs every one."""
    if REQUIRE_ALL:
        return __import__(name)
    return pytest.importorskip(name)


@pytest.fixture
def two_modes():
    return langevin.load_gmm(str(TWO_MODES))


@pytest.fixture
def tool():
    """Runs the CLI (LANGEVIN_TOOL, set by ctest) and returns its stdout."""
    path = os.environ.get("LANGEVIN_TOOL")
    if not path:
        pytest.skip("LANGEVIN_TOOL is not set (ctest sets it)")

    def run(*args):
        done = subprocess.run([path, *map(str, args), "--quiet"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


@pytest.fixture
def data_1d():
    """The seed's data set, small: 2 000 points of N(-5, 3²) and 1 000 of N(6, 1²)."""
    mixture = langevin.load_gmm(str(TWO_MODES))
    return mixture.draw(3000, seed=11)


def gpu_or_skip():
    if not langevin.cuda_available():
        pytest.skip("no GPU")
