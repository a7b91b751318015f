#include "tsweep/analysis/window.hpp"

#include <cstddef>
#include <cstring>

namespace tsweep::analysis {

#define TSWEEP_FIELD(name, kind, always, stats, text) \
  FieldInfo { #name, FieldKind::kind, offsetof(WindowRow, name), always, stats, text, nullptr }
#define TSWEEP_TIME_FIELD(name, kind, always, stats, text) \
  FieldInfo { #name, FieldKind::kind, offsetof(WindowRow, name), always, stats, text, "ns" }

const std::vector<FieldInfo>& fields() {
  static const std::vector<FieldInfo> all = {
      TSWEEP_FIELD(stream, int32, true, false, "row of /streams this window belongs to"),
      TSWEEP_TIME_FIELD(start, int64, true, false, "window start, ns since 1970-01-01T00:00:00Z; the window is [start, start + window_ns)"),
      TSWEEP_FIELD(count, int64, false, true, "samples with a non-NaN value"),
      TSWEEP_FIELD(min, float64, false, true, "minimum physical value (NaN when count is 0)"),
      TSWEEP_FIELD(max, float64, false, true, "maximum physical value (NaN when count is 0)"),
      TSWEEP_FIELD(mean, float64, false, true, "mean physical value; integer streams: the exact mean of the raw values, correctly rounded, times scale plus offset (NaN when count is 0)"),
      TSWEEP_FIELD(std, float64, false, true, "population standard deviation of the physical values; integer streams: from exact sums, correctly rounded, times |scale| (NaN when count is 0)"),
      TSWEEP_TIME_FIELD(first_time, int64, false, true, "time of the first sample, ns (INT64_MIN when the window is empty)"),
      TSWEEP_TIME_FIELD(last_time, int64, false, true, "time of the last sample, ns (INT64_MIN when the window is empty)"),
      TSWEEP_FIELD(expected, int64, false, false, "sample instants of the nominal rate inside the window and the stream's span (0 for irregular streams)"),
      TSWEEP_FIELD(missing, int64, false, false, "expected minus samples present, never negative"),
      TSWEEP_FIELD(gaps, int64, false, false, "intervals between consecutive samples longer than 1.5 nominal periods, counted in the window of the later sample"),
      TSWEEP_TIME_FIELD(longest_gap, int64, false, false, "longest such interval, ns (0 when none)"),
      TSWEEP_FIELD(nan_count, int64, false, false, "samples whose value is NaN"),
      TSWEEP_FIELD(out_of_range, int64, false, false, "samples outside the stream's valid physical range"),
      TSWEEP_FIELD(longest_flat_run, int64, false, false, "longest run of identical consecutive raw values within the window (NaN is no value: never in a run, it ends one)"),
      TSWEEP_FIELD(duplicate_times, int64, false, false, "samples whose time equals the previous sample's"),
      TSWEEP_FIELD(backwards_times, int64, false, false, "samples whose time is earlier than the previous sample's"),
      TSWEEP_FIELD(corrupt_blocks, int64, false, false, "corrupt blocks read by the run whose time range touches the window (blocks a window covers whole come from their summaries and are not read)"),
  };
  return all;
}
#undef TSWEEP_FIELD
#undef TSWEEP_TIME_FIELD

std::vector<FieldInfo> fields_for(const Analyses& analyses) {
  std::vector<FieldInfo> out;
  for (const auto& f : fields()) {
    if (f.always || (f.stats && analyses.stats) || (!f.stats && analyses.quality)) out.push_back(f);
  }
  return out;
}

void gather_column(const std::vector<WindowRow>& rows, const FieldInfo& field, std::vector<unsigned char>& out) {
  const std::size_t width = field.kind == FieldKind::int32 ? 4 : 8;
  out.resize(rows.size() * width);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::memcpy(out.data() + i * width, reinterpret_cast<const unsigned char*>(&rows[i]) + field.offset, width);
  }
}

}  // namespace tsweep::analysis
