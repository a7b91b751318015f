#!/usr/bin/env bash
# Live appends: one tsweep process appends blocks in SWMR mode for a while;
# tsweep readers (verify, inspect) and plain h5py readers open the store again
# and again meanwhile. The writer must never fail; every read sees a
# consistent prefix (counts only grow, every indexed block is there, decodes
# and passes its checksum). Reports how many reads ran and how many retried.
# At the end every block's summary (format 3) matches its decoded samples.
source "$(dirname "$0")/../e2e/lib.sh"
"$PYTHON" -c 'import h5py' 2>/dev/null || skip "python3-h5py is not installed"

store="$WORK/live.h5"
done_file="$WORK/writer.done"
# About 3,400 blocks in ~430 commits, 20 ms apart: the writer runs for 10-20 s.
( "$TSWEEP" generate "$store" --swmr --streams 8 --duration 2h --block-samples 2000 --pace 20ms --corrupt 0 --json \
    >"$WORK/writer.out" 2>"$WORK/writer.err"; echo $? >"$WORK/writer.rc"; touch "$done_file" ) &
writer=$!
for _ in $(seq 100); do [ -s "$store" ] && break; sleep 0.05; done

# tsweep readers: each run is one open + full read; a failed run is retried.
tsweep_reader() { # NAME: loops `tsweep verify --json` until the writer is done
  local name=$1 reads=0 retries=0 last=0 bad=0 torn=0
  while :; do
    local finished=0
    [ -e "$done_file" ] && finished=1
    if out=$("$TSWEEP" verify "$store" --json 2>"$WORK/$name.err"); then
      blocks=$("$PYTHON" -c 'import json,sys; d=json.load(sys.stdin); print(d["blocks"], d["bad_blocks"], d["torn_row_retries"])' <<<"$out")
      set -- $blocks
      torn=$((torn + $3))
      if [ "$1" -lt "$last" ]; then echo "$name: blocks went down from $last to $1" >&2; bad=1; fi
      if [ "$2" -ne 0 ]; then echo "$name: $2 bad blocks in a committed prefix: $out" >&2; bad=1; fi
      last=$1
      reads=$((reads + 1))
    else
      retries=$((retries + 1))
      if [ "$retries" -gt 200 ]; then echo "$name: too many failed reads: $(cat "$WORK/$name.err")" >&2; bad=1; break; fi
      sleep 0.02
      continue
    fi
    [ "$finished" -eq 1 ] && break
  done
  echo "{\"reader\": \"$name\", \"reads\": $reads, \"retries\": $retries, \"torn_row_rereads\": $torn, \"blocks\": $last, \"failed\": $bad}"
}

inspect_reader() { # NAME: loops `tsweep inspect --json`
  local name=$1 reads=0 retries=0 last=0 bad=0
  while :; do
    local finished=0
    [ -e "$done_file" ] && finished=1
    if out=$("$TSWEEP" inspect "$store" --json 2>"$WORK/$name.err"); then
      n=$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["blocks"])' <<<"$out")
      if [ "$n" -lt "$last" ]; then echo "$name: blocks went down from $last to $n" >&2; bad=1; fi
      last=$n
      reads=$((reads + 1))
    else
      retries=$((retries + 1))
      if [ "$retries" -gt 200 ]; then echo "$name: too many failed reads: $(cat "$WORK/$name.err")" >&2; bad=1; break; fi
      sleep 0.02
      continue
    fi
    [ "$finished" -eq 1 ] && break
  done
  echo "{\"reader\": \"$name\", \"reads\": $reads, \"retries\": $retries, \"blocks\": $last, \"failed\": $bad}"
}

tsweep_reader tsweep-verify >"$WORK/r1.json" &
r1=$!
inspect_reader tsweep-inspect >"$WORK/r2.json" &
r2=$!
"$PYTHON" "$(dirname "$0")/swmr_reader.py" "$store" "$done_file" 1 >"$WORK/r3.json" &
r3=$!
"$PYTHON" "$(dirname "$0")/swmr_reader.py" "$store" "$done_file" 7 >"$WORK/r4.json" &
r4=$!
wait $writer
for p in $r1 $r2 $r3 $r4; do wait $p || true; done

[ "$(cat "$WORK/writer.rc")" -eq 0 ] && pass "writer exited 0" || fail "writer failed: $(cat "$WORK/writer.err")"
total=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))["blocks"])' "$WORK/writer.out")
echo "writer: $(cat "$WORK/writer.out")"
for r in r1 r2 r3 r4; do
  line=$(cat "$WORK/$r.json")
  echo "reader: $line"
  "$PYTHON" - "$WORK/$r.json" "$total" <<'PY' && pass "$r consistent, saw the final count" || fail "$r: $line"
import json, sys
d = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
ok = "error" not in d and not d.get("failed") and d["reads"] >= 2 and d["blocks"] == int(sys.argv[2])
sys.exit(0 if ok else 1)
PY
done
run final_verify 120 "$TSWEEP" verify "$store"
expect_rc final_verify 0
expect_in final_verify "$OUT" "verified $total blocks"
# Every block appended live carries its summary, equal to a summary of the decoded block.
run final_verify_json 120 "$TSWEEP" verify "$store" --json
expect_rc final_verify_json 0
expect_in final_verify_json "$OUT" "\"summaries_checked\": $total,"
expect_in final_verify_json "$OUT" '"block_summaries": true'
finish
