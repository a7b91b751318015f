#include <algorithm>
#include <cmath>
#include <limits>

#include "builtin.hpp"

namespace tsweep::analysis::builtin {

namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

enum : std::size_t { count_f, rate_f, intervals_f, mean_f, std_f, min_f, max_f, heart_rate_f, rmssd_f };

class Events final : public Analysis {
 public:
  [[nodiscard]] std::vector<Field> fields() const override {
    return {
        {"count", FieldKind::int64, "", "events (samples) in the window", {}},
        {"rate", FieldKind::float64, "1/s", "count / the window's covered seconds", {}},
        {"intervals",
         FieldKind::int64,
         "",
         "intervals ending at an event of the window (the first from the event before)",
         {}},
        {"interval_mean", FieldKind::float64, "s", "mean interval", {}},
        {"interval_std", FieldKind::float64, "s", "population standard deviation of the intervals", {}},
        {"interval_min", FieldKind::float64, "s", "shortest interval", {}},
        {"interval_max", FieldKind::float64, "s", "longest interval", {}},
        {"heart_rate", FieldKind::float64, "1/min", "60 / interval_mean (for beat streams)", {}},
        {"rmssd", FieldKind::float64, "ms", "root mean square of successive interval differences", {}},
    };
  }

  void reduce(const Window& w, Output& out) const override {
    const std::size_t n = w.size;
    const double seconds = w.seconds();
    out.set(count_f, static_cast<std::int64_t>(n));
    out.set(rate_f, seconds == 0 ? nan : static_cast<double>(n) / seconds);
    // Interval i ends at event i and starts at the event just before it in
    // the stream, when that one is known (not across a corrupt block).
    auto before = [&](std::size_t i) {
      if (w.previous_times) return w.previous_times[i];
      return i == 0 ? w.previous_time : w.times[i - 1];
    };
    std::size_t intervals = 0;
    long double sum_ns = 0;  // exact: |sum| < 2^64
    for (std::size_t i = 0; i < n; ++i) {
      if (const std::int64_t b = before(i); b != no_time) {
        ++intervals;
        sum_ns += static_cast<long double>(w.times[i] - b);
      }
    }
    out.set(intervals_f, static_cast<std::int64_t>(intervals));
    double mean = nan, sd = nan, lo = nan, hi = nan, rmssd = nan;
    if (intervals > 0) {
      mean = static_cast<double>(sum_ns) / static_cast<double>(intervals) * 1e-9;
      double squares = 0, diff_squares = 0, previous_ms = 0;
      std::size_t pairs = 0;
      bool have_previous = false;  // the interval ending at event i - 1
      lo = std::numeric_limits<double>::infinity();
      hi = -lo;
      for (std::size_t i = 0; i < n; ++i) {
        const std::int64_t b = before(i);
        if (b == no_time) {
          have_previous = false;
          continue;
        }
        const std::int64_t dt = w.times[i] - b;
        const double s = static_cast<double>(dt) * 1e-9;
        const double ms = static_cast<double>(dt) * 1e-6;
        squares += (s - mean) * (s - mean);
        lo = std::min(lo, s);
        hi = std::max(hi, s);
        // Successive intervals: this one starts where the previous one ended.
        if (have_previous && b == w.times[i - 1]) {
          diff_squares += (ms - previous_ms) * (ms - previous_ms);
          ++pairs;
        }
        previous_ms = ms;
        have_previous = true;
      }
      sd = std::sqrt(squares / static_cast<double>(intervals));
      if (pairs >= 1) rmssd = std::sqrt(diff_squares / static_cast<double>(pairs));
    }
    out.set(mean_f, mean);
    out.set(std_f, sd);
    out.set(min_f, lo);
    out.set(max_f, hi);
    out.set(heart_rate_f, 60 / mean);
    out.set(rmssd_f, rmssd);
  }
};

}  // namespace

AnalysisType events_type() {
  return {"events",
          "event count, rate and inter-event intervals (mean, std, min, max, heart rate, RMSSD) from times; see "
          "ANALYSES.md",
          {},
          [](const Params&) { return std::make_unique<Events>(); }};
}

}  // namespace tsweep::analysis::builtin
