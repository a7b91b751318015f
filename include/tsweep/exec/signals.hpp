#pragma once
/// \file
/// Stop requests: SIGTERM, SIGINT and SIGUSR1 ask a run to finish its current
/// work, commit, and exit 75. The handlers only set a flag.

namespace tsweep::exec {

/// Installs the handlers for its lifetime and restores the previous ones after.
class StopSignals {
 public:
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;
  ~StopSignals();

  /// The signal that asked to stop (0 when none). Rank-local.
  [[nodiscard]] static int received() noexcept;
  /// "SIGTERM", "SIGINT", "SIGUSR1".
  [[nodiscard]] static const char* name(int signal) noexcept;
  /// For tests: forget a received signal.
  static void reset() noexcept;
};

}  // namespace tsweep::exec
