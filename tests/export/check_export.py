#!/usr/bin/env python3
"""Checks a `tsweep export` file against the store it came from, without tsweep:
the store's samples are decoded by the reference decoder (tests/codec/
reference_decoder.py, written from src/codec/FORMAT.md), put on the grid by
the rules of src/output/EXPORT.md in NumPy, and compared with the file read
both by h5py and by xarray (h5netcdf engine).

    check_export.py EXPORT STORE [--start NS] [--end NS] [--max-gap NS] [--expect-groups N]

Exits 1 naming the first difference.
"""
import argparse
import ctypes
import ctypes.util
import os
import sys

import h5py
import numpy as np

SAMPLE = {1: np.int16, 2: np.int32, 3: np.int64, 4: np.float32, 5: np.float64}
E18 = 10**18


def fail(msg):
    print("check_export: FAIL: " + msg)
    sys.exit(1)


def load_reference_decoder():
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "codec"))
    import reference_decoder as rd  # noqa: E402

    z = ctypes.CDLL(ctypes.util.find_library("zstd") or "libzstd.so.1")
    z.ZSTD_decompress.restype = ctypes.c_size_t
    z.ZSTD_decompress.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t]
    z.ZSTD_isError.restype = ctypes.c_uint
    z.ZSTD_isError.argtypes = [ctypes.c_size_t]

    def chunk(self, expected):  # src/codec/FORMAT.md, "chunk"
        method, raw = self.u8(), self.varint()
        if raw != expected:
            raise ValueError("chunk size %d, expected %d" % (raw, expected))
        if method == 0:
            return self.take(raw)
        stored = self.take(self.varint())
        out = ctypes.create_string_buffer(max(raw, 1))
        n = z.ZSTD_decompress(out, raw, stored, len(stored))
        if z.ZSTD_isError(n) or n != raw:
            raise ValueError("bad zstd chunk")
        return out.raw[:raw]

    rd.Reader.chunk = chunk
    return rd


def text(b):
    return (b.decode() if isinstance(b, bytes) else str(b)).rstrip("\0")


def store_samples(store, rd, name, physical):
    streams = store["streams"][:]
    names = [text(n) for n in streams["name"]]
    sid = names.index(name)
    row = streams[sid]
    index = store["blocks/index"][:]
    rows = np.nonzero(index["stream"] == sid)[0]
    rows = rows[np.lexsort((rows, index["first_ns"][rows]))]
    data = store["blocks/data"]
    dtype = SAMPLE[int(row["sample_type"])]
    ts, vs = [], []
    for r in rows:
        off, length = int(index["offset"][r]), int(index["length"][r])
        raw, t = rd.decode(bytes(data[off:off + length]))
        ts.append(np.array(t, dtype=np.int64))
        vs.append(np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(np.float64))
    t = np.concatenate(ts) if ts else np.zeros(0, np.int64)
    v = np.concatenate(vs) if vs else np.zeros(0)
    if physical:
        v = v * float(row["scale"]) + float(row["offset"])
    order = np.argsort(t, kind="stable")
    return t[order], v[order], int(row["rate_nhz"])


def period(rate_nhz):
    return -(-E18 // rate_nhz)


def grid_times(anchor, rate, first, n):
    k = np.arange(first, first + n + 1, dtype=np.int64)  # one past the end, for bins
    q, r = divmod(E18, rate)
    return anchor + k * q + (k * r) // rate


def expected(method, tp, tnext, t, v, tol, gap, start, end):
    n = len(t)
    j = np.searchsorted(t, tp, side="left")
    out = np.full(len(tp), np.nan)
    if method == "nearest":
        jb = np.clip(j - 1, 0, max(n - 1, 0))
        ja = np.clip(j, 0, max(n - 1, 0))
        before = (j > 0) & (tp - t[jb] <= tol) if n else np.zeros(len(tp), bool)
        after = (j < n) & (t[ja] - tp <= tol) if n else np.zeros(len(tp), bool)
        use_before = before & (~after | (tp - t[jb] <= t[ja] - tp))
        out[use_before] = v[jb[use_before]]
        use_after = ~use_before & after
        out[use_after] = v[ja[use_after]]
    elif method == "linear":
        if n:
            ja = np.clip(j, 0, n - 1)
            jb = np.clip(j - 1, 0, n - 1)
            exact = (j < n) & (t[ja] == tp)
            out[exact] = v[ja[exact]]
            inner = ~exact & (j > 0) & (j < n) & (t[ja] - t[jb] <= gap)
            f = (tp[inner] - t[jb[inner]]).astype(np.float64) / (t[ja[inner]] - t[jb[inner]]).astype(np.float64)
            out[inner] = v[jb[inner]] + (v[ja[inner]] - v[jb[inner]]) * f
    else:  # mean over [max(tp, start), min(tnext, end))
        a = np.searchsorted(t, np.maximum(tp, start), side="left")
        b = np.searchsorted(t, np.minimum(tnext, end), side="left")
        ok = ~np.isnan(v)
        cn = np.concatenate([[0], np.cumsum(ok)])
        cnt = cn[np.maximum(b, a)] - cn[a]
        has = cnt > 0
        if has.any() and n:
            w = np.where(ok, v, 0.0)
            sums = np.add.reduceat(w, np.minimum(a[has], n - 1))
            # reduceat sums [a_i, a_{i+1}); the bins are [a_i, b_i): take each bin on its own where they differ
            ends = np.append(a[has][1:], n)
            for i in np.nonzero(ends != b[has])[0]:
                sums[i] = w[a[has][i]:b[has][i]].sum()
            out[has] = sums / cnt[has]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("store")
    ap.add_argument("--start", type=int, default=-(2**63))
    ap.add_argument("--end", type=int, default=2**63 - 1)
    ap.add_argument("--max-gap", type=int, default=0)
    ap.add_argument("--expect-groups", type=int, default=0)
    ap.add_argument("--expect-streams", type=int, default=0)
    args = ap.parse_args()
    rd = load_reference_decoder()
    import xarray

    ds = xarray.open_dataset(args.export, engine="h5netcdf")
    with h5py.File(args.export, "r") as f, h5py.File(args.store, "r") as store:
        if text(f.attrs["tsweep_format"]) != "export":
            fail("tsweep_format is not export")
        method = text(f.attrs["method"])
        physical = int(f.attrs["physical"]) == 1
        groups = [text(g) for g in f.attrs["groups"]]
        if args.expect_groups and len(groups) != args.expect_groups:
            fail("%d groups, expected %d" % (len(groups), args.expect_groups))
        total_streams = 0
        for g in groups:
            values, mask, time, names = f["values_" + g], f["mask_" + g], f["time_" + g], f["stream_" + g]
            if values.dims[0].label != "" and False:
                pass
            # Dimension scales: values and mask carry the stream and time scales.
            for d in (values, mask):
                if d.dims[0][0].name != names.name or d.dims[1][0].name != time.name:
                    fail("%s: dimension scales are %s, %s" % (d.name, d.dims[0][0].name, d.dims[1][0].name))
            if values.chunks is None:
                fail("%s is not chunked" % values.name)
            rate, anchor, first = int(time.attrs["rate_nhz"]), int(time.attrs["anchor_ns"]), int(time.attrs["first_index"])
            n = time.shape[0]
            grid = grid_times(anchor, rate, first, n)
            if not np.array_equal(time[:], grid[:-1]):
                fail("time_%s: not anchor + floor(k * 1e18 / rate)" % g)
            # xarray sees the same arrays with named dimensions.
            xv = ds["values_" + g]
            if xv.dims != ("stream_" + g, "time_" + g):
                fail("xarray dims of values_%s: %s" % (g, xv.dims))
            xt = ds["time_" + g].values
            if xt.dtype.kind == "M":
                xt = xt.astype("datetime64[ns]").view(np.int64)
            if not np.array_equal(xt, grid[:-1]):
                fail("xarray time_%s differs" % g)
            out_period = period(rate)
            for row, name in enumerate(names[:]):
                name = text(name)
                total_streams += 1
                got = values[row, :]
                got_mask = mask[row, :]
                xgot = ds["values_" + g].values[row, :]
                if not np.array_equal(got, xgot, equal_nan=True) or not np.array_equal(got_mask, ds["mask_" + g].values[row, :]):
                    fail("%s %s: xarray and h5py read different values" % (g, name))
                t, v, native = store_samples(store, rd, name, physical)
                nat = period(native) if native > 0 else out_period
                tol = max(out_period, nat) // 2
                gap = args.max_gap if args.max_gap > 0 else nat + nat // 2
                want = expected(method, grid[:-1], grid[1:], t, v, tol, gap, args.start, args.end)
                want = want.astype(values.dtype) if values.dtype.kind == "f" else want
                if values.dtype.kind == "f":
                    if method == "mean":
                        # the file sums in sample order, NumPy pairwise: equal to rounding
                        scale = float(np.nanmax(np.abs(v))) if len(v) and not np.all(np.isnan(v)) else 1.0
                        eps = 2e-6 if values.dtype == np.float32 else 1e-12
                        same = np.isclose(got, want, rtol=eps, atol=eps * scale, equal_nan=True)
                    else:
                        same = (got == want) | (np.isnan(got) & np.isnan(want))
                    if not same.all():
                        k = int(np.argmin(same))
                        fail("%s %s point %d (t=%d): got %r, want %r (method %s)" % (g, name, k, grid[k], got[k], want[k], method))
                    if not np.array_equal(got_mask.astype(bool), ~np.isnan(got)):
                        fail("%s %s: mask is not 1 exactly where the value is a number" % (g, name))
                else:
                    valid = ~np.isnan(want)
                    if not np.array_equal(got_mask.astype(bool), valid):
                        fail("%s %s: mask differs" % (g, name))
                    if not np.array_equal(got[valid], np.rint(want[valid]).astype(got.dtype)) or np.any(got[~valid] != 0):
                        fail("%s %s: integer values differ" % (g, name))
                # Native grids: every stored sample in range is on the grid at its nearest point.
                if method == "nearest" and native == rate and physical and values.dtype == np.float64:
                    inside = (t >= grid[0]) & (t < grid[-1])
                    k = np.searchsorted(grid[:-1], t[inside])
                    if np.all(grid[np.minimum(k, n - 1)] == t[inside]):
                        if not np.array_equal(got[np.minimum(k, n - 1)], v[inside], equal_nan=True):
                            fail("%s %s: a stored sample on the grid is not exported as it is" % (g, name))
        if args.expect_streams and total_streams != args.expect_streams:
            fail("%d streams, expected %d" % (total_streams, args.expect_streams))
        committed = f["tsweep/committed"][:]
        if not committed.all():
            fail("not every unit is committed")
    print("check_export: ok: %d groups, %d streams, method %s" % (len(groups), total_streams, method))


if __name__ == "__main__":
    main()
