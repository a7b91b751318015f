"""tsweep.Results equals the HDF5 columns of a results file, read with h5py:
/windows as a DataFrame with stream names and datetime columns, every
analysis under /analyses as its own DataFrame, and the xarray view."""
import h5py
import numpy as np
import pytest

import tsweep


@pytest.fixture(scope="module")
def results(results_file):
    with tsweep.Results(results_file) as r:
        yield r


@pytest.fixture(scope="module")
def h5(results_file):
    with h5py.File(results_file, "r") as f:
        yield f


def stored(column):
    """A DataFrame column as the int64 or float the file holds (datetime64 and timedelta64 viewed back)."""
    values = column.to_numpy()
    return values.view(np.int64) if values.dtype.kind in "mM" else values


def test_windows_equal_every_hdf5_column(results, h5):
    frame = results.windows
    w = h5["windows"]
    assert set(frame.columns) == set(w) | {"name"}
    for field in w:
        np.testing.assert_array_equal(stored(frame[field]), w[field][()], err_msg=field)
    names = [n.decode() for n in h5["streams/name"][()]]
    assert list(frame["name"].astype(str)) == [names[i] for i in w["stream"][()]]
    assert list(frame.index) == list(range(w["start"].shape[0])) and frame.index.name == "row"


def test_time_columns_are_datetimes_and_an_empty_window_is_nat(results, h5):
    frame = results.windows
    for field in ("start", "first_time", "last_time"):
        assert frame[field].dtype == np.dtype("datetime64[ns]"), field
    assert frame["longest_gap"].dtype == np.dtype("timedelta64[ns]")
    empty = h5["windows/count"][()] + h5["windows/nan_count"][()] == 0
    assert frame["first_time"].isna().to_numpy().tolist() == (h5["windows/first_time"][()] == np.iinfo(np.int64).min).tolist()
    assert frame.loc[~empty, "first_time"].notna().all()


def test_every_analysis_equals_its_group(results, h5):
    assert results.analyses == ["stats", "quality", "percentiles", "spectrum", "events"]
    for name in results.analyses:
        frame = results.analysis(name)
        for field, ds in h5["analyses"][name].items():
            data = ds[()]
            if data.ndim == 1:
                np.testing.assert_array_equal(stored(frame[field]), data, err_msg=f"{name}/{field}")
                continue
            labels = [label if isinstance(label, str) else label.decode() for label in ds.attrs["labels"]]
            for j, label in enumerate(labels):
                np.testing.assert_array_equal(frame[f"{field}[{label}]"].to_numpy(), data[:, j], err_msg=f"{name}/{field}")
    assert "value[0.5]" in results.analysis("percentiles") and "power[high]" in results.analysis("spectrum")
    assert len(results.analysis("events")) == len(results.windows)


def test_streams_and_root_attributes(results, h5):
    streams = results.streams
    np.testing.assert_array_equal(streams["row_count"].to_numpy(), h5["streams/row_count"][()])
    np.testing.assert_array_equal(stored(streams["begin"]), h5["streams/begin_ns"][()])
    assert results.window_ns == 60 * 10**9 and str(results.window) == "0 days 00:01:00"
    assert results.complete and results.parameters["percentiles"]["q"] == [0.1, 0.5, 0.9]
    assert results.attrs["tsweep_format"] == "results"


def test_xarray_view_holds_every_field_row_for_row(results, h5):
    ds = results.to_xarray()
    rows = h5["windows/start"].shape[0]
    assert ds.sizes["row"] == rows and list(ds.indexes["row"].names) == ["name", "start"]
    np.testing.assert_array_equal(ds["count"].values, h5["windows/count"][()])
    np.testing.assert_array_equal(ds["percentiles_value"].values, h5["analyses/percentiles/value"][()])
    assert ds["spectrum_power"].dims == ("row", "spectrum_power_label")
    assert list(ds["spectrum_power_label"].values) == ["low", "high"]
    assert ds["mean"].attrs["description"].startswith("mean physical value")
    one = ds.sel(name="bed0000/HR")
    assert one.sizes["start"] == int(results.streams.set_index("name").loc["bed0000/HR", "row_count"])
    grid = ds.unstack("row")
    assert grid["count"].dims == ("name", "start") and grid.sizes["name"] == len(results.streams)
