#!/usr/bin/env python3
"""An independent reader of tsweep blocks, written from src/codec/FORMAT.md
alone, to show the document is complete. Python's standard library has
neither zstd nor XXH3, so it reads blocks with stored chunks and does not
verify checksums.

    reference_decoder.py DIR

DIR holds pairs NAME.block / NAME.expect: a block, and the raw little-endian
sample bytes followed by the int64 times it must decode to. Exits 1 on the
first mismatch, naming the file and the field.
"""
import math
import os
import struct
import sys

SIZES = {1: 2, 2: 4, 3: 8, 4: 4, 5: 8}
CARRIER = {1: 16, 2: 32, 3: 64, 4: 32, 5: 64}


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def take(self, n):
        if self.pos + n > len(self.data):
            raise ValueError("truncated")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def u8(self):
        return self.take(1)[0]

    def uint(self, bits):
        return int.from_bytes(self.take(bits // 8), "little")

    def varint(self):
        v = 0
        for i in range(5):
            b = self.u8()
            v |= (b & 0x7F) << (7 * i)
            if not b & 0x80:
                return v
        raise ValueError("varint too long")

    def chunk(self, expected):
        method, raw = self.u8(), self.varint()
        if method != 0:
            raise NotImplementedError("zstd chunk")
        if raw != expected:
            raise ValueError("chunk size %d, expected %d" % (raw, expected))
        return self.take(raw)


def packed(data, j, k):
    if k == 0:
        return 0
    return (int.from_bytes(data, "little") >> (j * k)) & ((1 << k) - 1)


def unary(data, count):
    """The `count` unary codes of a chunk: q zero bits, then a one."""
    bits = int.from_bytes(data, "little")
    assert bin(bits).count("1") == count, "unary codes: wrong number of codes"
    assert count == 0 or data[-1] != 0, "unary codes: bytes after the last code"
    out, q = [], 0
    for b in range(8 * len(data)):
        if (bits >> b) & 1:
            out.append(q)
            q = 0
        else:
            q += 1
    return out


def integer_stream(r, n, B, version):
    mask = (1 << B) - 1
    order, coding = r.u8(), r.u8()
    assert order <= (4 if version >= 4 else 2) and (coding == 0 or (coding == 1 and version >= 3))
    rice = coding == 1
    ref = r.uint(B)
    seeds = [r.uint(B) for _ in range(4 if order >= 3 else 2)]  # x[-1], x[-2], ...
    groups = (n + 15) // 16
    n_exc = 0
    if rice:
        n_params = r.u8()
        assert (n_params == 0) == (n == 0) and n_params <= B
        params = [r.u8() for _ in range(n_params)]
        assert all(k <= B - 1 for k in params)
        param_bytes, quotient_bytes = r.varint(), r.varint()
        assert param_bytes <= (groups * n_params + 7) // 8 and (param_bytes == 0) == (n == 0)
        assert quotient_bytes <= n * B // 4 and (quotient_bytes == 0) == (n == 0)
        ranks = unary(r.chunk(param_bytes), groups)
        assert all(k < n_params for k in ranks)
        widths = [params[k] for k in ranks]
    else:
        n_exc, pos_width, high_width, base = r.varint(), r.u8(), r.u8(), r.u8()
        n_esc = r.varint()
        codes = r.chunk((groups + 3) // 4)
        escapes = r.chunk(n_esc)
        widths, e = [], 0
        for g in range(groups):
            c = (codes[g // 4] >> (2 * (g % 4))) & 3
            if c == 3:
                widths.append(escapes[e])
                e += 1
            else:
                widths.append(base + c)
        assert e == n_esc and all(w <= B for w in widths)
    total = sum(widths)
    rows = (total + B - 1) // B
    lane_bytes = r.chunk(16 * rows * B // 8)
    lanes = [0] * 16  # each lane's whole bit string as one integer
    for k in range(rows):
        for l in range(16):
            at = (16 * k + l) * B // 8
            lanes[l] |= int.from_bytes(lane_bytes[at:at + B // 8], "little") << (k * B)
    u, o = [], 0
    for g in range(groups):
        w = widths[g]
        for l in range(16):
            u.append((lanes[l] >> o) & ((1 << w) - 1))
        o += w
    if n_exc:
        pos = r.chunk((n_exc * pos_width + 7) // 8)
        high = r.chunk((n_exc * high_width + 7) // 8)
        p = -1
        for j in range(n_exc):
            p = p + 1 + packed(pos, j, pos_width)
            h = packed(high, j, high_width)
            assert p < n and h > 0
            u[p] |= (h << widths[p // 16]) & mask
    if rice:
        for i, q in enumerate(unary(r.chunk(quotient_bytes), n)):
            u[i] = (u[i] + (q << widths[i // 16])) & mask
    # x[i] = r + sum_j (-1)^(j+1) C(order, j) x[i-j], with x[-j] the seeds.
    past = list(seeds)  # past[j-1] = x[i-j]
    out = []
    for i in range(n):
        v = (u[i] >> 1) ^ (-(u[i] & 1) & mask)
        x = (v + ref) & mask
        for j in range(1, order + 1):
            x += (-1) ** (j + 1) * math.comb(order, j) * past[j - 1]
        x &= mask
        past = [x] + past[:-1]
        out.append(x)
    return out


def signed(v, bits):
    return v - (1 << bits) if v >> (bits - 1) else v


def decode(block):
    h = Reader(block)
    assert h.take(4) == b"TSBK"
    version = h.u8()
    assert version in (1, 2, 3, 4), "version %d" % version
    stype, tenc, venc = h.u8(), h.u8(), h.u8()
    count, tbytes, vbytes, reserved = struct.unpack("<IIII", h.take(16))
    first, last, rate, tmin, tmax = struct.unpack("<qqqqq", h.take(40))
    h.take(8)  # checksum: XXH3 is not in the standard library
    phase = struct.unpack("<q", h.take(8))[0] if version >= 2 else 0
    H = h.pos  # 80 from version 2 on, 72 in version 1
    assert reserved == 0 and len(block) >= H + tbytes + vbytes
    size, B = SIZES[stype], CARRIER[stype]
    if tenc == 0:
        assert 1 <= rate <= 10**18 and 0 <= phase < rate and tbytes == 0
        times = [first + (phase + i * 10**18) // rate for i in range(count)]
        assert last == (times[-1] if count else first) and tmin == first and tmax == last
    else:
        assert rate == 0 and phase == 0
        tr = Reader(block[H:H + tbytes])
        times = [signed(v, 64) for v in integer_stream(tr, count, 64, version)] if count else []
        assert tr.pos == len(tr.data)
        assert not count or (times[0] == first and times[-1] == last)
    r = Reader(block[H + tbytes:H + tbytes + vbytes])
    if venc == 0:
        raw = r.chunk(count * size)
    elif venc == 1:
        raw = b"".join(v.to_bytes(size, "little") for v in integer_stream(r, count, B, version))
    elif venc == 2:
        e, f, n_exc, pos_width = r.u8(), r.u8(), r.varint(), r.u8()
        ints = [signed(v, B) for v in integer_stream(r, count, B, version)]
        fmt = "<d" if size == 8 else "<f"
        vals = []
        for n in ints:
            if size == 8:
                vals.append(struct.pack(fmt, (float(n) * 10.0**f) / 10.0**e))
            else:  # binary32 arithmetic: round after each step
                tof = lambda x: struct.unpack("<f", struct.pack("<f", x))[0]
                vals.append(struct.pack(fmt, tof(tof(tof(float(n)) * tof(10.0**f)) / tof(10.0**e))))
        if n_exc:
            pos = r.chunk((n_exc * pos_width + 7) // 8)
            exc = r.chunk(n_exc * size)
            p = -1
            for j in range(n_exc):
                p = p + 1 + packed(pos, j, pos_width)
                vals[p] = exc[j * size:(j + 1) * size]
        raw = b"".join(vals)
    else:
        flag = r.u8()
        planes = r.chunk(count * size)
        prev, vals = 0, []
        for i in range(count):
            v = sum(planes[b * count + i] << (8 * b) for b in range(size))
            if flag:
                v ^= prev
                prev = v
            vals.append(v.to_bytes(size, "little"))
        raw = b"".join(vals)
    assert r.pos == len(r.data), "bytes left in the value section"
    return raw, times


def main():
    folder = sys.argv[1]
    names = sorted(f[:-6] for f in os.listdir(folder) if f.endswith(".block"))
    for name in names:
        block = open(os.path.join(folder, name + ".block"), "rb").read()
        expect = open(os.path.join(folder, name + ".expect"), "rb").read()
        raw, times = decode(block)
        want_raw = expect[:len(raw)]
        want_times = list(struct.unpack("<%dq" % len(times), expect[len(raw):]))
        if raw != want_raw or len(expect) != len(raw) + 8 * len(times):
            print("%s: values differ" % name)
            return 1
        if times != want_times:
            print("%s: times differ" % name)
            return 1
    print("decoded %d blocks" % len(names))
    return 0 if names else 1


if __name__ == "__main__":
    sys.exit(main())
