#pragma once
/// \file
/// Fault injection for tests: `TSWEEP_INJECT_FAULT=<point>:<rank>` makes
/// maybe_inject_fault(point, rank) throw on that rank, so that tests can
/// check that a failure on one rank ends every rank cleanly. Points: `open`,
/// `unit` and `epoch` in the job, `layout` while the results file is laid out,
/// `plugin` (the job's plugins are missing on that rank).

namespace tsweep {

/// Rank-local. Whether TSWEEP_INJECT_FAULT names this point and rank (for
/// points whose fault is not an exception, such as `plugin`: the plugins are
/// missing on that rank).
bool fault_injected(const char* point, int rank);

/// Rank-local. Throws InternalError when TSWEEP_INJECT_FAULT names this point and rank.
void maybe_inject_fault(const char* point, int rank);

}  // namespace tsweep
