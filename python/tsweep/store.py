"""tsweep.Store: a store's streams and samples, decoded by tsweep's C++ codec."""
import collections
import os
import warnings

import numpy as np
import pandas as pd

from . import _time, _tsweep

CorruptBlock = collections.namedtuple("CorruptBlock", "stream block first_ns last_ns reason")
CorruptBlock.__doc__ = """A block left out of a read: its stream, its row in /blocks/index, the
span it lies in (ns since the epoch) and why it was left out."""


class CorruptBlockWarning(UserWarning):
    """A read left out blocks that failed their checks (see StreamData.corrupt)."""


class UnknownStreamError(KeyError):
    """No stream of the store has the name, or matches the pattern, asked for."""

    def __str__(self):  # KeyError would quote the whole message
        return str(self.args[0]) if self.args else ""


class StreamData:
    """One stream's samples from Store.read, in sample order.

    values    numpy array: physical values (float64) or the raw samples (the
              stream's own type), as asked
    times     int64 ns since the epoch (None when read with times=False)
    datetimes the times as datetime64[ns] (a view of `times`, no copy)
    corrupt   list of CorruptBlock: blocks left out, their samples missing
    """

    __slots__ = ("name", "unit", "physical", "values", "times", "corrupt")

    def __init__(self, name, unit, physical, values, times, corrupt):
        self.name, self.unit, self.physical = name, unit, physical
        self.values, self.times, self.corrupt = values, times, corrupt

    @property
    def datetimes(self):
        return None if self.times is None else _time.to_datetime64(self.times)

    def to_series(self):
        """The values as a pandas Series indexed by time (a DatetimeIndex, UTC)."""
        if self.times is None:
            raise ValueError(f"{self.name}: read with times=False, so there is no time index")
        index = pd.DatetimeIndex(self.datetimes, name="time").tz_localize("UTC")
        return pd.Series(self.values, index=index, name=self.name)

    def __len__(self):
        return len(self.values)

    def __repr__(self):
        kind = "physical" if self.physical else "raw"
        return (f"StreamData({self.name!r}, {len(self)} samples, {kind} {self.values.dtype} {self.unit!r}, "
                f"{len(self.corrupt)} corrupt blocks)")


class Store:
    """A tsweep store, opened for reading (rank-local: no MPI).

    A store that a SWMR writer is appending to (`tsweep generate --swmr`, a
    live ingest) opens as a SWMR reader: it sees what was committed when it
    opened, and what was committed since after refresh().

        with tsweep.Store("store.h5") as store:
            store.streams                       # the stream table, a DataFrame
            ecg = store.read("bed01/ECG_II", "2024-03-01T00:00:00Z", "2024-03-01T01:00:00Z")
            leads = store.read("*/ECG_*")       # a pattern: {name: StreamData}
    """

    def __init__(self, path):
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(2, "no such store", path)
        self._handle = _tsweep.StoreHandle(path)
        self._table = None
        self.last_read = None  # what the last read() did: blocks, samples, seconds (for benchmarks)

    # -- the store -----------------------------------------------------------
    @property
    def path(self):
        return self._handle.path

    @property
    def swmr(self):
        """True when the store was opened as a SWMR reader (a live writer holds it)."""
        return self._handle.swmr

    @property
    def format_version(self):
        return self._handle.format_version

    @property
    def identity(self):
        """The store's uuid, format version, and its committed blocks, streams and samples."""
        return self._handle.identity()

    @property
    def streams(self):
        """The stream table as a DataFrame indexed by stream id: name, unit, sample_type,
        scale, offset (physical = raw * scale + offset), rate_hz, rate_nhz, valid_min,
        valid_max, blocks, samples, first and last (datetime64; NaT for an empty stream),
        first_ns, last_ns, encoded_bytes."""
        if self._table is None:
            self._table = _stream_frame(self._handle.stream_table())
        return self._table.copy()

    @property
    def names(self):
        """Every stream's name, in id order."""
        return self._handle.names()

    def attributes(self, name):
        """The free attributes of stream `name`, a dict of str."""
        return self._handle.attributes(self._id_of(name))

    def refresh(self):
        """Sees the blocks a live writer committed since open (or the last refresh).
        Returns True if anything grew."""
        grew = self._handle.refresh()
        if grew:
            self._table = None
        return grew

    def close(self):
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __contains__(self, name):
        return self._handle.find(name) is not None

    def __len__(self):
        return len(self._handle.names())

    def __repr__(self):
        state = "closed" if self._handle.closed else f"{len(self)} streams{', SWMR' if self.swmr else ''}"
        return f"tsweep.Store({self.path!r}, {state})"

    # -- samples -------------------------------------------------------------
    def read(self, name_or_pattern, start=None, end=None, physical=True, *, times=True, threads=None):
        """The samples of a stream in [start, end), decoded on `threads` threads.

        name_or_pattern  a stream name, which gives one StreamData; or a shell
                         pattern (`*`, `?`, `[...]`, as in a job config's
                         `streams:`), which gives {name: StreamData} for every
                         stream it matches, in id order
        start, end       int ns since the epoch, numpy.datetime64, pandas.Timestamp,
                         datetime or ISO-8601 text; None: the stream's start / end
        physical         True: values as raw * scale + offset in float64;
                         False: the raw samples in the stream's own type
        times            False: no sample times (values only, faster)
        threads          decoding threads (default: the CPUs this process may run on)

        Blocks that fail their checks (index row, header, checksum) are left
        out and listed in StreamData.corrupt, with a CorruptBlockWarning.
        Raises UnknownStreamError (a KeyError) when no stream has the name or
        matches the pattern, ValueError when end is before start.
        """
        begin_ns = _time.to_ns(start, "start")
        end_ns = _time.to_ns(end, "end")
        if begin_ns is not None and end_ns is not None and end_ns < begin_ns:
            raise ValueError(f"end {_describe(end, end_ns)} is before start {_describe(start, begin_ns)}")
        ids, single = self._select(name_or_pattern)
        results, self.last_read = self._handle.read(
            ids, _time.INT64_MIN if begin_ns is None else begin_ns, _time.INT64_MAX if end_ns is None else end_ns,
            bool(physical), bool(times), _threads(threads))
        out = {}
        for r in results:
            name = r["name"]
            corrupt = [CorruptBlock(name, *c) for c in r["corrupt"]]
            _warn_corrupt(self.path, name, corrupt)
            out[name] = StreamData(name, r["unit"], bool(physical), r["values"], r["times"], corrupt)
        return next(iter(out.values())) if single else out

    def _select(self, name_or_pattern):
        """Stream ids to read, and whether the argument named one stream."""
        if not isinstance(name_or_pattern, str):
            raise TypeError(f"a stream name or pattern must be a str, not {type(name_or_pattern).__name__}")
        exact = self._handle.find(name_or_pattern)
        if exact is not None:
            return [exact], True
        ids = self._handle.match(name_or_pattern) if _is_pattern(name_or_pattern) else []
        if not ids:
            raise UnknownStreamError(self._unknown(name_or_pattern))
        return ids, False

    def _id_of(self, name):
        found = self._handle.find(name)
        if found is None:
            raise UnknownStreamError(self._unknown(name))
        return found

    def _unknown(self, name):
        names = self._handle.names()
        shown = ", ".join(names[:8]) + (f", ... ({len(names)} in all)" if len(names) > 8 else "")
        what = "matches" if _is_pattern(name) else "is named"
        return f"{self.path}: no stream {what} {name!r} (streams: {shown or 'none'})"


def _is_pattern(text):
    return any(c in text for c in "*?[")


def _threads(threads):
    if threads is None:
        return len(os.sched_getaffinity(0))
    if isinstance(threads, bool) or not isinstance(threads, (int, np.integer)) or threads < 1:
        raise ValueError(f"threads must be a positive int, not {threads!r}")
    return int(threads)


def _describe(given, ns):
    return f"{given!r} ({ns} ns)" if not isinstance(given, (int, np.integer)) else f"{ns} ns"


def _warn_corrupt(path, name, corrupt):
    if corrupt:
        first = corrupt[0]
        warnings.warn(f"{path}: {name}: {len(corrupt)} corrupt block(s) left out of the read (the first, block "
                      f"{first.block}: {first.reason}); see StreamData.corrupt", CorruptBlockWarning, stacklevel=3)


def _stream_frame(columns):
    frame = pd.DataFrame(columns).set_index("id")
    empty = frame["samples"].to_numpy() == 0
    for side in ("first", "last"):
        stamps = _time.to_datetime64(frame[f"{side}_ns"].to_numpy()).copy()
        stamps[empty] = np.datetime64("NaT")
        frame[side] = stamps
    frame.insert(frame.columns.get_loc("rate_nhz"), "rate_hz", frame["rate_nhz"] / 1e9)
    return frame
