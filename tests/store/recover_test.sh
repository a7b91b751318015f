#!/usr/bin/env bash
# A SWMR writer killed with SIGKILL at random moments: `tsweep recover` keeps
# every committed block (h5clear -s alone would cut the file to its superblock),
# `verify` passes, and a new writer appends. While the writer lives, `run` and
# 2-rank `verify` read its committed prefix, and `recover` and a second writer
# refuse. Each trial is valid only if the writer was still running when killed.
source "$(dirname "$0")/../e2e/lib.sh"
TRIALS=${TSWEEP_RECOVER_TRIALS:-4}
D=${TSWEEP_SHARED_DATA:-}

json_field() { "$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }

# start_writer STORE: a SWMR writer that commits every 10 ms for far longer than a trial takes.
start_writer() {
  "$TSWEEP" generate "$1" --swmr --streams 4 --duration 48h --block-samples 2000 --commit-blocks 2 --pace 10ms \
    --corrupt 0 >"$WORK/writer.out" 2>"$WORK/writer.err" &
  WRITER=$!
}
# wait_blocks STORE N: until inspect sees at least N committed blocks (bounded: 30 s).
wait_blocks() {
  local n=0
  for _ in $(seq 600); do
    if "$TSWEEP" inspect "$1" --json >"$WORK/seen.json" 2>/dev/null; then
      n=$(json_field "$WORK/seen.json" blocks)
      [ "$n" -ge "$2" ] && return 0
    fi
    kill -0 "$WRITER" 2>/dev/null || { fail "writer ended early: $(cat "$WORK/writer.err")"; return 1; }
    sleep 0.05
  done
  fail "writer made only $n blocks in 30 s"
  return 1
}

# While a writer lives.
store="$WORK/live.h5"
start_writer "$store"
wait_blocks "$store" 20
cat > "$WORK/job.yaml" <<YAML
store: live.h5
output: live-results.h5
window: 10min
YAML
run live_run 120 "$TSWEEP" run "$WORK/job.yaml"
expect_rc live_run 0
run live_run2 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" run "$WORK/job.yaml" --set output="$WORK/live-results2.h5"
expect_rc live_run2 0
run live_verify2 120 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" verify "$store"
expect_rc live_verify2 0
expect_in live_verify2 "$OUT" "0 bad"
run live_recover 30 "$TSWEEP" recover "$store"
expect_rc live_recover 2
expect_in live_recover "$ERR" "a writer still has this store open"
if [ -n "$D" ] && [ -e "$D/wfdb/100_3chan.hea" ]; then
  run live_second_writer 30 "$TSWEEP" ingest "$store" "$D/wfdb/100_3chan.hea"
  expect_rc live_second_writer 2
  expect_in live_second_writer "$ERR" "another process is writing this store"
fi
kill -9 "$WRITER" 2>/dev/null && pass "live: writer killed while running" || fail "live: writer had finished"
wait "$WRITER" 2>/dev/null || true

# A killed writer's store: readers still read it; a writer is told to recover it.
run dead_run 120 "$TSWEEP" run "$WORK/job.yaml" --set output="$WORK/dead-results.h5"
expect_rc dead_run 0
if [ -n "$D" ] && [ -e "$D/wfdb/100_3chan.hea" ]; then
  run dead_append 30 "$TSWEEP" ingest "$store" "$D/wfdb/100_3chan.hea"
  expect_rc dead_append 2
  expect_in dead_append "$ERR" "tsweep recover"
fi

# Kills at random moments, each followed by the documented recovery.
for t in $(seq "$TRIALS"); do
  store="$WORK/trial$t.h5"
  start_writer "$store"
  wait_blocks "$store" $((4 + RANDOM % 40)) || continue
  sleep "0.0$((RANDOM % 10))"  # a random moment inside a commit or between two
  before=$(json_field "$WORK/seen.json" blocks)
  if kill -9 "$WRITER" 2>/dev/null; then pass "trial$t: writer killed while running"; else fail "trial$t: writer had finished"; fi
  wait "$WRITER" 2>/dev/null || true
  size=$(stat -c %s "$store")
  run "trial$t.recover" 60 "$TSWEEP" recover "$store"
  expect_rc "trial$t.recover" 0
  expect_in "trial$t.recover" "$OUT" "recovered"
  [ "$(stat -c %s "$store")" -ge "$size" ] && pass "trial$t: file kept whole" || fail "trial$t: file cut to $(stat -c %s "$store") bytes from $size"
  run "trial$t.verify" 60 "$TSWEEP" verify "$store" --json
  expect_rc "trial$t.verify" 0
  after=$(json_field "$WORK/trial$t.verify.out" blocks)
  [ "$after" -ge "$before" ] && pass "trial$t: $after blocks committed (>= $before seen before the kill)" \
    || fail "trial$t: $after blocks after recovery, $before were committed before the kill"
  run "trial$t.recover_again" 30 "$TSWEEP" recover "$store"
  expect_rc "trial$t.recover_again" 0
  expect_in "trial$t.recover_again" "$OUT" "nothing to recover"
  if [ -n "$D" ] && [ -e "$D/wfdb/100_3chan.hea" ]; then
    run "trial$t.append" 60 "$TSWEEP" ingest "$store" "$D/wfdb/100_3chan.hea"
    expect_rc "trial$t.append" 0
    run "trial$t.verify_after" 60 $TSWEEP_MPIEXEC -np 2 "$TSWEEP" verify "$store" --json
    expect_rc "trial$t.verify_after" 0
    [ "$(json_field "$WORK/trial$t.verify_after.out" blocks)" -eq $((after + 3)) ] && pass "trial$t: appended 3 blocks" \
      || fail "trial$t: append did not add 3 blocks"
  fi
done
finish
