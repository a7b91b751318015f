#!/usr/bin/python3
"""Compares the window rows of two results files made from two stores that
hold the same samples cut into different blocks:

    compare_streams.py [--exact] STORE RESULTS_A RESULTS_B

Rows of integer streams must be bitwise identical in every column (their
sums are exact); rows of float streams in every column but mean and std,
which are floating-point sums in the blocks' order (equal to 1e-12 relative).
--exact: float streams' rows must be bitwise identical too (the same blocks,
reduced two ways). Exit 1 on a difference, naming the stream and the column."""
import sys

import h5py
import numpy as np


def main(store_path, a_path, b_path, exact=False):
    with h5py.File(store_path, "r") as s:
        streams = s["streams"][()]
        types = {bytes(r["name"]).rstrip(b"\0").decode(): int(r["sample_type"]) for r in streams}
    problems, checked = [], {"integer": 0, "float": 0}
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        names_a = [bytes(n).rstrip(b"\0").decode() for n in a["streams/name"][()]]
        names_b = [bytes(n).rstrip(b"\0").decode() for n in b["streams/name"][()]]
        if names_a != names_b:
            print("stream tables differ")
            return 1
        cols = sorted(a["windows"].keys())
        for i, name in enumerate(names_a):
            lo_a, n_a = int(a["streams/row_start"][i]), int(a["streams/row_count"][i])
            lo_b, n_b = int(b["streams/row_start"][i]), int(b["streams/row_count"][i])
            if n_a != n_b:
                problems.append(f"{name}: {n_a} rows against {n_b}")
                continue
            integer = types[name] <= 3
            checked["integer" if integer else "float"] += 1
            for c in cols:
                x = a["windows/" + c][lo_a:lo_a + n_a]
                y = b["windows/" + c][lo_b:lo_b + n_b]
                if integer or exact or c not in ("mean", "std"):
                    if x.tobytes() != y.tobytes():
                        problems.append(f"{name}: column {c} differs")
                elif not np.allclose(x, y, rtol=1e-12, atol=0, equal_nan=True):
                    problems.append(f"{name}: column {c} differs beyond 1e-12")
    for p in problems[:10]:
        print(p)
    print(f"compared {checked['integer']} integer and {checked['float']} float streams")
    return 1 if problems or checked["integer"] == 0 else 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--exact"]
    sys.exit(main(*args[:3], exact="--exact" in sys.argv[1:]))
