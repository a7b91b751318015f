#!/usr/bin/python3
"""The built-in analyses percentiles, spectrum and events, checked against
NumPy and SciPy computations from the samples themselves (builtins_e2e_test.sh).

  check_builtins.py make-dense ARRAYS.h5        write the dense test signals
  check_builtins.py dense RESULTS ARRAYS.h5     percentiles and spectrum of every window
  check_builtins.py events RESULTS STORE        events of every window of every beat stream
  check_builtins.py params RESULTS ANALYSIS KEY JSON   the parameters attribute holds KEY = JSON

The dense signals are ingested with --rate 250 --start 2024-03-01T00:00:00Z
and run in 60 s windows with the parameters below (the job config in
builtins_e2e_test.sh must say the same; the `parameters` attributes are checked
against them). Beat times are read from the store with the independent block
decoder tests/codec/reference_decoder.py (zstd chunks through libzstd).
Exit 1 with one line per problem found.
"""
import ctypes
import ctypes.util
import json
import os
import sys

import h5py
import numpy as np
import scipy.signal

RATE = 250
START_NS = 1709251200 * 10**9  # 2024-03-01T00:00:00Z, a multiple of the window
WINDOW_S = 60
SIGNALS = ("a", "b", "c")
DURATION_S = 20 * 60
Q = [0.01, 0.25, 0.5, 0.9, 0.99]
BINS, RANGE = 16, (-5.0, 5.0)
BANDS = {"low": (0.5, 4.0), "mid": (4.0, 13.0), "high": (13.0, 40.0)}
SEGMENT, OVERLAP = 512, 0.5
NAN_SIGNAL, NAN_WINDOW = "b", 4  # the one window with NaNs
EDGE_SIGNAL, EDGE_WINDOW = "a", 2  # the window holding values on and just past the histogram's edges

problems = []


def problem(message):
    problems.append(message)
    if len(problems) <= 40:
        print("check_builtins: " + message, file=sys.stderr)


def done(what):
    if problems:
        print("check_builtins: %d problem(s)" % len(problems), file=sys.stderr)
        sys.exit(1)
    print(what)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


# --- the dense signals -------------------------------------------------------

def make_dense(path):
    n = RATE * DURATION_S
    t = np.arange(n) / RATE
    rng = np.random.default_rng(20240301)
    a = 2.0 * np.sin(2 * np.pi * 1.3 * t) + 0.7 * np.sin(2 * np.pi * 9.0 * t) + 0.2 * rng.standard_normal(n)
    b = 0.5 * np.sin(2 * np.pi * 2.5 * t + 1.0) + 1.2 * np.sin(2 * np.pi * 21.0 * t) + 0.1 * rng.standard_normal(n)
    c = 4.5 * np.sin(2 * np.pi * 6.0 * t) + 0.8 * np.sin(2 * np.pi * 35.0 * t) + 1.0 * rng.standard_normal(n) + 0.3
    w = RATE * WINDOW_S
    # NaNs in one window: a run and scattered ones.
    b[NAN_WINDOW * w + 1000:NAN_WINDOW * w + 1200] = np.nan
    b[NAN_WINDOW * w + rng.choice(w, 50, replace=False)] = np.nan
    # Values on the histogram's edges (the last bin holds its right edge) and just outside.
    e = EDGE_WINDOW * w + 500
    a[e:e + 8] = [-5.0, 5.0, 0.0, 0.625, -4.375, np.nextafter(5.0, 6.0), np.nextafter(-5.0, -6.0), 4.999999999]
    with h5py.File(path, "w") as f:
        for name, x in zip(SIGNALS, (a, b, c)):
            f.create_dataset("signals/" + name, data=x.astype(np.float64))
    print("wrote %s: %d signals of %d samples" % (path, len(SIGNALS), n))


# --- reading results ---------------------------------------------------------

class Results:
    def __init__(self, f):
        self.f = f
        self.stream = f["windows/stream"][:]
        self.start = f["windows/start"][:]
        self.rows = len(self.stream)
        self.names = [text(n).rstrip("\0") for n in f["streams/name"][:]]
        self.begin = f["streams/begin_ns"][:]
        self.end = f["streams/end_ns"][:]
        self.window_ns = int(f.attrs["window_ns"])

    def group(self, analysis):
        g = self.f.get("analyses/" + analysis)
        if g is None:
            sys.exit("check_builtins: no group /analyses/%s (has: %s)" % (analysis, sorted(self.f.get("analyses", {}))))
        return g

    def parameters(self, analysis):
        g = self.group(analysis)
        if "parameters" not in g.attrs:
            problem("/analyses/%s has no parameters attribute" % analysis)
            return {}
        return json.loads(text(g.attrs["parameters"]))

    def field(self, analysis, kinds, width, preferred, labels=None, what=""):
        """The dataset of the analysis with dtype kind in `kinds` and `width`
        columns (0: 1-D), by name if one of `preferred` fits, else the only one
        that fits. Checks its shape, description and labels."""
        g = self.group(analysis)
        fits = []
        for name, d in g.items():
            if not isinstance(d, h5py.Dataset) or d.dtype.kind not in kinds:
                continue
            if (width == 0 and d.ndim == 1) or (width > 0 and d.ndim == 2 and d.shape[1] == width):
                fits.append(name)
        names = [n for n in preferred if n in fits] or fits
        if len(names) != 1:
            have = ", ".join("%s %s %s" % (n, g[n].dtype, g[n].shape) for n in g if isinstance(g[n], h5py.Dataset))
            sys.exit("check_builtins: /analyses/%s: cannot tell which dataset holds %s (%s, width %d; candidates %s; has: %s)"
                     % (analysis, what, kinds, width, names, have))
        d = g[names[0]]
        where = "/analyses/%s/%s" % (analysis, names[0])
        if d.shape[0] != self.rows:
            problem("%s has %d rows, /windows/stream %d" % (where, d.shape[0], self.rows))
        if not text(d.attrs.get("description", "")):
            problem("%s has no description" % where)
        if labels is not None:
            got = [text(x) for x in d.attrs.get("labels", [])]
            if len(got) != len(labels) or (labels and isinstance(labels[0], str) and got != labels):
                problem("%s: labels %s, expected %s" % (where, got, labels))
        return names[0], d[()]

    def covered_s(self, r):
        s = self.stream[r]
        lo = max(int(self.start[r]), int(self.begin[s]))
        hi = min(int(self.start[r]) + self.window_ns, int(self.end[s]))
        return (hi - lo) * 1e-9


def close(got, want, rel, floor=0.0):
    """Equal within rel relative (to max(|want|, floor)); NaN equals NaN."""
    if np.isnan(want) or np.isnan(got):
        return bool(np.isnan(want) and np.isnan(got))
    return abs(got - want) <= rel * max(abs(want), floor)


def check_dense_params(res):
    p = res.parameters("percentiles")
    if p.get("q") != Q or p.get("bins") != BINS or list(p.get("range", [])) != list(RANGE):
        problem("percentiles parameters %s; this check expects q %s, bins %d, range %s" % (p, Q, BINS, list(RANGE)))
    p = res.parameters("spectrum")
    bands = {k: tuple(v) for k, v in p.get("bands", {}).items()}
    if bands != BANDS or list(p.get("bands", {})) != list(BANDS) or p.get("segment") != SEGMENT or p.get("overlap") != OVERLAP:
        problem("spectrum parameters %s; this check expects bands %s, segment %d, overlap %s" % (p, BANDS, SEGMENT, OVERLAP))


def dense(results_path, arrays_path):
    with h5py.File(results_path, "r") as f, h5py.File(arrays_path, "r") as a:
        res = Results(f)
        if res.window_ns != WINDOW_S * 10**9:
            sys.exit("check_builtins: window_ns %d, expected %d s windows" % (res.window_ns, WINDOW_S))
        check_dense_params(res)
        qname, qv = res.field("percentiles", "f", len(Q), ("value", "values", "quantile", "quantiles", "percentile"),
                              labels=[None] * len(Q), what="the quantiles")
        hname, hist = res.field("percentiles", "iu", BINS, ("histogram", "hist", "counts"),
                                labels=[None] * BINS, what="the histogram")
        pname, power = res.field("spectrum", "f", len(BANDS), ("power", "band_power", "bands"),
                                 labels=list(BANDS), what="the band powers")
        # Optional 1-D counts beside them, checked when the analysis has them.
        g = res.group("percentiles")
        extra = {n: g[n][()] for n in ("count", "below", "above") if n in g and g[n].ndim == 1}
        nperseg, noverlap = SEGMENT, int(SEGMENT * OVERLAP)
        w = RATE * WINDOW_S
        checked = {"percentiles": 0, "histogram": 0, "spectrum": 0}
        skipped_spectrum = []
        for name in SIGNALS:
            x = a["signals/" + name][:]
            stream = "arrays/" + name
            if stream not in res.names:
                problem("no stream %s in the results (have %s)" % (stream, res.names))
                continue
            rows = np.nonzero(res.stream == res.names.index(stream))[0]
            if len(rows) != DURATION_S // WINDOW_S:
                problem("%s: %d rows, expected %d windows" % (stream, len(rows), DURATION_S // WINDOW_S))
            for r in rows:
                k = (int(res.start[r]) - START_NS) // (WINDOW_S * 10**9)
                if int(res.start[r]) != START_NS + k * WINDOW_S * 10**9:
                    problem("%s row %d starts at %d, not on the %d s grid" % (stream, r, res.start[r], WINDOW_S))
                    continue
                seg = x[k * w:(k + 1) * w]
                ok = seg[~np.isnan(seg)]
                where = "%s window %d (row %d)" % (stream, k, r)
                # Percentiles: numpy.quantile (linear) of the non-NaN values.
                want = np.quantile(ok, Q)
                floor = float(np.max(np.abs(ok)))
                for i, q in enumerate(Q):
                    if not close(float(qv[r, i]), float(want[i]), 1e-12, floor):
                        problem("%s: %s[q=%s] = %r, numpy.quantile %r" % (where, qname, q, qv[r, i], want[i]))
                checked["percentiles"] += 1
                want_h = np.histogram(ok, BINS, range=RANGE)[0]
                if not np.array_equal(hist[r].astype(np.int64), want_h):
                    problem("%s: %s %s, numpy.histogram %s" % (where, hname, hist[r].tolist(), want_h.tolist()))
                checked["histogram"] += 1
                want_x = {"count": len(ok), "below": int(np.sum(ok < RANGE[0])), "above": int(np.sum(ok > RANGE[1]))}
                for n, v in extra.items():
                    if int(v[r]) != want_x[n]:
                        problem("%s: percentiles %s %d, expected %d" % (where, n, v[r], want_x[n]))
                # Spectrum: Welch (periodic Hann, mean detrend, density), summed over [lo, hi) x fs/nperseg.
                if len(ok) != len(seg):
                    skipped_spectrum.append((name, k))
                    continue
                freq, pxx = scipy.signal.welch(seg, fs=RATE, window="hann", nperseg=nperseg, noverlap=noverlap,
                                               detrend="constant", scaling="density")
                for i, (band, (lo, hi)) in enumerate(BANDS.items()):
                    want_p = float(np.sum(pxx[(freq >= lo) & (freq < hi)]) * RATE / nperseg)
                    if not close(float(power[r, i]), want_p, 1e-9):
                        problem("%s: %s[%s] = %r, scipy welch %r (ratio %r)"
                                % (where, pname, band, power[r, i], want_p, power[r, i] / want_p if want_p else np.inf))
                checked["spectrum"] += 1
        if checked["percentiles"] < len(SIGNALS) * (DURATION_S // WINDOW_S):
            problem("only %s windows checked" % checked)
        if skipped_spectrum != [(NAN_SIGNAL, NAN_WINDOW)]:
            problem("windows with NaNs: %s, expected only %s window %d" % (skipped_spectrum, NAN_SIGNAL, NAN_WINDOW))
    done("percentiles (%s, %s%s) of %d windows equal numpy.quantile and numpy.histogram; spectrum (%s) of %d windows "
         "equals scipy.signal.welch summed over each band within 1e-9 "
         "(skipped, with NaNs: %s)"
         % (qname, hname, "".join(", " + n for n in extra), checked["percentiles"], pname, checked["spectrum"],
            ", ".join("arrays/%s window %d" % w for w in skipped_spectrum)))


# --- events: beat times from the store through the reference decoder ---------

def load_reference_decoder():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "codec"))
    import reference_decoder as rd  # noqa: E402  (tests/codec/reference_decoder.py)

    lib = ctypes.util.find_library("zstd") or "libzstd.so.1"
    try:
        z = ctypes.CDLL(lib)
    except OSError as e:
        sys.exit("check_builtins: cannot load libzstd (%s) to read zstd chunks: %s" % (lib, e))
    z.ZSTD_decompress.restype = ctypes.c_size_t
    z.ZSTD_decompress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    z.ZSTD_isError.restype = ctypes.c_uint
    z.ZSTD_isError.argtypes = [ctypes.c_size_t]

    def chunk(self, expected):  # src/codec/FORMAT.md, "chunk": method, raw_size[, stored_size], bytes
        method, raw = self.u8(), self.varint()
        if raw != expected:
            raise ValueError("chunk size %d, expected %d" % (raw, expected))
        if method == 0:
            return self.take(raw)
        if method != 1:
            raise ValueError("chunk method %d" % method)
        stored = self.take(self.varint())
        out = ctypes.create_string_buffer(max(raw, 1))
        n = z.ZSTD_decompress(out, raw, stored, len(stored))
        if z.ZSTD_isError(n) or n != raw:
            raise ValueError("zstd chunk does not decompress to %d bytes" % raw)
        return out.raw[:raw]

    rd.Reader.chunk = chunk
    return rd


def beat_times(store, name, rd):
    streams = store["streams"][:]
    names = [text(n).rstrip("\0") for n in streams["name"]]
    sid = names.index(name)
    index = store["blocks/index"][:]
    rows = np.nonzero(index["stream"] == sid)[0]
    rows = rows[np.lexsort((rows, index["first_ns"][rows]))]
    data = store["blocks/data"]
    times = []
    for r in rows:
        off, length = int(index["offset"][r]), int(index["length"][r])
        try:
            _, t = rd.decode(bytes(data[off:off + length]))
        except Exception as e:  # noqa: BLE001 - any decoding failure is a failed check
            sys.exit("check_builtins: %s block %d does not decode with the reference decoder: %r" % (name, r, e))
        times.extend(t)
    times = np.array(times, dtype=np.int64)
    if len(times) != int(streams["sample_count"][sid]):
        sys.exit("check_builtins: %s: decoded %d times, the store says %d samples" % (name, len(times), streams["sample_count"][sid]))
    if np.any(np.diff(times) < 0):
        sys.exit("check_builtins: %s: decoded times go backwards; this check assumes sorted beat times" % name)
    return times


EVENT_FIELDS = ("count", "rate", "interval_mean", "interval_std", "interval_min", "interval_max", "heart_rate", "rmssd")


def events(results_path, store_path):
    rd = load_reference_decoder()
    with h5py.File(results_path, "r") as f, h5py.File(store_path, "r") as store:
        res = Results(f)
        g = res.group("events")
        missing = [n for n in EVENT_FIELDS if n not in g]
        if missing:
            sys.exit("check_builtins: /analyses/events lacks %s (has: %s)" % (missing, sorted(g)))
        col = {n: g[n][()] for n in EVENT_FIELDS}
        for n in EVENT_FIELDS:
            if col[n].shape != (res.rows,):
                problem("/analyses/events/%s has shape %s, expected (%d,)" % (n, col[n].shape, res.rows))
        if col["count"].dtype.kind not in "iu":
            problem("/analyses/events/count is %s, expected an integer" % col["count"].dtype)
        beats = [n for n in res.names if n.endswith("/RR")]
        if not beats or len(beats) != len(res.names):
            sys.exit("check_builtins: expected only beat streams (*/RR) in the results, got %s" % res.names)
        checked = with_rmssd = 0
        for name in beats:
            s = res.names.index(name)
            t = beat_times(store, name, rd)
            if int(res.begin[s]) != int(t[0]) or int(res.end[s]) != int(t[-1]) + 1:
                problem("%s: /streams begin_ns/end_ns %d/%d, expected first beat %d and last beat + 1 ns %d"
                        % (name, res.begin[s], res.end[s], t[0], t[-1] + 1))
            for r in np.nonzero(res.stream == s)[0]:
                ws = int(res.start[r])
                i0, i1 = np.searchsorted(t, ws, "left"), np.searchsorted(t, ws + res.window_ns, "left")
                # Intervals that end at a beat in the window, the first one from the beat before it.
                ends = np.arange(max(i0, 1), i1)
                iv_ns = t[ends] - t[ends - 1]
                iv = iv_ns * 1e-9
                nan = float("nan")
                want = {
                    "count": i1 - i0,
                    "rate": (i1 - i0) / res.covered_s(r),
                    "interval_mean": float(np.mean(iv)) if len(iv) else nan,
                    "interval_std": float(np.std(iv)) if len(iv) else nan,
                    "interval_min": float(np.min(iv)) if len(iv) else nan,
                    "interval_max": float(np.max(iv)) if len(iv) else nan,
                }
                want["heart_rate"] = 60.0 / want["interval_mean"] if len(iv) and want["interval_mean"] > 0 else nan
                ms = iv_ns * 1e-6
                want["rmssd"] = float(np.sqrt(np.mean(np.diff(ms) ** 2))) if len(ms) >= 2 else nan
                where = "%s window at %d (row %d, %d beats)" % (name, ws, r, i1 - i0)
                if int(col["count"][r]) != want["count"]:
                    problem("%s: count %d, expected %d" % (where, col["count"][r], want["count"]))
                mean_s = want["interval_mean"] if len(iv) else 1.0
                # Spreads and extremes (0 with a duplicate time) against the mean interval.
                floors = {"interval_std": mean_s, "interval_min": mean_s, "interval_max": mean_s, "rmssd": mean_s * 1e3}
                for n in EVENT_FIELDS[1:]:
                    if not close(float(col[n][r]), want[n], 1e-9, floors.get(n, 0.0)):
                        problem("%s: %s %r, expected %r" % (where, n, col[n][r], want[n]))
                checked += 1
                with_rmssd += len(ms) >= 2
        if checked == 0 or with_rmssd == 0:
            problem("nothing checked (%d windows, %d with an rmssd)" % (checked, with_rmssd))
    done("events of %d windows of %s equal NumPy's from the decoded beat times (%d with an rmssd)"
         % (checked, ", ".join(beats), with_rmssd))


def params(results_path, analysis, key, value):
    with h5py.File(results_path, "r") as f:
        p = Results(f).parameters(analysis)
        if p.get(key) != json.loads(value):
            problem("/analyses/%s parameters %s: %s is %r, expected %s" % (analysis, p, key, p.get(key), value))
    done("/analyses/%s records %s = %s" % (analysis, key, value))


def main(argv):
    commands = {"make-dense": (make_dense, 1), "dense": (dense, 2), "events": (events, 2), "params": (params, 4)}
    if len(argv) < 2 or argv[1] not in commands or len(argv) - 2 != commands[argv[1]][1]:
        sys.exit(__doc__)
    commands[argv[1]][0](*argv[2:])


if __name__ == "__main__":
    main(sys.argv)
