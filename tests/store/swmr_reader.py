"""A plain h5py reader of a tsweep store that another process is appending to.

Opens the store again and again with SWMR (libver='latest', swmr=True) until
the writer's done-file appears, and checks that every read sees a consistent
prefix: stream rows whole (gen == gen_check), block counts that only grow,
each stream's runs adding up to its block count, and every indexed block
present in /blocks/data with a header that matches its index row. Rows are
read by field name, so the row_checksum field of format version 2 (which
needs xxHash to check, see src/store/FORMAT.md) is only required to be there,
and so are the block summaries of version 3 (beyond counts within the block's).
Prints a JSON line with the number of reads and of reads that had to be retried.
"""
import json
import os
import struct
import sys
import time

import h5py
import numpy as np

path, done_file = sys.argv[1], sys.argv[2]
check_bytes_every = int(sys.argv[3]) if len(sys.argv) > 3 else 1


class Inconsistent(Exception):
    pass


def read_once(previous):
    with h5py.File(path, "r", libver="latest", swmr=True) as f:
        streams = f["streams"][()]
        if np.any(streams["gen"] != streams["gen_check"]):
            raise BlockingIOError("torn stream row")  # the writer was rewriting it: read again
        runs_ds, index_ds, data_ds = f["blocks/runs"], f["blocks/index"], f["blocks/data"]
        if int(f.attrs["tsweep_format_version"]) >= 2:
            for ds in (f["streams"], f["stream_attrs"], runs_ds, index_ds):
                if "row_checksum" not in ds.dtype.names:
                    raise Inconsistent(f"{ds.name} has no row_checksum field in a version-2 store")
        summaries = int(f.attrs["tsweep_format_version"]) >= 3
        if summaries and not {"nan_count", "longest_flat", "sum_lo", "squares2"} <= set(index_ds.dtype.names):
            raise Inconsistent("/blocks/index has no summary fields in a version-3 store")
        for ds in (runs_ds, index_ds, data_ds):
            ds.refresh()
        data_size = data_ds.shape[0]
        data = data_ds[()].tobytes()  # small stores: one read, then slices
        counts = {}
        for s in streams:
            sid, n = int(s["id"]), int(s["block_count"])
            counts[sid] = n
            if n < previous.get(sid, 0):
                raise Inconsistent(f"stream {sid}: block count went down from {previous[sid]} to {n}")
            total, run = 0, int(s["last_run"])
            while run >= 0:
                r = runs_ds[run]
                if int(r["stream"]) != sid:
                    raise Inconsistent(f"run {run} is not of stream {sid}")
                b0, nb = int(r["index_begin"]), int(r["block_count"])
                rows = index_ds[b0:b0 + nb]
                if len(rows) != nb:
                    raise Inconsistent(f"run {run}: index rows {b0}+{nb} missing (index has {index_ds.shape[0]})")
                if np.any(rows["stream"] != sid):
                    raise Inconsistent(f"run {run}: index rows of another stream")
                if summaries and np.any((rows["longest_flat"] > rows["count"]) | (rows["head_flat"] > rows["count"])
                                        | (rows["nan_count"] > rows["count"]) | (rows["nan_count"] < 0)):
                    raise Inconsistent(f"run {run}: a block summary that cannot be its block's")
                for k, row in enumerate(rows):
                    off, length = int(row["offset"]), int(row["length"])
                    if off + length > data_size:
                        raise Inconsistent(f"block {b0 + k}: bytes past the end of /blocks/data")
                    if k % check_bytes_every:
                        continue
                    head = data[off:off + 72]
                    magic, count = head[:4], struct.unpack_from("<I", head, 8)[0]
                    min_ns, max_ns, checksum = struct.unpack_from("<qqQ", head, 48)
                    if magic != b"TSBK" or count != int(row["count"]) or checksum != int(row["checksum"]) \
                            or min_ns != int(row["first_ns"]) or max_ns != int(row["last_ns"]):
                        raise Inconsistent(f"block {b0 + k}: header does not match its index row")
                total += nb
                run = int(r["prev_run"])
            if total != n:
                raise Inconsistent(f"stream {sid}: runs hold {total} blocks, the stream row says {n}")
        return counts


reads = retries = 0
previous = {}
failures_in_a_row = 0
while True:
    finished = os.path.exists(done_file)
    try:
        previous = read_once(previous)
        reads += 1
        failures_in_a_row = 0
    except Inconsistent as e:
        print(json.dumps({"reader": "h5py", "error": str(e), "reads": reads}))
        sys.exit(1)
    except (OSError, KeyError, BlockingIOError, ValueError) as e:
        retries += 1
        failures_in_a_row += 1
        if failures_in_a_row > 100:
            print(json.dumps({"reader": "h5py", "error": f"gave up after 100 failed opens: {e}", "reads": reads}))
            sys.exit(1)
        time.sleep(0.01)
        continue
    if finished:
        break
print(json.dumps({"reader": "h5py", "reads": reads, "retries": retries, "blocks": sum(previous.values())}))
