"""Compares tsweep stores table by table and byte by byte (h5py).

usage: compare_stores.py REF OTHER... ; exit 1 at the first difference.
"""
import sys

import h5py

TABLES = ["streams", "stream_attrs", "blocks/index", "blocks/runs", "blocks/data"]
ref = h5py.File(sys.argv[1], "r")
status = 0
for other in sys.argv[2:]:
    with h5py.File(other, "r") as f:
        for name in TABLES:
            a, b = ref[name][()], f[name][()]
            same = a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
            print(f"{other}: {name} {a.shape} {'identical' if same else 'DIFFERENT'}")
            status |= not same
        for attr in ["tsweep_format", "tsweep_format_version", "store_uuid"]:
            same = ref.attrs[attr] == f.attrs[attr]
            print(f"{other}: attribute {attr} {'identical' if same else 'DIFFERENT'}")
            status |= not same
sys.exit(status)
