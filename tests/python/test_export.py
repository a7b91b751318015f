"""`tsweep export` read back with h5py and with xarray equals `Store.read` on
the same range: every grid point that falls on a sample carries that
sample's value (rounded once to float32) and a set mask, gaps and corrupt
blocks are NaN with the mask clear, and xarray sees the same arrays under
named dimensions with datetime coordinates."""
import h5py
import numpy as np
import pytest

import tsweep
from conftest import run_cli

xarray = pytest.importorskip("xarray")
# The generated store has corrupt blocks on purpose: their samples are gaps in both.
pytestmark = pytest.mark.filterwarnings("ignore:.*corrupt block")

START, END = "2024-01-01T00:02:00Z", "2024-01-01T00:13:30Z"

EXPORT_JOB = """store: {store}
streams: ["*/ECG_*", "*/ABP", "*/RESP", "*/HR", "*/SpO2", "*/Temp"]  # the regular streams: native grids
time_range: {{start: {start}, end: {end}}}
export:
  output: {output}
  rate: native
  method: nearest
  dtype: float32
"""


@pytest.fixture(scope="module")
def exported(generated, tmp_path_factory):
    work = tmp_path_factory.mktemp("export")
    job, output = work / "export.yaml", work / "export.h5"
    job.write_text(EXPORT_JOB.format(store=generated[0], output=output, start=START, end=END))
    run_cli("export", job, timeout=240)
    return generated[0], output


def groups(f):
    return [g.decode() if isinstance(g, bytes) else str(g) for g in f.attrs["groups"]]


def stream_names(f, group):
    return [n.decode().rstrip("\0") if isinstance(n, bytes) else str(n) for n in f[f"stream_{group}"][()]]


def test_every_grid_point_on_a_sample_has_its_value_and_gaps_are_nan(exported):
    store_path, path = exported
    checked = 0
    with tsweep.Store(store_path) as store, h5py.File(path, "r") as f:
        assert f.attrs["tsweep_format"] in ("export", b"export")
        for g in groups(f):
            grid = f[f"time_{g}"][()]
            values, mask = f[f"values_{g}"], f[f"mask_{g}"]
            for row, name in enumerate(stream_names(f, g)):
                got, ok = values[row, :], mask[row, :].astype(bool)
                assert np.array_equal(ok, ~np.isnan(got)), f"{name}: the mask is set exactly where a value is"
                data = store.read(name, START, END)
                on_grid = np.isin(data.times, grid)
                at = np.searchsorted(grid, data.times[on_grid])
                want = data.values[on_grid].astype(np.float32)
                assert np.array_equal(got[at], want, equal_nan=True), f"{name}: values at the samples' times"
                # No sample, no value: points farther than a period from every sample are gaps.
                if data.times.size:
                    near = np.searchsorted(data.times, grid)
                    before = np.abs(grid - data.times[np.clip(near - 1, 0, data.times.size - 1)])
                    after = np.abs(data.times[np.clip(near, 0, data.times.size - 1)] - grid)
                    period = int(f[f"time_{g}"].attrs["rate_nhz"])
                    far = np.minimum(before, after) > 10**18 // period
                    assert not ok[far].any(), f"{name}: a value where no sample is near"
                checked += int(on_grid.sum())
    assert checked > 100_000


def test_xarray_opens_it_with_named_dimensions_and_the_same_arrays(exported):
    _, path = exported
    with h5py.File(path, "r") as f:
        g = groups(f)[0]
        names = stream_names(f, g)
        plain = f[f"values_{g}"][()]
        grid = f[f"time_{g}"][()]
    with xarray.open_dataset(path, engine="h5netcdf") as ds:
        da = ds[f"values_{g}"]
        assert da.dims == (f"stream_{g}", f"time_{g}")
        assert np.array_equal(da.values, plain, equal_nan=True)
        assert np.array_equal(ds[f"time_{g}"].values.astype("datetime64[ns]").astype(np.int64), grid)
        first = names[0].encode()
        assert np.array_equal(da.sel({f"stream_{g}": first}).values, plain[0], equal_nan=True)
