"""tsweep.Results: a results file (src/output/FORMAT.md) as pandas and xarray, read with h5py."""
import functools
import json
import os
import warnings

import h5py
import numpy as np
import pandas as pd

from . import _time, _tsweep

FORMAT_VERSION = 1
# /windows columns that hold a duration in ns; the other columns with unit "ns" hold times.
_DURATIONS = frozenset({"longest_gap"})


class ResultsError(_tsweep.Error, OSError):
    """A file that is not a tsweep results file this reader reads."""


class Results:
    """A results file of `tsweep run`, read with h5py (no MPI).

        with tsweep.Results("results.h5") as r:
            r.windows                      # one row per (stream, window): name, start, stats, quality
            r.analysis("percentiles")      # that analysis's fields, row for row with r.windows
            r.to_xarray()                  # every field, dimension "row" indexed by (name, start)

    Rows are numbered as in the file (index "row"), so the frames join on it:
    r.windows.join(r.analysis("spectrum")).
    """

    def __init__(self, path):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "no such results file", path)
        self.path = path
        self._file = _open_results(path)
        self._warn_if_partial()

    # -- the file ------------------------------------------------------------
    @property
    def window_ns(self):
        return int(self._file.attrs["window_ns"])

    @property
    def window(self):
        return pd.Timedelta(self.window_ns, unit="ns")

    @property
    def analyses(self):
        """The analyses of the run, in the order they ran."""
        return [a for a in _text(self._file.attrs["analyses"]).split(",") if a]

    @property
    def parameters(self):
        """Each analysis's parameters, as the run checked them (a dict)."""
        text = self._file.attrs.get("analysis_parameters")
        return json.loads(_text(text)) if text is not None else {}

    @property
    def attrs(self):
        """The file's root attributes (config, store identity, plan digest ...), strings decoded."""
        return {k: _text(v) if isinstance(v, (bytes, str)) else v for k, v in self._file.attrs.items()}

    @property
    def complete(self):
        """True when every unit of work is committed (a finished run)."""
        return bool(np.all(self._file["units/committed"][()] == 1))

    def close(self):
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return (f"tsweep.Results({self.path!r}, {len(self.streams)} streams, {self._rows} rows, "
                f"window {self.window}, analyses {','.join(self.analyses)})")

    # -- tables (read from the file on each access: keep what you use) -------
    @property
    def streams(self):
        """The selected streams, indexed by their row in /streams: name, id (in the store),
        row_start, row_count, first_window, begin and end of the covered range (datetime64)."""
        g = self._file["streams"]
        frame = pd.DataFrame({"name": self._names, "id": g["id"][()], "row_start": g["row_start"][()],
                              "row_count": g["row_count"][()], "first_window": g["first_window"][()],
                              "begin": _time.to_datetime64(g["begin_ns"][()]),
                              "end": _time.to_datetime64(g["end_ns"][()])})
        frame.index.name = "stream"
        return frame

    @property
    def windows(self):
        """One row per (stream, window): name (categorical), stream, start, then every
        /windows column. Times are datetime64[ns] (NaT where the file has INT64_MIN, an
        empty window), longest_gap is timedelta64[ns]; the rest as stored."""
        w = self._file["windows"]
        stream = w["stream"][()]
        columns = {"name": pd.Categorical.from_codes(stream, categories=self._names), "stream": stream}
        columns.update((field, _window_column(field, w[field])) for field in _window_fields(w))
        return _frame(columns, self._rows)

    def analysis(self, name):
        """The fields of analysis `name` (/analyses/<name>), row for row with `windows`.
        A vector field (one value per quantile, band, bin) becomes one column per label,
        named field[label]."""
        linked = name in ("stats", "quality")  # links to /windows columns: converted as windows has them
        columns = {}
        for field, ds in self._analysis_group(name).items():
            columns.update({field: _window_column(field, ds)} if linked else _expanded(field, ds))
        return _frame(columns, self._rows)

    def to_xarray(self):
        """Every field as an xarray.Dataset with dimension "row", indexed by (name, start):
        /windows columns under their own names, each other analysis's fields as
        <analysis>_<field>, a vector field with a second dimension <analysis>_<field>_label.
        ds.sel(name=...) picks a stream; ds.unstack("row") gives the (name, start) grid,
        padded with NaN where a stream has no such window."""
        import xarray as xr

        w = self._file["windows"]
        names = np.asarray(self._names, dtype=object)[w["stream"][()]]
        coords = {"name": ("row", names), "start": ("row", _window_column("start", w["start"]))}
        variables = {field: xr.Variable("row", _window_column(field, w[field]), _text_attrs(w[field]))
                     for field in _window_fields(w) if field != "start"}
        for analysis in self.analyses:
            if analysis in ("stats", "quality"):  # their fields are the /windows columns
                continue
            for field, ds in self._analysis_group(analysis).items():
                var = f"{analysis}_{field}"
                dims = ("row",) if ds.ndim == 1 else ("row", f"{var}_label")
                variables[var] = xr.Variable(dims, ds[()], _text_attrs(ds))
                if ds.ndim == 2:
                    coords[dims[1]] = _labels(ds)
        attrs = {"window_ns": self.window_ns, "analyses": ",".join(self.analyses), "source": self.path}
        return xr.Dataset(variables, coords=coords, attrs=attrs).set_index(row=["name", "start"])

    # -- internals -----------------------------------------------------------
    @functools.cached_property
    def _names(self):
        return [_text(n) for n in self._file["streams/name"][()]]

    @functools.cached_property
    def _rows(self):
        return int(self._file["windows/start"].shape[0])

    def _analysis_group(self, name):
        groups = self._file.get("analyses")
        if groups is None or name not in groups:
            known = ", ".join(groups.keys()) if groups is not None else "none"
            raise KeyError(f"{self.path}: no analysis {name!r} in the results (analyses: {known})")
        return groups[name]

    def _warn_if_partial(self):
        if not self.complete:
            committed = int(np.sum(self._file["units/committed"][()] == 1))
            units = int(self._file["units/committed"].shape[0])
            warnings.warn(f"{self.path}: only {committed} of {units} units are committed (a run that stopped "
                          "or is still running): rows of the others hold no results", RuntimeWarning, stacklevel=3)


def _open_results(path):
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ResultsError(f"{path}: not a tsweep results file: cannot open it as HDF5 ({e})") from None
    fmt = _text(f.attrs.get("tsweep_format", ""))
    if fmt != "results":
        f.close()
        raise ResultsError(f"{path}: not a tsweep results file (tsweep_format is {fmt!r}, expected 'results')")
    version = int(f.attrs.get("tsweep_format_version", -1))
    if version != FORMAT_VERSION:
        f.close()
        raise ResultsError(f"{path}: results format version {version}; this reader reads version {FORMAT_VERSION}")
    return f


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _text_attrs(ds):
    return {k: _text(ds.attrs[k]) for k in ("description", "unit") if k in ds.attrs}


def _window_fields(windows):
    """The /windows columns after stream, start first."""
    return ["start"] + [f for f in windows if f not in ("stream", "start")]


def _window_column(field, ds):
    values = ds[()]
    if _text(ds.attrs.get("unit", "")) != "ns":
        return values
    return values.view("timedelta64[ns]" if field in _DURATIONS else "datetime64[ns]")


def _labels(ds):
    return [_text(label) for label in ds.attrs.get("labels", range(ds.shape[1]))]


def _expanded(field, ds):
    """A field's columns: itself, or one per label of a vector field."""
    values = ds[()]
    if values.ndim == 1:
        return {field: values}
    return {f"{field}[{label}]": values[:, j] for j, label in enumerate(_labels(ds))}


def _frame(columns, rows):
    return pd.DataFrame(columns, index=pd.RangeIndex(rows, name="row"))
