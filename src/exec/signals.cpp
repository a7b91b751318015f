#include "tsweep/exec/signals.hpp"

#include <csignal>

namespace tsweep::exec {

namespace {
volatile std::sig_atomic_t g_signal = 0;
struct sigaction g_previous[3];
constexpr int g_signals[3] = {SIGTERM, SIGINT, SIGUSR1};

extern "C" void on_stop_signal(int signal) {
  if (g_signal == 0) g_signal = signal;
}
}  // namespace

StopSignals::StopSignals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  // Restart interrupted system calls: I/O in MPI and HDF5 must not see EINTR.
  action.sa_flags = SA_RESTART;
  for (int i = 0; i < 3; ++i) sigaction(g_signals[i], &action, &g_previous[i]);
}

StopSignals::~StopSignals() {
  for (int i = 0; i < 3; ++i) sigaction(g_signals[i], &g_previous[i], nullptr);
}

int StopSignals::received() noexcept { return g_signal; }

const char* StopSignals::name(int signal) noexcept {
  switch (signal) {
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGUSR1: return "SIGUSR1";
    default: return "a signal";
  }
}

void StopSignals::reset() noexcept { g_signal = 0; }

}  // namespace tsweep::exec
