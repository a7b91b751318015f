"""Bad input raises a Python exception whose message names the file, the
stream or the value, and what was expected."""
import datetime

import h5py
import numpy as np
import pandas as pd
import pytest

import tsweep

pytestmark = pytest.mark.filterwarnings("ignore::tsweep.CorruptBlockWarning")


@pytest.fixture(scope="module")
def store(generated):
    with tsweep.Store(generated[0]) as s:
        yield s


def test_an_unknown_stream_is_a_key_error_naming_it_and_the_store(store):
    with pytest.raises(KeyError) as e:
        store.read("bed0000/ECG_III")
    assert isinstance(e.value, tsweep.UnknownStreamError)
    assert str(e.value).startswith(f"{store.path}: no stream is named 'bed0000/ECG_III' (streams: bed0000/ECG_II,")
    with pytest.raises(tsweep.UnknownStreamError, match=r"no stream matches 'ward\*/ECG' \(streams: "):
        store.read("ward*/ECG")
    with pytest.raises(tsweep.UnknownStreamError, match="no stream is named 'nope'"):
        store.attributes("nope")


@pytest.mark.parametrize("start, end", [
    (2_000, 1_000),
    ("2024-01-01T00:10:00Z", "2024-01-01T00:09:59.999Z"),
    (np.datetime64("2024-01-01T00:10:00"), np.datetime64("2024-01-01T00:00:00")),
    (pd.Timestamp("2024-01-01 01:00", tz="Europe/Paris"), pd.Timestamp("2023-12-31 23:59", tz="UTC")),
    (datetime.datetime(2024, 1, 2), datetime.date(2024, 1, 1)),
])
def test_end_before_start_is_a_value_error_giving_both(store, start, end):
    with pytest.raises(ValueError, match=r"^end .* is before start .*"):
        store.read("bed0000/HR", start, end)


@pytest.mark.parametrize("bad, error, message", [
    ("yesterday", ValueError, r"start 'yesterday' is not an ISO-8601 time"),
    ("2024-13-01", ValueError, r"start '2024-13-01' is not an ISO-8601 time"),
    (1.5e18, TypeError, r"start must be ns since the epoch .* not float"),
    (True, TypeError, r"start must be .* not a bool"),
    (np.datetime64("NaT"), ValueError, r"start is NaT"),
    (2**63, ValueError, r"start 9223372036854775808 is outside the int64 ns range"),
])
def test_a_time_that_is_not_one_names_the_argument(store, bad, error, message):
    with pytest.raises(error, match=message):
        store.read("bed0000/HR", bad)


def test_a_bad_thread_count_or_name_type_is_refused(store):
    with pytest.raises(ValueError, match="threads must be a positive int, not 0"):
        store.read("bed0000/HR", threads=0)
    with pytest.raises(TypeError, match="a stream name or pattern must be a str, not int"):
        store.read(3)


@pytest.mark.parametrize("kind", ["text", "hdf5", "results", "folder", "empty", "truncated"])
def test_a_file_that_is_not_a_store_is_a_store_error_naming_it(kind, tmp_path, generated, results_file):
    path = _not_a_store(kind, tmp_path, generated[0], results_file)
    with pytest.raises(tsweep.StoreError) as e:
        tsweep.Store(path)
    assert isinstance(e.value, OSError) and isinstance(e.value, tsweep.Error)
    assert str(e.value).startswith(f"{path}: "), str(e.value)
    assert "\n" not in str(e.value)


def test_a_missing_store_or_results_file_is_file_not_found(tmp_path):
    for open_it in (tsweep.Store, tsweep.Results):
        with pytest.raises(FileNotFoundError, match="no such"):
            open_it(tmp_path / "missing.h5")


def test_a_closed_store_says_so(generated):
    s = tsweep.Store(generated[0])
    s.close()
    s.close()
    with pytest.raises(ValueError, match=f"{generated[0]}: the store is closed"):
        s.read("bed0000/HR")
    assert "closed" in repr(s)


@pytest.mark.parametrize("kind", ["text", "store"])
def test_a_file_that_is_not_results_is_a_results_error_naming_it(kind, tmp_path, generated):
    path = generated[0] if kind == "store" else _not_a_store("text", tmp_path, None, None)
    with pytest.raises(tsweep.ResultsError, match=f"^{path}: not a tsweep results file") as e:
        tsweep.Results(path)
    assert isinstance(e.value, OSError)
    if kind == "store":
        assert "tsweep_format is 'store', expected 'results'" in str(e.value)


def test_an_unknown_analysis_names_those_there_are(results_file):
    with tsweep.Results(results_file) as r, pytest.raises(KeyError, match="no analysis 'fft' .*analyses: events, "):
        r.analysis("fft")


def _not_a_store(kind, tmp_path, store, results):
    path = tmp_path / f"{kind}.h5"
    if kind == "text":
        path.write_text("time,value\n0,1\n")
    elif kind == "hdf5":
        with h5py.File(path, "w") as f:
            f["x"] = np.arange(3)
    elif kind == "results":
        path = results
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(open(store, "rb").read()[:4096])
    return path
