#pragma once
// Helpers shared by the store's tests: temporary files and small series.

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "tsweep/store/series.hpp"

namespace tsweep::test {

/// A temporary folder removed at scope exit.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tsweep-store-XXXXXX").string();
    m_path = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] std::string file(const std::string& name) const { return (m_path / name).string(); }

 private:
  std::filesystem::path m_path;
};

/// A regular int16 series: value(i) = (i * 7 + seed) % 2000 - 1000, with
/// segments cut at the given gaps (indices where a new segment starts after a
/// jump of `gap_ns`).
inline store::Series regular_int16(std::int64_t n, std::int64_t first_ns, std::int64_t rate_nhz, int seed = 0) {
  store::Series s;
  s.type = codec::SampleType::int16;
  s.rate_nhz = rate_nhz;
  for (std::int64_t i = 0; i < n; ++i) s.push<std::int16_t>(static_cast<std::int16_t>((i * 7 + seed) % 2000 - 1000));
  s.segments.push_back({first_ns, 0, n});
  return s;
}

/// An irregular float64 series with strictly increasing times.
inline store::Series irregular_f64(std::int64_t n, std::int64_t first_ns, std::int64_t step_ns) {
  store::Series s;
  s.type = codec::SampleType::float64;
  for (std::int64_t i = 0; i < n; ++i) {
    s.push<double>(0.5 * static_cast<double>(i) - 3.25);
    s.times.push_back(first_ns + i * step_ns + (i % 3));
  }
  return s;
}

}  // namespace tsweep::test
