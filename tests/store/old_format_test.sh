#!/usr/bin/env bash
# Stores of the older formats still work unchanged: a generated store (with
# damaged blocks) is rewritten in the layouts of format versions 2 (no block
# summaries) and 1 (no row checksums either) by old_format.py; `inspect`,
# `verify` (at 2 ranks) and `run` (at 2 ranks) give the same answers for all
# three (results bitwise identical but for the store's format version, though
# only version 3 lets the run take block summaries instead of decoding), and
# appending to an old store keeps its version and its layout.
source "$(dirname "$0")/../e2e/lib.sh"
"$PYTHON" -c 'import h5py, numpy' 2>/dev/null || skip "python3-h5py is not installed"
here=$(dirname "$0")

run gen 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" generate "$WORK/v3.h5" --streams 8 --duration 6min --block-samples 4000 \
  --seed 7 --corrupt 2
expect_rc gen 0
for v in 2 1; do
  cp "$WORK/v3.h5" "$WORK/v$v.h5"
  run "down$v" 60 "$PYTHON" "$here/old_format.py" "$WORK/v$v.h5" "$v"
  expect_rc "down$v" 0
done
"$PYTHON" - "$WORK" <<'PY' && pass "old layouts: index rows of 54 and 46 bytes" || fail "old layouts"
import h5py, sys
for v, size in ((3, 166), (2, 54), (1, 46)):
    with h5py.File(f"{sys.argv[1]}/v{v}.h5", "r") as f:
        assert int(f.attrs["tsweep_format_version"]) == v
        assert f["blocks/index"].dtype.itemsize == size, (v, f["blocks/index"].dtype.itemsize)
        assert ("longest_flat" in f["blocks/index"].dtype.names) == (v >= 3)
        assert ("row_checksum" in f["streams"].dtype.names) == (v >= 2)
PY

# Each version at the same path, so the results' config and store path agree.
cat >"$WORK/job.yaml" <<YAML
store: $WORK/store.h5
output: $WORK/out.h5
window: 30s
analyses: [stats, quality]
unit_samples: 40000
YAML
for v in 3 2 1; do
  cp "$WORK/v$v.h5" "$WORK/store.h5"
  run "inspect$v" 60 "$TSWEEP" inspect "$WORK/store.h5" --json --stats --attributes
  expect_rc "inspect$v" 0
  run "verify$v" 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" verify "$WORK/store.h5" --json
  expect_rc "verify$v" 1  # the two damaged blocks
  run "run$v" 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --force --json --set "output=$WORK/out$v.h5"
  expect_rc "run$v" 0
done

"$PYTHON" - "$WORK" <<'PY' && pass "inspect, verify and run agree for versions 3, 2 and 1" || fail "versions disagree"
import json, sys
w = sys.argv[1]
load = lambda name: json.load(open(f"{w}/{name}.out"))
ins = {v: load(f"inspect{v}") for v in (3, 2, 1)}
for v in (3, 2, 1):
    assert ins[v].pop("format_version") == v
assert ins[2] == ins[3] and ins[1] == ins[3], "inspect differs"
ver = {v: load(f"verify{v}") for v in (3, 2, 1)}
for v in (3, 2, 1):
    r = ver[v]
    print(v, {k: r[k] for k in ("format_version", "row_checksums", "block_summaries", "summaries_checked",
                                "blocks", "bad_blocks", "bad_rows")})
    assert r["format_version"] == v and r["row_checksums"] == (v >= 2) and r["block_summaries"] == (v >= 3)
    assert r["summaries_checked"] == (r["blocks"] - 2 if v >= 3 else 0)
    assert r["bad_blocks"] == 2 and r["bad_rows"] == 0 and r["row_problems"] == []
    assert [b["block"] for b in r["bad"]] == [b["block"] for b in ver[3]["bad"]]
    assert all("checksum mismatch" in b["reason"] for b in r["bad"])
    assert (r["blocks"], r["samples"], r["bytes"], r["runs"]) == (ver[3]["blocks"], ver[3]["samples"],
                                                                   ver[3]["bytes"], ver[3]["runs"])
runs = {v: load(f"run{v}") for v in (3, 2, 1)}
for v in (2, 1):
    for k in ("corrupt_blocks", "rows", "samples", "units"):  # encoded_bytes: what the run read, less with summaries
        assert runs[v][k] == runs[3][k], (v, k, runs[v][k], runs[3][k])
assert runs[3]["corrupt_blocks"] >= 2
# Only the version-3 store has summaries for the run to take in place of decoding whole blocks.
print({v: runs[v]["blocks_summarised"] for v in (3, 2, 1)})
assert runs[3]["blocks_summarised"] > 0 and runs[2]["blocks_summarised"] == 0 and runs[1]["blocks_summarised"] == 0
PY
for v in 2 1; do
  "$PYTHON" "$here/../run/compare_results.py" "$WORK/out3.h5" "$WORK/out$v.h5" 2>"$WORK/compare$v.err" || true
  # Bitwise identical results; only the attribute that records the store's format version may differ.
  if [ "$(grep -v 'root attribute store_format_version differs' "$WORK/compare$v.err" | wc -l)" -eq 0 ] \
    && grep -q 'store_format_version' "$WORK/compare$v.err"; then
    pass "version $v: results identical to version 3's but for store_format_version"
  else
    fail "version $v: results differ: $(cat "$WORK/compare$v.err")"
  fi
done

# Appending (ingest of a CSV, serial writer) keeps each old store in its own version and layout.
printf 'time,HR [bpm]\n2024-03-01T12:00:00Z,71\n2024-03-01T12:00:01Z,72\n2024-03-01T12:00:02Z,74\n' >"$WORK/hr.csv"
for v in 2 1; do
  run "append$v" 60 "$TSWEEP" ingest "$WORK/v$v.h5" "$WORK/hr.csv"
  expect_rc "append$v" 0
  run "append_verify$v" 60 "$TSWEEP" verify "$WORK/v$v.h5" --json
  expect_rc "append_verify$v" 1  # still the two damaged blocks, nothing else
  "$PYTHON" - "$WORK/append_verify$v.out" "$WORK/v$v.h5" "$v" <<'PY' && pass "version $v: appended in version $v" \
    || fail "version $v: append changed the store's version or layout"
import h5py, json, sys
r, path, v = json.load(open(sys.argv[1])), sys.argv[2], int(sys.argv[3])
assert r["format_version"] == v and r["bad_blocks"] == 2 and r["bad_rows"] == 0, r
with h5py.File(path, "r") as f:
    assert int(f.attrs["tsweep_format_version"]) == v
    assert f["blocks/index"].dtype.itemsize == (54 if v == 2 else 46)
    names = [n.decode() for n in f["streams"]["name"]]
    assert "hr/HR" in names, names
PY
done
finish
