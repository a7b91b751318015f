#!/usr/bin/python3
"""Runs the Python package's tests: pytest over this folder, its temporary
files under BASETEMP (emptied first). Exits 77, which ctest counts as
skipped, when the interpreter lacks pytest or a package tsweep needs.

    run_pytest.py BASETEMP [PYTEST ARGS...]

tests/python/CMakeLists.txt sets the environment: PYTHONPATH (the package in
the build tree), TSWEEP, TSWEEP_SHARED_DATA, TSWEEP_MPI_INIT_PROBE.
"""
import importlib.util
import os
import sys

NEEDED = ("pytest", "numpy", "pandas", "h5py", "xarray")


def main(args):
    if not args:
        sys.exit(__doc__)
    missing = [m for m in NEEDED if importlib.util.find_spec(m) is None]
    if missing:
        print(f"SKIP: {sys.executable} has no {', '.join(missing)} (Debian: python3-{' python3-'.join(missing)})")
        return 77
    import pytest

    here = os.path.dirname(os.path.abspath(__file__))
    return pytest.main(["-q", "-p", "no:cacheprovider", "--basetemp", args[0], here, *args[1:]])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
