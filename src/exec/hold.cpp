#include "tsweep/exec/hold.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace tsweep::exec::test_hooks {

namespace {

struct Spec {
  std::string point;  ///< empty: no hold point asked for
  int occurrence = 1;
  int rank = -1;  ///< -1: every rank
  std::string marker;
  double timeout_s = 300;
};

[[noreturn]] void bad_spec(const std::string& why) {
  std::fprintf(stderr, "tsweep: error: %s\n", why.c_str());
  std::fflush(stderr);
  std::_Exit(2);
}

int parse_int(const std::string& text, const std::string& what) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0 || v > 1 << 30) {
    bad_spec("TSWEEP_TEST_HOLD: " + what + " '" + text + "' is not a non-negative integer");
  }
  return static_cast<int>(v);
}

Spec parse() {
  Spec s;
  const char* hold = std::getenv("TSWEEP_TEST_HOLD");
  if (!hold || !*hold) return s;
  std::string text(hold);
  if (const auto at = text.find('@'); at != std::string::npos) {
    s.rank = parse_int(text.substr(at + 1), "rank");
    text.erase(at);
  }
  if (const auto colon = text.find(':'); colon != std::string::npos) {
    s.occurrence = parse_int(text.substr(colon + 1), "occurrence");
    if (s.occurrence < 1) bad_spec("TSWEEP_TEST_HOLD: the occurrence counts from 1");
    text.erase(colon);
  }
  if (text.empty()) bad_spec("TSWEEP_TEST_HOLD: expected POINT[:N][@RANK], not '" + std::string(hold) + "'");
  s.point = text;
  const char* marker = std::getenv("TSWEEP_TEST_HOLD_MARKER");
  if (!marker || !*marker) bad_spec("TSWEEP_TEST_HOLD is set but TSWEEP_TEST_HOLD_MARKER (the marker path) is not");
  s.marker = marker;
  if (const char* t = std::getenv("TSWEEP_TEST_HOLD_TIMEOUT"); t && *t) s.timeout_s = parse_int(t, "timeout");
  return s;
}

const Spec& spec() {
  static const Spec s = parse();
  return s;
}

void write_marker(const std::string& path) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << ::getpid() << "\n";
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) bad_spec("TSWEEP_TEST_HOLD_MARKER: cannot write " + path + ": " + ec.message());
}

}  // namespace

void hold(const char* point, int rank, bool (*wake)()) {
  const Spec& s = spec();
  if (s.point.empty() || s.point != point || (s.rank >= 0 && s.rank != rank)) return;
  static std::mutex mutex;
  static std::map<std::string, int> hits;
  {
    const std::lock_guard<std::mutex> lock(mutex);
    if (++hits[s.point] != s.occurrence) return;
  }
  const std::string marker = s.marker + "." + std::to_string(rank);
  const std::string release = s.marker + ".release";
  write_marker(marker);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(s.timeout_s);
  // Polling is fine here: only a held test process ever runs this loop.
  while (!std::filesystem::exists(release)) {
    if (wake && wake()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      std::fprintf(stderr, "tsweep: test hold point '%s' on rank %d was not released within %.0f s\n", point, rank,
                   s.timeout_s);
      std::fflush(stderr);
      std::_Exit(124);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace tsweep::exec::test_hooks
