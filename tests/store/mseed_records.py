#!/usr/bin/env python3
"""The data records of a miniSEED v2 file, read from the SEED 2.4 manual's
layout (fixed header, blockettes 1000 and 1001) without libmseed, for tests
that check tsweep's miniSEED import against the record headers.

  mseed_records.py FILE   prints one line per record: id, start (ns), samples, rate (Hz)
"""
import calendar
import struct
import sys


def records(path):
    """[(id, start_ns, samples, rate_hz), ...] in file order. The start is the
    header's, with the blockette 1001 microseconds and any time correction
    not yet applied."""
    data = open(path, "rb").read()
    out, at = [], 0
    while at < len(data):
        h = data[at:at + 48]
        order = ">" if 1900 <= struct.unpack(">H", h[20:22])[0] <= 2100 else "<"
        year, day, hour, minute, second, _, fract = struct.unpack(order + "HHBBBBH", h[20:30])
        samples, factor, multiplier = struct.unpack(order + "Hhh", h[30:36])
        correction = struct.unpack(order + "i", h[40:44])[0]
        start = (calendar.timegm((year, 1, 1, hour, minute, second)) + (day - 1) * 86400) * 10**9 + fract * 100_000
        if not h[36] & 0x02:  # time correction not applied yet
            start += correction * 100_000
        length, blockette = None, struct.unpack(order + "H", h[46:48])[0]
        while blockette:
            kind, following = struct.unpack(order + "HH", data[at + blockette:at + blockette + 4])
            if kind == 1000:
                length = 1 << data[at + blockette + 6]
            if kind == 1001:
                start += struct.unpack("b", data[at + blockette + 5:at + blockette + 6])[0] * 1000
            blockette = following
        assert length, "record at byte %d has no blockette 1000" % at
        assert factor > 0 and multiplier > 0, "only integer rates are handled here"
        ident = ".".join(h[a:b].decode().strip() for a, b in ((18, 20), (8, 13), (13, 15), (15, 18)))
        out.append((ident, start, samples, factor * multiplier))
        at += length
    return out


def sample_times(recs):
    """{id: [every sample time in ns]}: sample j of a record at its start + floor(j * 10^9 / rate), records in time order."""
    by_id = {}
    for r in sorted(recs, key=lambda r: r[1]):
        by_id.setdefault(r[0], []).extend(r[1] + j * 10**9 // r[3] for j in range(r[2]))
    return by_id


def segments(recs):
    """{id: regular runs}: a record continues the one before only when it starts exactly where that one ends."""
    out, end = {}, {}
    for ident, start, samples, rate in sorted(recs, key=lambda r: r[1]):
        out[ident] = out.get(ident, 0) + (end.get(ident) != start)
        end[ident] = start + samples * 10**9 // rate
    return out


if __name__ == "__main__":
    for r in records(sys.argv[1]):
        print(*r)
