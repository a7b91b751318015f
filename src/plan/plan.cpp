#include "tsweep/plan/plan.hpp"

#include <fnmatch.h>
#include <xxhash.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <regex>

#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::plan {

__extension__ typedef __int128 Int128;

namespace {

struct Matcher {
  std::vector<std::string> globs;
  std::vector<std::pair<std::string, std::regex>> regexes;
  std::vector<bool> glob_hit;
  std::vector<bool> regex_hit;

  explicit Matcher(const Selection& s) : globs(s.globs), glob_hit(s.globs.size()), regex_hit(s.regexes.size()) {
    for (const auto& r : s.regexes) {
      try {
        regexes.emplace_back(r, std::regex(r, std::regex::ECMAScript));
      } catch (const std::regex_error& e) {
        throw ConfigError("streams: regex '" + r + "' is not a valid ECMAScript regular expression (" + e.what() + ")");
      }
    }
  }

  // Every pattern is tried, so that a pattern matching nothing can be named.
  bool operator()(const std::string& name) {
    if (globs.empty() && regexes.empty()) return true;
    bool any = false;
    for (std::size_t i = 0; i < globs.size(); ++i) {
      if (glob_match(globs[i], name)) any = glob_hit[i] = true;
    }
    for (std::size_t i = 0; i < regexes.size(); ++i) {
      if (std::regex_match(name, regexes[i].second)) any = regex_hit[i] = true;
    }
    return any;
  }
};

// Estimated samples per window: the nominal rate where there is one, else the
// stream's mean density over its span.
double samples_per_window(const StreamSummary& s, std::int64_t window_ns) {
  if (s.rate_nhz > 0) return static_cast<double>(s.rate_nhz) * 1e-18 * static_cast<double>(window_ns);
  const double span = std::max<double>(1.0, static_cast<double>(s.last_ns) - static_cast<double>(s.first_ns) + 1.0);
  return static_cast<double>(s.samples) * static_cast<double>(window_ns) / span;
}

}  // namespace

bool glob_match(const std::string& pattern, const std::string& name) {
  return fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

std::int64_t Plan::unit_begin(const Unit& u) const {
  return std::max(streams.at(static_cast<std::size_t>(u.stream)).begin_ns, u.first_window * window_ns);
}

std::int64_t Plan::unit_end(const Unit& u) const {
  return std::min(streams.at(static_cast<std::size_t>(u.stream)).end_ns, (u.first_window + u.windows) * window_ns);
}

Plan make_plan(const std::vector<StreamSummary>& streams, const Selection& selection, std::int64_t window_ns,
               std::int64_t target_unit_samples, const std::string& store_path, std::int64_t max_rows) {
  if (window_ns <= 0) throw ConfigError("window: expected a positive duration");
  if (target_unit_samples <= 0) throw ConfigError("unit_samples: expected a positive number of samples");
  if (max_rows <= 0) throw ConfigError("max_rows: expected a positive number of rows");
  if (selection.start_ns >= selection.end_ns) throw ConfigError("time_range: start must be before end");

  std::vector<const StreamSummary*> ordered;
  ordered.reserve(streams.size());
  for (const auto& s : streams) ordered.push_back(&s);
  std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) { return a->id < b->id; });

  Matcher match(selection);
  Plan plan;
  plan.window_ns = window_ns;
  std::size_t selected = 0;
  // First the streams and their rows alone (arithmetic, nothing per window),
  // so that an oversized plan is refused before any unit is made.
  std::vector<const StreamSummary*> planned;
  Int128 total_rows = 0;
  for (const StreamSummary* s : ordered) {
    if (!match(s->name)) continue;
    ++selected;
    if (s->samples <= 0) continue;
    const std::int64_t begin = std::max(s->first_ns, selection.start_ns);
    const std::int64_t end = std::min(s->last_ns == INT64_MAX ? INT64_MAX : s->last_ns + 1, selection.end_ns);
    if (begin >= end) continue;

    PlannedStream ps;
    ps.id = s->id;
    ps.name = s->name;
    ps.begin_ns = begin;
    ps.end_ns = end;
    ps.first_window = floor_div(begin, window_ns);
    ps.windows = floor_div(end - 1, window_ns) - ps.first_window + 1;
    ps.row = static_cast<std::int64_t>(std::min<Int128>(total_rows, INT64_MAX));
    total_rows += ps.windows;
    plan.streams.push_back(std::move(ps));
    planned.push_back(s);
  }
  for (std::size_t i = 0; i < match.globs.size(); ++i) {
    if (!match.glob_hit[i]) {
      throw ConfigError("streams: pattern '" + match.globs[i] + "' matches no stream in " + store_path);
    }
  }
  for (std::size_t i = 0; i < match.regexes.size(); ++i) {
    if (!match.regex_hit[i]) {
      throw ConfigError("streams: regex '" + match.regexes[i].first + "' matches no stream in " + store_path);
    }
  }
  if (selected == 0) throw ConfigError(store_path + " has no streams to analyse");
  if (total_rows > max_rows) {
    const std::string rows = total_rows > INT64_MAX ? "more than " + std::to_string(INT64_MAX)
                                                    : std::to_string(static_cast<std::int64_t>(total_rows));
    throw ConfigError("window: " + format_duration(window_ns) + " makes " + rows + " window rows over the " +
                      std::to_string(plan.streams.size()) + " selected streams of " + store_path +
                      ", more than max_rows = " + std::to_string(max_rows) +
                      "; choose a wider window or a narrower time_range, or raise max_rows");
  }
  plan.rows = static_cast<std::int64_t>(total_rows);

  std::vector<std::int64_t> per_unit(planned.size());
  Int128 total_units = 0;
  for (std::size_t i = 0; i < planned.size(); ++i) {
    const double per_window = samples_per_window(*planned[i], window_ns);
    per_unit[i] = static_cast<std::int64_t>(
        std::clamp(std::floor(static_cast<double>(target_unit_samples) / std::max(per_window, 1e-9)), 1.0,
                   static_cast<double>(kMaxUnitWindows)));
    total_units += (plan.streams[i].windows + per_unit[i] - 1) / per_unit[i];
  }
  // The unit table is held by every rank: a raised max_rows must not turn into an exhausted memory.
  if (total_units > kMaxUnits) {
    throw ConfigError("window: " + format_duration(window_ns) + " over the selected streams of " + store_path +
                      " makes " + std::to_string(static_cast<std::int64_t>(total_units)) +
                      " units of work, more than " + std::to_string(kMaxUnits) +
                      "; choose a wider window or a narrower time_range");
  }
  plan.units.reserve(static_cast<std::size_t>(total_units));

  for (std::size_t i = 0; i < planned.size(); ++i) {
    const PlannedStream& ps = plan.streams[i];
    const double per_window = samples_per_window(*planned[i], window_ns);
    const auto index = static_cast<std::int32_t>(i);
    for (std::int64_t w = 0; w < ps.windows; w += per_unit[i]) {
      Unit u;
      u.id = static_cast<std::int64_t>(plan.units.size());
      u.stream = index;
      u.first_window = ps.first_window + w;
      u.windows = std::min(per_unit[i], ps.windows - w);
      u.row = ps.row + w;
      u.cost = std::max<std::int64_t>(1, std::llround(per_window * static_cast<double>(u.windows)));
      plan.units.push_back(u);
    }
  }

  if (plan.streams.empty()) {
    throw ConfigError("time_range: none of the " + std::to_string(selected) + " selected stream(s) of " + store_path +
                      " has samples in the time range");
  }
  return plan;
}

std::uint64_t plan_digest(const Plan& plan) {
  const std::unique_ptr<XXH3_state_t, decltype(&XXH3_freeState)> owner(XXH3_createState(), &XXH3_freeState);
  XXH3_state_t* state = owner.get();
  if (!state) throw InternalError("XXH3_createState failed");
  XXH3_64bits_reset(state);
  auto add = [&](const void* p, std::size_t n) { XXH3_64bits_update(state, p, n); };
  auto add_int = [&](std::int64_t v) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(static_cast<std::uint64_t>(v) >> (8 * i));
    add(b, 8);
  };
  add_int(plan.window_ns);
  add_int(plan.rows);
  add_int(static_cast<std::int64_t>(plan.streams.size()));
  for (const auto& s : plan.streams) {
    add_int(s.id);
    add_int(static_cast<std::int64_t>(s.name.size()));
    add(s.name.data(), s.name.size());
    for (auto v : {s.begin_ns, s.end_ns, s.first_window, s.windows, s.row}) add_int(v);
  }
  add_int(static_cast<std::int64_t>(plan.units.size()));
  for (const auto& u : plan.units) {
    for (auto v : {u.id, static_cast<std::int64_t>(u.stream), u.first_window, u.windows, u.row, u.cost}) add_int(v);
  }
  return XXH3_64bits_digest(state);
}

}  // namespace tsweep::plan
