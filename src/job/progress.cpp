#include "progress.hpp"

#include <spdlog/spdlog.h>

#include "tsweep/core/time.hpp"

namespace tsweep::job {

namespace {

// Rounded down to 0.1 %, so that 100.0 % means every unit is done.
double percent_done(std::int64_t done, std::int64_t total) {
  if (total <= 0) return 100.0;
  return static_cast<double>(1000 * done / total) / 10.0;
}

}  // namespace

Progress::Progress(bool enabled, std::int64_t units_total, std::int64_t units_before, std::int64_t cost_left,
                   std::int64_t interval_ns)
    : m_enabled(enabled),
      m_units_total(units_total),
      m_units_before(units_before),
      m_cost_left(cost_left),
      m_interval(interval_ns) {}

bool Progress::due() const { return m_enabled && Clock::now() - m_last >= m_interval; }

void Progress::print(std::int64_t units, std::int64_t samples, bool force) {
  if (!m_enabled || (!force && !due())) return;
  // One line per state: an epoch's forced line repeats nothing the interval
  // line just said, and 100 % is printed once.
  const std::int64_t done = m_units_before + units;
  if (done == m_last_done && (force || done >= m_units_total)) return;
  m_last_done = done;
  m_last = Clock::now();
  const double seconds = std::chrono::duration<double>(m_last - m_start).count();
  const double rate = seconds > 0 ? static_cast<double>(samples) / seconds : 0.0;
  // ETA from the estimated samples still to do (unit costs) at the rate so far.
  const double left = static_cast<double>(m_cost_left) - static_cast<double>(samples);
  const std::string eta = rate > 0 && left > 0 ? format_duration(static_cast<std::int64_t>(left / rate) * 1000000000 + 1000000000) : "-";
  const std::string eta_text = done >= m_units_total ? std::string("0s") : eta;
  spdlog::info("progress: {}/{} units ({:.1f}%), {} samples, {:.3g} samples/s, ETA {}", done, m_units_total,
               percent_done(done, m_units_total), samples,
               rate, eta_text);
}

}  // namespace tsweep::job
