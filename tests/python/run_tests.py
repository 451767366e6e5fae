"""ctest's entry to the Python package's tests (Python.Package): pytest over this folder with the
package built in the tree first on the path. Where pytest or NumPy is missing the test is
skipped (status 77), unless LANGEVIN_REQUIRE_ALL_TOOLS=1 (CI), where that is a failure.

    python tests/python/run_tests.py --package-dir build/python --langevin build/langevin
"""
import argparse
import importlib.util
import os
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--package-dir", required=True)
    parser.add_argument("--langevin", required=True, help="the CLI, for the identity tests")
    args = parser.parse_args()
    missing = [m for m in ("pytest", "numpy") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"Python.Package: {', '.join(missing)} missing from {sys.executable} "
              "(scripts/bootstrap installs them in build/venv)")
        return 1 if os.environ.get("LANGEVIN_REQUIRE_ALL_TOOLS") == "1" else 77
    sys.path.insert(0, os.path.abspath(args.package_dir))
    os.environ["PYTHONPATH"] = os.pathsep.join(
        [os.path.abspath(args.package_dir)] + [p for p in [os.environ.get("PYTHONPATH")] if p])
    os.environ["LANGEVIN_TOOL"] = os.path.abspath(args.langevin)
    import pytest
    here = os.path.dirname(os.path.abspath(__file__))
    return pytest.main(["-q", "-rs", "-p", "no:cacheprovider", here])


if __name__ == "__main__":
    sys.exit(main())
