#!/usr/bin/env python3
"""Reads a tsweep results file with h5py alone (see src/output/FORMAT.md).

  check_results.py describe FILE   the file describes itself: attributes, tables, every column
  check_results.py compare A B     every dataset and attribute outside /provenance is identical, byte for byte
"""
import json
import sys

import h5py
import numpy as np

STATS = ["count", "min", "max", "mean", "std", "first_time", "last_time"]
QUALITY = ["expected", "missing", "gaps", "longest_gap", "nan_count", "out_of_range", "longest_flat_run",
           "duplicate_times", "backwards_times", "corrupt_blocks"]


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def describe(path):
    with h5py.File(path, "r") as f:
        a = f.attrs
        check(a["tsweep_format"] == "results", "tsweep_format is %r" % a["tsweep_format"])
        check(int(a["tsweep_format_version"]) == 1, "tsweep_format_version")
        for key in ("config", "store_path", "store_uuid", "store_format_version", "analyses"):
            check(isinstance(a[key], str), "attribute %s is not text" % key)
        for key in ("window_ns", "store_blocks", "store_streams", "plan_digest"):
            check(np.issubdtype(np.asarray(a[key]).dtype, np.integer), "attribute %s is not an integer" % key)
        window = int(a["window_ns"])

        streams = f["streams"]
        names = [n.decode("utf-8") for n in streams["name"][:]]
        row_start = streams["row_start"][:]
        row_count = streams["row_count"][:]
        first_window = streams["first_window"][:]
        check(len(set(names)) == len(names), "stream names are not unique")
        check(np.array_equal(row_start, np.concatenate([[0], np.cumsum(row_count)[:-1]])), "row_start")
        rows = int(row_count.sum())

        expected = ["stream", "start"]
        analyses = a["analyses"].split(",")
        if "stats" in analyses:
            expected += STATS
        if "quality" in analyses:
            expected += QUALITY
        windows = f["windows"]
        check(sorted(windows.keys()) == sorted(expected), "columns %s" % sorted(windows.keys()))
        columns = {}
        for name in expected:
            column = windows[name]
            check(column.shape == (rows,), "%s has shape %s, expected (%d,)" % (name, column.shape, rows))
            check(len(column.attrs["description"]) > 0, "%s has no description" % name)
            columns[name] = column[:]  # a column reads directly, as pandas would: pd.DataFrame(columns)
        check(windows["start"].attrs["unit"] == "ns", "start has no unit")

        for i in range(len(names)):
            part = slice(int(row_start[i]), int(row_start[i] + row_count[i]))
            check(np.all(columns["stream"][part] == i), "stream column of %s" % names[i])
            want = (first_window[i] + np.arange(row_count[i])) * window
            check(np.array_equal(columns["start"][part], want), "start column of %s" % names[i])

        units = f["units"]
        check(np.all(units["committed"][:] == 1), "uncommitted units in a finished file")
        order = np.argsort(units["row"][:])
        check(np.array_equal(np.cumsum(units["windows"][:][order]) - units["windows"][:][order],
                             units["row"][:][order]), "units do not tile the rows")

        text = bytes(f["provenance/json"][:]).rstrip(b"\0")
        json.loads(text.decode("utf-8"))
        check(int(f["provenance/json"].attrs["capacity"]) == f["provenance/json"].shape[0], "provenance capacity")
        print("ok: %s: %d streams, %d rows, %d columns readable" % (path, len(names), rows, len(expected)))


def datasets(f):
    found = {}

    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and not name.startswith("provenance"):
            found[name] = obj

    f.visititems(visit)
    return found


def compare(path_a, path_b):
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        check(dict(fa.attrs) == dict(fb.attrs), "root attributes differ")
        da, db = datasets(fa), datasets(fb)
        check(sorted(da) == sorted(db), "different datasets: %s vs %s" % (sorted(da), sorted(db)))
        for name in sorted(da):
            x, y = da[name][()], db[name][()]
            check(x.dtype == y.dtype and x.shape == y.shape, "%s: type or shape differs" % name)
            check(x.tobytes() == y.tobytes(), "%s differs" % name)
            check(dict(da[name].attrs) == dict(db[name].attrs), "%s: attributes differ" % name)
        print("ok: %s and %s are identical outside /provenance (%d datasets)" % (path_a, path_b, len(da)))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "describe":
        describe(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "compare":
        compare(sys.argv[2], sys.argv[3])
    else:
        fail(__doc__)
