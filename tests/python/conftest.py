"""Fixtures of the Python package's tests: the tsweep CLI (TSWEEP), the shared
sample files (TSWEEP_SHARED_DATA), and the stores and results files the tests
make with the CLI, once per session. tests/python/CMakeLists.txt sets the
environment; run_pytest.py starts pytest."""
import json
import os
import subprocess

import pytest

SHARED_FILES = ("wfdb/100.hea", "wfdb/100.dat", "wfdb/100.atr", "wfdb/100_3chan.hea", "wfdb/100_3chan.dat",
                "edf/test_generator_2.edf", "mseed/testdata-3channel-signal.mseed2")


def run_cli(*args, timeout=120):
    """Runs the tsweep CLI; fails the test with its stderr when it exits non-zero."""
    done = subprocess.run([tsweep_binary(), *map(str, args)], capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        pytest.fail(f"tsweep {' '.join(map(str, args))} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def tsweep_binary():
    path = os.environ.get("TSWEEP", "")
    if not os.access(path, os.X_OK):
        pytest.skip(f"the tsweep binary is not at TSWEEP='{path}' (ctest sets it)")
    return path


@pytest.fixture(scope="session")
def shared_data():
    """The folder of real sample files, or a skip that says why there is none."""
    root = os.environ.get("TSWEEP_SHARED_DATA", "")
    missing = [f for f in SHARED_FILES if not os.path.isfile(os.path.join(root, f))]
    if not root or missing:
        pytest.skip(f"the shared sample data is not at TSWEEP_SHARED_DATA='{root}' "
                    f"(missing {', '.join(missing)}; configure with -DTSWEEP_SHARED_DATA=...)")
    return root


@pytest.fixture(scope="session")
def real_store(shared_data, tmp_path_factory):
    """Every shared sample file ingested into one store, as tests/store/ingest_test.sh does."""
    store = tmp_path_factory.mktemp("real") / "real.h5"
    inputs = [os.path.join(shared_data, f) for f in SHARED_FILES if not f.endswith(".dat")]  # 100.atr: events
    run_cli("ingest", store, *inputs)
    return store


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A synthetic store with 3 blocks damaged on purpose: (store path, the damaged blocks as listed)."""
    work = tmp_path_factory.mktemp("generated")
    store, listed = work / "store.h5", work / "corrupt.json"
    run_cli("generate", store, "--streams", 16, "--duration", "20min", "--block-samples", 4096,
            "--corrupt", 3, "--corrupt-list", listed, "--seed", 7)
    return store, json.loads(listed.read_text())["corrupted"]


JOB = """store: {store}
output: {output}
window: 1min
analyses:
  - stats
  - quality
  - percentiles: {{q: [0.1, 0.5, 0.9], bins: 8, range: [-4, 4]}}
  - spectrum: {{bands: {{low: [0, 5], high: [5, 40]}}, segment: 128}}
  - events
"""


@pytest.fixture(scope="session")
def results_file(generated, tmp_path_factory):
    """`tsweep run` over the generated store with every built-in analysis."""
    work = tmp_path_factory.mktemp("results")
    job, output = work / "job.yaml", work / "results.h5"
    job.write_text(JOB.format(store=generated[0], output=output))
    run_cli("run", job)
    return output
