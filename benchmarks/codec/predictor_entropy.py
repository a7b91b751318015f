#!/usr/bin/env python3
"""Order-0 entropy (bits per sample) of the residuals of simple predictors on
both leads of an MIT-BIH format-212 record: first and second differences and
least-squares linear predictors of orders 2, 3, 4 and 8 (rounded), whole
record. Needs numpy (Debian: /usr/bin/python3 with python3-numpy).

    /usr/bin/python3 benchmarks/codec/predictor_entropy.py ../shared/data/wfdb/100.dat
"""
import sys

import numpy as np


def leads(path):
    raw = np.fromfile(path, dtype=np.uint8)
    raw = raw[: len(raw) // 3 * 3].reshape(-1, 3).astype(np.int64)
    a = raw[:, 0] | ((raw[:, 1] & 0x0F) << 8)
    b = raw[:, 2] | ((raw[:, 1] >> 4) << 8)
    return [np.where(x > 2047, x - 4096, x) for x in (a, b)]


def entropy(x):
    _, c = np.unique(x, return_counts=True)
    p = c / c.sum()
    return float(-(p * np.log2(p)).sum())


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: predictor_entropy.py RECORD.dat")
    for name, x in zip(("lead 0", "lead 1"), leads(sys.argv[1])):
        d1 = np.diff(x)
        print("%s: first differences %.2f, second differences %.2f" % (name, entropy(d1), entropy(np.diff(d1))))
        for order in (2, 3, 4, 8):
            past = np.stack([x[order - j - 1:len(x) - j - 1] for j in range(order)], 1).astype(float)
            y = x[order:].astype(float)
            coef, *_ = np.linalg.lstsq(past, y, rcond=None)
            r = np.round(y - past @ coef).astype(np.int64)
            print("%s: linear predictor of order %d: %.2f" % (name, order, entropy(r)))


if __name__ == "__main__":
    main()
