#pragma once
/// \file
/// Fault injection for tests: `TSWEEP_INJECT_FAULT=<point>:<rank>` makes
/// maybe_inject_fault(point, rank) throw on that rank, so that tests can
/// check that a failure on one rank ends every rank cleanly. Points: `open`,
/// `unit` and `epoch` in the job, `layout` while the results file is laid out.

namespace tsweep {

/// Rank-local. Throws InternalError when TSWEEP_INJECT_FAULT names this point and rank.
void maybe_inject_fault(const char* point, int rank);

}  // namespace tsweep
