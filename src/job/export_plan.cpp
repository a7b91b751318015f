#include "tsweep/job/export_plan.hpp"

#include <algorithm>
#include <map>

#include "tsweep/core/error.hpp"

namespace tsweep::job {

namespace {

__extension__ typedef __int128 Int128;
constexpr Int128 kNsPerSecondNhz = Int128{1'000'000'000'000'000'000};  // ns × nHz in one sample

Int128 ceil_div(Int128 a, Int128 b) {  // b > 0
  Int128 q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

// First grid index k with anchor + floor(k·10^18 / rate) >= t.
std::int64_t first_index_at_or_after(std::int64_t anchor, std::int64_t rate_nhz, std::int64_t t) {
  return static_cast<std::int64_t>(ceil_div((static_cast<Int128>(t) - anchor) * rate_nhz, kNsPerSecondNhz));
}

std::int64_t period_of(std::int64_t rate_nhz) {
  return rate_nhz > 0 ? static_cast<std::int64_t>(ceil_div(kNsPerSecondNhz, rate_nhz)) : 0;
}

std::size_t sample_bytes(codec::SampleType t) {
  switch (t) {
    case codec::SampleType::int16: return 2;
    case codec::SampleType::int32: return 4;
    case codec::SampleType::int64: return 8;
    case codec::SampleType::float32: return 4;
    case codec::SampleType::float64: return 8;
  }
  return 8;
}

}  // namespace

std::string rate_text(std::int64_t rate_nhz) {
  std::string whole = std::to_string(rate_nhz / 1'000'000'000);
  std::string frac = std::to_string(rate_nhz % 1'000'000'000);
  frac.insert(0, 9 - frac.size(), '0');
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  return frac.empty() ? whole : whole + "." + frac;
}

ExportPlan make_export_plan(const std::vector<SourceStream>& streams, const plan::JobConfig& config,
                            const std::string& store_name) {
  const plan::ExportSettings& x = config.exporting;
  std::vector<plan::StreamSummary> summaries;
  for (const auto& s : streams) summaries.push_back(s.summary);
  ExportPlan out;
  // The selection, exactly as `run` makes it: one window per stream, so only
  // the streams and their covered ranges matter.
  out.selection = plan::make_plan(summaries, config.selection, std::int64_t{1} << 62, INT64_MAX / 4, store_name,
                                  INT64_MAX);
  const auto& sel = out.selection.streams;
  auto source_of = [&](const plan::PlannedStream& ps) -> const SourceStream& {
    for (const auto& s : streams) {
      if (s.summary.id == ps.id) return s;
    }
    throw InternalError("planned stream " + ps.name + " is not in " + store_name);
  };

  // Groups: one per native rate (ascending), or one at the chosen rate.
  std::map<std::int64_t, std::vector<std::size_t>> by_rate;
  for (std::size_t i = 0; i < sel.size(); ++i) {
    const SourceStream& s = source_of(sel[i]);
    out.period_ns.push_back(period_of(s.summary.rate_nhz));
    if (x.rate_nhz == 0 && s.summary.rate_nhz <= 0) {
      throw ConfigError("export.rate: stream " + sel[i].name + " of " + store_name +
                        " is irregular (no nominal rate); set export.rate to the rate to resample it to "
                        "(--set export.rate=100Hz), or leave it out of streams");
    }
    const bool integer = x.dtype == plan::ExportType::int16 || x.dtype == plan::ExportType::int32 ||
                         x.dtype == plan::ExportType::int64;
    if (integer) {
      const bool is_float = s.type == codec::SampleType::float32 || s.type == codec::SampleType::float64;
      const std::size_t width = x.dtype == plan::ExportType::int16 ? 2 : x.dtype == plan::ExportType::int32 ? 4 : 8;
      if (is_float || sample_bytes(s.type) > width) {
        throw ConfigError(std::string("export.dtype: ") + plan::export_type_name(x.dtype) + " cannot hold the raw " +
                          codec::sample_type_name(s.type) + " samples of " + sel[i].name +
                          "; choose a wider type or float64");
      }
    }
    by_rate[x.rate_nhz > 0 ? x.rate_nhz : s.summary.rate_nhz].push_back(i);
  }
  out.group_of.assign(sel.size(), 0);
  out.row_of.assign(sel.size(), 0);
  for (const auto& [rate, members] : by_rate) {
    output::ExportGroupLayout g;
    g.rate_nhz = rate;
    g.native = x.rate_nhz == 0;
    g.name = rate_text(rate) + "Hz";
    std::int64_t begin = INT64_MAX, end = INT64_MIN, anchor = INT64_MAX;
    for (const std::size_t i : members) {
      begin = std::min(begin, sel[i].begin_ns);
      end = std::max(end, sel[i].end_ns);
      anchor = std::min(anchor, source_of(sel[i]).summary.first_ns);
    }
    // Native grids start at the group's first sample, so a stream that starts
    // there has every sample on a grid point; chosen rates are aligned to the epoch.
    g.anchor_ns = g.native ? anchor : 0;
    g.first_index = first_index_at_or_after(g.anchor_ns, rate, begin);
    const std::int64_t last = first_index_at_or_after(g.anchor_ns, rate, end);
    g.points = std::max<std::int64_t>(1, last - g.first_index);
    if (static_cast<Int128>(g.points) * static_cast<Int128>(members.size()) > (Int128{1} << 42)) {
      throw ConfigError("export.rate: " + g.name + " over the time range makes " + std::to_string(g.points) +
                        " points per stream, too many; choose a lower rate or a narrower time_range");
    }
    for (const std::size_t i : members) {
      out.group_of[i] = static_cast<std::int32_t>(out.groups.size());
      out.row_of[i] = static_cast<std::int64_t>(g.streams.size());
      const SourceStream& s = source_of(sel[i]);
      g.streams.push_back(sel[i].name);
      g.units.push_back(x.physical ? s.unit : std::string());
      g.store_ids.push_back(sel[i].id);
    }
    out.groups.push_back(std::move(g));
  }

  // Units: plan::make_plan over grid points. Each stream's estimated samples
  // (its density over its covered range) size its units.
  std::vector<plan::StreamSummary> points;
  for (std::size_t i = 0; i < sel.size(); ++i) {
    const SourceStream& s = source_of(sel[i]);
    const output::ExportGroupLayout& g = out.groups[static_cast<std::size_t>(out.group_of[i])];
    const double span = std::max(1.0, static_cast<double>(s.summary.last_ns) - static_cast<double>(s.summary.first_ns) + 1.0);
    const double covered = static_cast<double>(sel[i].end_ns) - static_cast<double>(sel[i].begin_ns);
    const double samples = static_cast<double>(s.summary.samples) * std::min(1.0, covered / span);
    plan::StreamSummary p;
    p.id = static_cast<std::int64_t>(i);
    p.name = sel[i].name;
    p.first_ns = 0;
    p.last_ns = g.points - 1;
    p.samples = std::max<std::int64_t>(g.points, static_cast<std::int64_t>(samples));
    p.rate_nhz = 0;  // cost from the density: samples per point
    points.push_back(std::move(p));
  }
  out.units = plan::make_plan(points, plan::Selection{}, x.chunk_time, config.unit_samples, store_name, INT64_MAX);
  for (const auto& u : out.units.units) {
    const auto i = static_cast<std::size_t>(u.stream);
    const std::int64_t b = out.units.unit_begin(u), e = out.units.unit_end(u);
    out.places.push_back({out.group_of[i], out.row_of[i], b, e - b});
  }
  return out;
}

std::uint64_t export_plan_digest(const ExportPlan& plan) {
  // The units' plan digest covers names, point spans and units; add the grids.
  std::uint64_t h = plan::plan_digest(plan.units) ^ (plan::plan_digest(plan.selection) * 0x9E3779B97F4A7C15ULL);
  for (const auto& g : plan.groups) {
    for (const std::int64_t v : {g.rate_nhz, g.anchor_ns, g.first_index, g.points}) {
      h ^= static_cast<std::uint64_t>(v) + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    }
  }
  return h;
}

}  // namespace tsweep::job
