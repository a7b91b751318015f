#pragma once
/// \file
/// Fitting a run's provenance JSON into the file's fixed-size record.
/// Internal to the output layer.

#include <cstddef>
#include <string>

namespace tsweep::output::detail {

/// Rank-local. `json` itself when it fits in `capacity` bytes. Otherwise a
/// valid JSON text that does: the top-level arrays (the per-rank details) are
/// dropped, largest first, then every other non-scalar member, and a
/// top-level "truncated" member says what was dropped and why. A text that is
/// not a JSON object becomes just that note.
std::string fit_provenance(const std::string& json, std::size_t capacity);

}  // namespace tsweep::output::detail
