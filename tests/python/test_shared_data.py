"""Every sample of the shared real files, read through tsweep.Store, equals the
facts of /work/shared/data/README.md and, for WFDB and EDF, the files
themselves decoded here with numpy (format 212; 16-bit EDF records)."""
import os

import numpy as np
import pandas as pd
import pytest

import tsweep

# README.md of the shared data: raw count, min, max and sum.
FACTS = {
    "100/MLII": (650000, 481, 1311, 625781133),
    "100/V5": (650000, 531, 1269, 640765524),
    "test_generator_2/ramp": (120000, -3276, 3243, -1965600),
    "IU.COLA.00.LHZ": (4200, -2121836, 1342348, -988218594),
}
MITBIH_RATE_HZ = 360


@pytest.fixture(scope="module")
def store(real_store):
    with tsweep.Store(real_store) as s:
        yield s


@pytest.mark.parametrize("name", sorted(FACTS))
def test_raw_samples_match_readme_facts(store, name):
    got = store.read(name, physical=False)
    assert got.corrupt == []
    v = got.values
    assert (v.size, int(v.min()), int(v.max()), int(v.sum(dtype=np.int64))) == FACTS[name]


def test_miniseed_first_sample_time_matches_readme(store):
    lhz = store.read("IU.COLA.00.LHZ")
    assert lhz.datetimes[0] == np.datetime64("2010-02-27T06:50:00.069539", "ns")
    assert lhz.times[0] == pd.Timestamp("2010-02-27T06:50:00.069539Z").value


def test_mitbih_every_sample_equals_the_format_212_file(store, shared_data):
    frames = _format_212(os.path.join(shared_data, "wfdb/100.dat"), signals=2)
    for lead, column in (("100/MLII", 0), ("100/V5", 1)):
        raw = store.read(lead, physical=False)
        np.testing.assert_array_equal(raw.values, frames[:, column], err_msg=lead)


def test_mitbih_times_lie_on_the_exact_360_hz_grid(store):
    lead = store.read("100/MLII", physical=False)
    start = int(store.streams.set_index("name").loc["100/MLII", "first_ns"])
    i = np.arange(lead.times.size, dtype=np.int64)
    np.testing.assert_array_equal(lead.times, start + (i * 10**9) // MITBIH_RATE_HZ)


def test_physical_values_are_raw_times_scale_plus_offset(store):
    table = store.streams.set_index("name")
    for name in ("100/MLII", "test_generator_2/ramp", "IU.COLA.00.LHZ"):
        raw, phys = store.read(name, physical=False), store.read(name)
        assert phys.values.dtype == np.float64 and raw.values.dtype != np.float64
        scale, offset = table.loc[name, "scale"], table.loc[name, "offset"]
        np.testing.assert_array_equal(phys.values, raw.values.astype(np.float64) * scale + offset, err_msg=name)
        np.testing.assert_array_equal(phys.times, raw.times)
    mlii = table.loc["100/MLII"]
    assert mlii["unit"] == "mV" and mlii["scale"] == pytest.approx(1 / 200) and mlii["offset"] == pytest.approx(-1024 / 200)


def test_edf_every_signal_equals_the_file(store, shared_data):
    signals = _edf_signals(os.path.join(shared_data, "edf/test_generator_2.edf"))
    assert len(signals) == 11
    for label, digital in signals.items():
        got = store.read(f"test_generator_2/{label}", physical=False)
        np.testing.assert_array_equal(got.values, digital, err_msg=label)
        assert np.all(np.diff(got.times) == 5_000_000), label  # 200 Hz, gapless


def test_every_stream_reads_every_sample_it_holds(store):
    table = store.streams.set_index("name")
    everything = store.read("*", physical=False)
    assert len(everything) == len(table) == 20
    for name, got in everything.items():
        assert got.corrupt == [] and len(got) == table.loc[name, "samples"], name
        assert got.times.size == got.values.size and np.all(np.diff(got.times) >= 0), name
        assert got.times[0] == table.loc[name, "first_ns"] and got.times[-1] == table.loc[name, "last_ns"], name
    beats = everything["100/annotations"]
    assert (len(beats), beats.values.dtype) == (2274, np.float64)


def test_slices_of_a_range_concatenate_to_the_whole(store):
    whole = store.read("100/MLII", physical=False)
    cuts = [whole.times[0], 1_234_567_891, np.datetime64("1970-01-01T00:05:00"), "1970-01-01T00:17:30.5Z",
            pd.Timestamp("1970-01-01 01:20:00", tz="Europe/Paris"), whole.times[-1] + 1]
    parts = [store.read("100/MLII", a, b, physical=False) for a, b in zip(cuts, cuts[1:])]
    np.testing.assert_array_equal(np.concatenate([p.values for p in parts]), whole.values)
    np.testing.assert_array_equal(np.concatenate([p.times for p in parts]), whole.times)
    middle = parts[2]
    assert middle.times[0] >= pd.Timestamp("1970-01-01T00:05:00Z").value
    assert middle.times[-1] < pd.Timestamp("1970-01-01T00:17:30.5Z").value


def test_the_thread_count_does_not_change_a_read(store):
    reads = [store.read("*", "1970-01-01T00:01:00Z", "2010-02-27T07:00:00Z", threads=t) for t in (1, 2, 5)]
    for other in reads[1:]:
        assert other.keys() == reads[0].keys()
        for name in reads[0]:
            np.testing.assert_array_equal(other[name].values, reads[0][name].values, err_msg=name)
            np.testing.assert_array_equal(other[name].times, reads[0][name].times, err_msg=name)


def _format_212(path, signals):
    """WFDB format 212: two 12-bit two's-complement samples in every 3 bytes, frames interleaved."""
    b = np.fromfile(path, dtype=np.uint8).astype(np.int32).reshape(-1, 3)
    first = b[:, 0] | ((b[:, 1] & 0x0F) << 8)
    second = b[:, 2] | ((b[:, 1] & 0xF0) << 4)
    samples = np.column_stack([first, second]).ravel()
    samples = np.where(samples >= 2048, samples - 4096, samples)
    return samples[: samples.size // signals * signals].reshape(-1, signals)


def _edf_signals(path):
    """EDF(+) digital samples by label: int16 records of every signal in turn; the annotation signal left out."""
    raw = open(path, "rb").read()
    records, n = int(raw[236:244]), int(raw[252:256])
    fields = raw[256:256 + 256 * n]
    labels = [fields[16 * i:16 * i + 16].decode("latin-1").strip() for i in range(n)]
    at = 216 * n  # label 16, transducer 80, dimension 8, physical and digital ranges 4 x 8, prefilter 80
    per_record = [int(fields[at + 8 * i:at + 8 * i + 8]) for i in range(n)]
    data = np.frombuffer(raw, dtype="<i2", offset=256 + 256 * n, count=records * sum(per_record))
    data = data.reshape(records, sum(per_record))
    starts = np.cumsum([0] + per_record)
    return {labels[i]: data[:, starts[i]:starts[i + 1]].ravel() for i in range(n) if labels[i] != "EDF Annotations"}
