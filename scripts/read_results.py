#!/usr/bin/python3
"""Reads tsweep results files with h5py and prints a per-stream summary of each.

    /usr/bin/python3 scripts/read_results.py demo/results.h5 [MORE.h5 ...] [--stream NAME]

Several files (the results of a job array's tasks, one slice each) are read
one after the other.

Every stats/quality field is one column under /windows; /streams tells which
rows belong to which stream. Every other analysis (percentiles, spectrum,
events, plugins) has its fields under /analyses/<name>, row for row with
/windows; vector fields are rows x width with a `labels` attribute. This
script prints, after the per-stream table, each such analysis's parameters
and the median over the stream's windows of each field.
With pandas:  pd.DataFrame({k: f["windows"][k][()] for k in f["windows"]}).
"""
import json
import sys
import warnings

import h5py
import numpy as np


def main(path, only=None):
    with h5py.File(path, "r") as f:
        print(f"{path}: {f.attrs['tsweep_format']} v{f.attrs['tsweep_format_version']}, "
              f"window {int(f.attrs['window_ns']) / 1e9:g} s, analyses {f.attrs['analyses']}")
        w = f["windows"]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in f["streams/name"][()]]
        starts, counts = f["streams/row_start"][()], f["streams/row_count"][()]
        print(f"{'stream':<24} {'windows':>7} {'samples':>10} {'mean':>10} {'min':>9} {'max':>9} "
              f"{'missing':>8} {'gaps':>5} {'NaN':>5} {'corrupt':>7}")
        for name, r0, n in zip(names, starts, counts):
            if only and name != only:
                continue
            rows = slice(int(r0), int(r0 + n))
            count = w["count"][rows] if "count" in w else np.zeros(int(n), dtype=np.int64)
            col = lambda k: w[k][rows] if k in w else np.zeros(int(n))
            mean = np.nansum(col("mean") * count) / max(1, count.sum()) if "mean" in w else float("nan")
            print(f"{name:<24} {int(n):>7} {int(count.sum()):>10} {mean:>10.4g} {np.nanmin(col('min')) if count.any() else float('nan'):>9.4g} "
                  f"{np.nanmax(col('max')) if count.any() else float('nan'):>9.4g} {int(col('missing').sum()):>8} "
                  f"{int(col('gaps').sum()):>5} {int(col('nan_count').sum()):>5} {int(col('corrupt_blocks').sum()):>7}")
        for aname, group in f.get("analyses", {}).items():
            if aname in ("stats", "quality"):
                continue  # links to the /windows columns above
            print(f"analysis {aname}: parameters {group.attrs['parameters']}")
            for name, r0, n in zip(names, starts, counts):
                if (only and name != only) or n == 0:
                    continue
                rows = slice(int(r0), int(r0 + n))
                parts = []
                for field, ds in group.items():
                    data = ds[rows]
                    labels = [str(l.decode() if isinstance(l, bytes) else l) for l in ds.attrs.get("labels", [])]
                    with np.errstate(all="ignore"), warnings.catch_warnings():
                        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns: empty windows
                        med = np.nanmedian(data.astype(np.float64), axis=0)
                    if data.ndim == 1:
                        parts.append(f"{field} {med:.4g}")
                    elif data.shape[1] > 8:  # a histogram: too wide to print
                        parts.append(f"{field} [{data.shape[1]} columns]")
                    else:
                        parts.append(f"{field} " + " ".join(f"{l}={v:.4g}" for l, v in zip(labels, med)))
                print(f"  {name:<22} median per window: " + ", ".join(parts))
        prov = bytes(f["provenance/json"][()]).rstrip(b"\0").decode()
        if prov:
            p = json.loads(prov)
            print(f"provenance: {p.get('ranks')} ranks on {', '.join(p.get('hosts', []))}, "
                  f"{p.get('seconds', 0):.2f} s, imbalance {p.get('imbalance', 1):.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    only = None
    if "--stream" in args:
        i = args.index("--stream")
        if i + 1 >= len(args):
            sys.exit("read_results.py: --stream needs a stream name")
        only = args[i + 1]
        del args[i:i + 2]
    if not args:
        sys.exit(__doc__)
    for path in args:
        main(path, only)
