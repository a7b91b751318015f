#pragma once
/// \file
/// The per-window results of the `stats` and `quality` analyses, and the
/// column buffers that carry them to the results file (one column per field).

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "tsweep/analysis/analysis.hpp"

namespace tsweep::analysis {

/// Which analyses a job runs. Fields of an analysis that does not run are
/// absent from the results file.
struct Analyses {
  bool stats = true;
  bool quality = true;
};

/// One window [start, start + W) of one stream.
struct WindowRow {
  std::int32_t stream = 0;       ///< index into the results file's stream table
  std::int64_t start = 0;        ///< window start, ns since the epoch (a multiple of W)
  // stats, over the non-NaN physical values
  std::int64_t count = 0;
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  double mean = std::numeric_limits<double>::quiet_NaN();
  double std = std::numeric_limits<double>::quiet_NaN();  ///< population standard deviation
  std::int64_t first_time = no_time;
  std::int64_t last_time = no_time;
  // quality
  std::int64_t expected = 0;          ///< sample instants of the nominal rate within the stream's span
  std::int64_t missing = 0;           ///< expected minus samples present (never negative)
  std::int64_t gaps = 0;              ///< intervals longer than 1.5 periods ending in this window
  std::int64_t longest_gap = 0;       ///< longest such interval, ns
  std::int64_t nan_count = 0;
  std::int64_t out_of_range = 0;      ///< samples outside the stream's valid physical range
  std::int64_t longest_flat_run = 0;  ///< longest run of identical consecutive values
  std::int64_t duplicate_times = 0;   ///< samples whose time equals the previous sample's
  std::int64_t backwards_times = 0;   ///< samples whose time is before the previous sample's
  std::int64_t corrupt_blocks = 0;    ///< corrupt blocks whose time range touches the window
};

/// Name, storage kind and place in WindowRow of every field, in file order.
struct FieldInfo {
  const char* name;
  FieldKind kind;
  std::size_t offset;       ///< offsetof(WindowRow, field)
  bool always;              ///< stream and start: written for every job
  bool stats;               ///< part of `stats` (else of `quality`) when not `always`
  const char* description;  ///< stored as the column's `description` attribute
  const char* unit;         ///< "ns" for time-valued fields, else nullptr (counts, or physical values in the stream's unit)
};
const std::vector<FieldInfo>& fields();

/// The fields a job with these analyses writes, in file order.
std::vector<FieldInfo> fields_for(const Analyses& analyses);

/// Copies one field of `rows` into `out` as a packed column (int32, int64 or
/// float64 values according to `field.kind`); `out` is resized.
void gather_column(const std::vector<WindowRow>& rows, const FieldInfo& field, std::vector<unsigned char>& out);

}  // namespace tsweep::analysis
