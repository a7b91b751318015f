"""A store that a live SWMR writer is appending to reads as a consistent,
growing prefix; and the package reads stores without ever starting MPI."""
import json
import os
import subprocess
import sys
import time

import numpy as np
import pytest

import tsweep
from conftest import tsweep_binary


def open_when_ready(path, writer, seconds=30):
    """The store, once the writer has created it (before that, opening fails)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            return tsweep.Store(path)
        except (FileNotFoundError, tsweep.StoreError):
            if writer.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def check_prefix(store, seen):
    """Every stream reads exactly its committed samples, none corrupt, no fewer than last time."""
    table = store.streams.set_index("name")
    data = store.read("*", physical=False)
    for name, d in data.items():
        assert d.corrupt == [] and len(d) == table.loc[name, "samples"], name
        assert len(d) >= seen.get(name, 0), f"{name} went down from {seen[name]} to {len(d)}"
        assert np.all(np.diff(d.times) >= 0), name  # in order (the beat streams have duplicate times)
        seen[name] = len(d)


def test_a_live_writers_store_reads_as_a_growing_committed_prefix(tmp_path):
    path = tmp_path / "live.h5"
    # About 1,000 blocks in some 130 commits, 20 ms apart: the writer runs for a few seconds.
    command = [tsweep_binary(), "generate", str(path), "--swmr", "--streams", "8", "--duration", "40min",
               "--block-samples", "2000", "--pace", "20ms", "--corrupt", "0", "--json"]
    writer = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        store = open_when_ready(path, writer)
        assert store.swmr
        seen, reads, grew = {}, 0, 0
        while writer.poll() is None:
            grew += store.refresh()
            check_prefix(store, seen)
            reads += 1
        out, err = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, err
    assert reads >= 3 and grew >= 2, (reads, grew)
    store.refresh()
    check_prefix(store, seen)
    assert store.identity["blocks"] == json.loads(out)["blocks"]
    store.close()


PROBE_SCRIPT = """
import sys, tsweep
store = tsweep.Store(sys.argv[1])
data = store.read("*", physical=True, threads=2)
print(sum(len(d) for d in data.values()))
"""


def test_importing_and_reading_never_starts_mpi(generated, tmp_path):
    probe = os.environ.get("TSWEEP_MPI_INIT_PROBE", "")
    if not os.path.isfile(probe):
        pytest.skip(f"the MPI_Init probe library is not at TSWEEP_MPI_INIT_PROBE='{probe}' (ctest sets it)")
    log = tmp_path / "mpi_init.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OMPI_", "PMIX_"))}
    env.update(LD_PRELOAD=probe, TSWEEP_TEST_MPI_INIT_LOG=str(log))
    # The probe sees MPI start where something starts it; otherwise the check below proves nothing.
    subprocess.run([tsweep_binary(), "info", "--json"], env=env, capture_output=True, timeout=120, check=True)
    assert "MPI_Init" in log.read_text()
    log.unlink()
    done = subprocess.run([sys.executable, "-c", PROBE_SCRIPT, str(generated[0])], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 0
    assert not log.exists(), f"MPI was started: {log.read_text()}"
