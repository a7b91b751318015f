"""tsweep.Store on a generated store: the stream table, names and patterns,
raw and physical values, ranges, and blocks damaged on purpose, which are
reported (with a warning) and left out, never raised."""
import concurrent.futures
import os
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

import tsweep

pytestmark = pytest.mark.filterwarnings("ignore::tsweep.CorruptBlockWarning")  # the store has damaged blocks
RAW_TYPES = {"int16": np.int16, "int32": np.int32, "int64": np.int64, "float32": np.float32, "float64": np.float64}


@pytest.fixture(scope="module")
def store(generated):
    with tsweep.Store(generated[0]) as s:
        yield s


@pytest.fixture(scope="module")
def index(generated):
    with h5py.File(generated[0], "r") as f:
        return f["blocks/index"][()]


@pytest.fixture(scope="module")
def everything(store):
    with pytest.warns(tsweep.CorruptBlockWarning, match="corrupt block"):
        return store.read("*", physical=False)


def test_stream_table_is_the_stores(store, generated):
    table = store.streams
    with h5py.File(generated[0], "r") as f:
        rows = f["streams"][()]
    assert list(table["name"]) == [n.decode() for n in rows["name"]] == store.names
    for field in ("scale", "offset", "rate_nhz", "sample_count", "first_ns", "last_ns"):
        column = "samples" if field == "sample_count" else field
        np.testing.assert_array_equal(table[column].to_numpy(), rows[field], err_msg=field)
    assert table["first"].dtype == np.dtype("datetime64[ns]")
    assert table["first"].iloc[0] == np.datetime64(int(rows["first_ns"][0]), "ns")
    assert len(store) == 16 and "bed0000/ECG_II" in store and "bed0000/nope" not in store


def test_damaged_blocks_are_reported_and_left_out(store, generated, index, everything):
    listed = {(c["name"], c["block"]) for c in generated[1]}
    reported = {(c.stream, c.block) for data in everything.values() for c in data.corrupt}
    assert reported == listed and len(listed) == 3
    for c in (c for data in everything.values() for c in data.corrupt):
        assert "checksum" in c.reason and (c.first_ns, c.last_ns) == (index["first_ns"][c.block], index["last_ns"][c.block])
    table = store.streams.set_index("name")
    for name, data in everything.items():
        lost = sum(int(index["count"][c.block]) for c in data.corrupt)
        assert len(data) == table.loc[name, "samples"] - lost, name


def test_raw_values_keep_the_stream_type_and_physical_are_float64(store, everything):
    table = store.streams.set_index("name")
    for name, raw in everything.items():
        assert raw.values.dtype == RAW_TYPES[table.loc[name, "sample_type"]], name
        assert not raw.physical and raw.times.dtype == np.int64
    name = "bed0000/ABP"
    phys = store.read(name)
    assert phys.physical and phys.values.dtype == np.float64 and phys.unit == table.loc[name, "unit"]
    expected = everything[name].values.astype(np.float64) * table.loc[name, "scale"] + table.loc[name, "offset"]
    np.testing.assert_array_equal(phys.values, expected)


def test_a_name_gives_one_stream_and_a_pattern_a_dict(store):
    one = store.read("bed0001/HR")
    assert isinstance(one, tsweep.StreamData) and one.name == "bed0001/HR"
    ecg = store.read("*/ECG_*")
    assert list(ecg) == [n for n in store.names if "/ECG_" in n] and len(ecg) == 4
    single_match = store.read("bed0001/H?")
    assert list(single_match) == ["bed0001/HR"]


def test_values_only_read_equals_the_full_read(store, everything):
    only = store.read("bed0000/*", physical=False, times=False)
    for name, data in only.items():
        assert data.times is None and data.datetimes is None
        np.testing.assert_array_equal(data.values, everything[name].values, err_msg=name)


def test_a_range_holds_exactly_the_samples_in_it(store, everything):
    name = "bed0000/ECG_II"
    whole = everything[name].times
    start, end = int(whole[1000]) - 1, int(whole[50000])
    part = store.read(name, start, end, physical=False)
    inside = (whole >= start) & (whole < end)
    np.testing.assert_array_equal(part.times, whole[inside])
    np.testing.assert_array_equal(part.values, everything[name].values[inside])
    assert len(store.read(name, start, start)) == 0
    assert len(store.read(name, "2000-01-01", "2000-01-02")) == 0


def test_a_series_is_indexed_by_utc_time(store):
    series = store.read("bed0000/Temp").to_series()
    assert series.name == "bed0000/Temp" and str(series.index.tz) == "UTC" and series.index.is_monotonic_increasing


def test_refresh_of_a_store_nobody_writes_changes_nothing(store):
    assert store.refresh() is False and not store.swmr
    assert store.identity["streams"] == 16 and store.format_version == 3


def test_random_ranges_equal_slices_of_the_whole_read(store, everything):
    rng = np.random.default_rng(11)
    names = ["bed0000/ECG_II", "bed0001/ABP", "bed0000/RR", "bed0001/SpO2"]  # int16 with damaged blocks, irregular, float32
    for _ in range(12):
        name = names[rng.integers(len(names))]
        whole = everything[name]
        a, b = np.sort(rng.integers(int(whole.times[0]) - 10**9, int(whole.times[-1]) + 10**9, size=2))
        part = store.read(name, int(a), int(b), physical=False, threads=int(rng.integers(1, 5)))
        inside = (whole.times >= a) & (whole.times < b)
        np.testing.assert_array_equal(part.times, whole.times[inside], err_msg=f"{name} [{a}, {b})")
        np.testing.assert_array_equal(part.values, whole.values[inside], err_msg=f"{name} [{a}, {b})")
        assert {c.block for c in part.corrupt} <= {c.block for c in whole.corrupt}


def test_python_threads_may_read_one_store_at_once(store, everything):
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        reads = list(pool.map(lambda t: store.read("*", physical=False, threads=t), [1, 2, 3, 4]))
    for data in reads:
        for name, d in data.items():
            np.testing.assert_array_equal(d.values, everything[name].values, err_msg=name)
            np.testing.assert_array_equal(d.times, everything[name].times, err_msg=name)


FLIP_ROW = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "store", "flip_row.py")


@pytest.mark.parametrize("field, reseal, reason", [
    ("offset", False, "its index row fails its row checksum"),  # the row's own checksum catches it
    ("count", True, "samples, the index says"),  # sealed again: the block's header disagrees with the row
])
def test_a_damaged_index_row_is_a_corrupt_block_not_a_crash(generated, index, tmp_path, field, reseal, reason):
    damaged = tmp_path / "damaged.h5"
    shutil.copyfile(generated[0], damaged)
    with tsweep.Store(damaged) as s:
        abp = int(s.streams.index[s.streams["name"] == "bed0001/ABP"][0])
        sound = s.read("bed0001/ABP", physical=False)
    row = int(np.flatnonzero(index["stream"] == abp)[1])
    subprocess.run([sys.executable, FLIP_ROW, str(damaged), "blocks/index", str(row), field, "0", "0x01"]
                   + (["--reseal"] if reseal else []), check=True, capture_output=True)
    with tsweep.Store(damaged) as s, pytest.warns(tsweep.CorruptBlockWarning, match=reason):
        got = s.read("bed0001/ABP", physical=False)
    assert row in {c.block for c in got.corrupt}
    in_block = (sound.times >= index["first_ns"][row]) & (sound.times <= index["last_ns"][row])
    np.testing.assert_array_equal(got.times, sound.times[~in_block])  # that block's samples, and only those, are gone
    np.testing.assert_array_equal(got.values, sound.values[~in_block])
