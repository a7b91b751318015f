#!/usr/bin/python3
"""Compares two tsweep results files: every dataset and attribute outside
/provenance must be bitwise identical (NaNs included). Exit 1 on a difference."""
import sys

import h5py
import numpy as np


def items(f):
    out = {}

    def visit(name, obj):
        if name == "provenance" or name.startswith("provenance/"):
            return
        out[name] = obj

    f.visititems(visit)
    return out


def same_bytes(a, b):
    a, b = np.asarray(a), np.asarray(b)
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main(a_path, b_path):
    problems = []
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        if dict(a.attrs) .keys() != dict(b.attrs).keys():
            problems.append("root attribute names differ")
        for k in a.attrs:
            if k in b.attrs and not same_bytes(a.attrs[k], b.attrs[k]):
                problems.append(f"root attribute {k} differs")
        ia, ib = items(a), items(b)
        if ia.keys() != ib.keys():
            problems.append(f"objects differ: {sorted(set(ia) ^ set(ib))}")
        datasets = 0
        for name in sorted(set(ia) & set(ib)):
            if isinstance(ia[name], h5py.Dataset):
                datasets += 1
                if not same_bytes(ia[name][()], ib[name][()]):
                    problems.append(f"dataset /{name} differs")
            for k in ia[name].attrs:
                if not same_bytes(ia[name].attrs[k], ib[name].attrs.get(k, np.array([]))):
                    problems.append(f"attribute {k} of /{name} differs")
    for p in problems:
        print(f"{b_path}: {p}", file=sys.stderr)
    if datasets == 0:
        print("no datasets compared", file=sys.stderr)
        return 1
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
