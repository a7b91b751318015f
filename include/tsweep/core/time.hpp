#pragma once
/// \file
/// Time values: int64 nanoseconds since 1970-01-01T00:00:00Z (UTC), and the
/// text forms users write them in.

#include <cstdint>
#include <optional>
#include <string>

namespace tsweep {

/// floor(a / b) for b > 0, also for negative a: the window k·b ≤ a < (k+1)·b holding time a.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/// "2024-03-01T12:00:00Z", "2024-03-01T12:00:00.25+01:00", "2024-03-01 12:00:00",
/// "2024-03-01" → ns since the epoch. No zone means UTC. nullopt if not ISO-8601.
std::optional<std::int64_t> parse_iso8601(const std::string& text);

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-12, day 1-31).
std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept;

/// ns since the epoch of a UTC calendar time (no range checks: callers validate fields).
std::int64_t civil_to_ns(int year, int month, int day, int hour, int minute, int second) noexcept;

/// ns since the epoch → "2024-03-01T12:00:00.250000000Z" (fraction only when non-zero).
std::string format_iso8601(std::int64_t ns);

/// "500ms", "1s", "1.5s", "1min", "12h", "2d", "250us", "100ns" → ns. A bare
/// number is not accepted: a duration needs its unit. nullopt if malformed,
/// non-positive or out of range.
std::optional<std::int64_t> parse_duration(const std::string& text);

/// ns → the shortest exact text parse_duration reads back ("1min", "500ms").
std::string format_duration(std::int64_t ns);

}  // namespace tsweep
