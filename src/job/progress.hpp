#pragma once
// Rank 0's progress line: units, samples, rate and ETA, at an interval.

#include <chrono>
#include <cstdint>

namespace tsweep::job {

class Progress {
 public:
  Progress(bool enabled, std::int64_t units_total, std::int64_t units_before, std::int64_t cost_left,
           std::int64_t interval_ns);
  /// True when a line is due (rank-local, cheap).
  [[nodiscard]] bool due() const;
  /// Prints a line if enabled and due (or `force`). `units` and `samples`
  /// count this run's work. A forced line that would repeat the last one's
  /// unit count is skipped, and the 100 % line is printed once.
  void print(std::int64_t units, std::int64_t samples, bool force = false);

 private:
  using Clock = std::chrono::steady_clock;
  bool m_enabled;
  std::int64_t m_units_total;
  std::int64_t m_units_before;
  std::int64_t m_cost_left;
  std::chrono::nanoseconds m_interval;
  Clock::time_point m_start = Clock::now();
  Clock::time_point m_last = Clock::now();
  std::int64_t m_last_done = -1;  ///< units done at the last line
};

}  // namespace tsweep::job
