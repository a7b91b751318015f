#pragma once
/// \file
/// Test-only hold points, so that a test can kill or signal a process at a
/// named moment deterministically instead of guessing with sleeps. Inert
/// unless TSWEEP_TEST_HOLD is set; never set it in production.
///
///   TSWEEP_TEST_HOLD=POINT[:N][@RANK]  hold at the N-th time (default 1st) this
///                                      process reaches POINT; only on rank RANK
///                                      when given, else on every rank
///   TSWEEP_TEST_HOLD_MARKER=PATH       required with TSWEEP_TEST_HOLD: a held
///                                      rank writes PATH.<rank> (its pid, one
///                                      line; the file appears complete, by
///                                      rename) and waits until PATH.release
///                                      exists, it is killed, or, where the caller
///                                      passes one, `wake` returns true (a stop
///                                      signal, in `tsweep run`)
///   TSWEEP_TEST_HOLD_TIMEOUT=SECONDS   a held process that is never released
///                                      exits 124 after this long (default 300),
///                                      so that a broken test cannot hang
///
/// Points:
///   results.create      ResultsFile::create: the new file is built under
///                       `<path>.creating`, not yet renamed to `.partial`
///   results.write       ResultsFile::write_epoch: half of the epoch's row
///                       columns are written, none of its units committed
///   results.commit      ResultsFile::write_epoch: every row written and
///                       flushed, the commit record not yet written
///   epoch.committed     `tsweep run` and tests/output/results_writer: the N-th
///                       epoch is committed, the next one (or the finish) not
///                       started
///   job.unit            `tsweep run`: inside the N-th unit this rank runs, its
///                       blocks read, not yet decoded

namespace tsweep::exec::test_hooks {

/// Rank-local. Holds here if TSWEEP_TEST_HOLD names `point` and this is its
/// N-th hit on this process (`rank` names the marker file). Returns at once
/// otherwise. A malformed TSWEEP_TEST_HOLD, or one without a marker, ends the
/// process with exit 2 and a line saying why: a hold point can sit inside a
/// collective, where an exception on its own would leave other ranks waiting.
void hold(const char* point, int rank, bool (*wake)() = nullptr);

}  // namespace tsweep::exec::test_hooks
