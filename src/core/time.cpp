#include "tsweep/core/time.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <regex>

namespace tsweep {

namespace {
constexpr std::int64_t ns_per_s = 1000000000;

bool valid_date(int y, int m, int d) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= days[m - 1] + (m == 2 && leap ? 1 : 0);
}
}  // namespace

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  // Howard Hinnant's algorithm.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::int64_t civil_to_ns(int year, int month, int day, int hour, int minute, int second) noexcept {
  const std::int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return ((days * 24 + hour) * 60 + minute) * 60 * ns_per_s + static_cast<std::int64_t>(second) * ns_per_s;
}

std::optional<std::int64_t> parse_iso8601(const std::string& text) {
  static const std::regex re(
      R"(^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  const int y = std::stoi(m[1]), mo = std::stoi(m[2]), d = std::stoi(m[3]);
  const int h = m[4].matched ? std::stoi(m[4]) : 0;
  const int mi = m[5].matched ? std::stoi(m[5]) : 0;
  const int s = m[6].matched ? std::stoi(m[6]) : 0;
  if (!valid_date(y, mo, d) || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::int64_t frac = 0;
  if (m[7].matched) {
    std::string digits = m[7].str();
    digits.resize(9, '0');
    frac = std::stoll(digits);
  }
  std::int64_t offset_s = 0;
  if (m[8].matched && m[8].str() != "Z") {
    std::string z = m[8].str();
    const int sign = z[0] == '-' ? -1 : 1;
    z.erase(std::remove(z.begin(), z.end(), ':'), z.end());
    const int oh = std::stoi(z.substr(1, 2)), om = std::stoi(z.substr(3, 2));
    if (oh > 23 || om > 59) return std::nullopt;
    offset_s = sign * (oh * 3600 + om * 60);
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - offset_s;
  // Representable range of int64 ns: roughly 1677-09-21 to 2262-04-11.
  if (secs > INT64_MAX / ns_per_s - 1 || secs < INT64_MIN / ns_per_s + 1) return std::nullopt;
  return secs * ns_per_s + frac;
}

std::string format_iso8601(std::int64_t ns) {
  std::int64_t secs = ns / ns_per_s;
  std::int64_t frac = ns % ns_per_s;
  if (frac < 0) {
    frac += ns_per_s;
    --secs;
  }
  const auto t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out = buf;
  if (frac != 0) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09lld", static_cast<long long>(frac));
    out += f;
  }
  return out + "Z";
}

namespace {
struct Unit {
  const char* name;
  std::int64_t ns;
};
// Longest names first so that "min" is not read as "m"+"in" and "ms" not as "m".
constexpr Unit units[] = {{"min", 60 * ns_per_s}, {"ns", 1},   {"us", 1000}, {"ms", 1000000},
                          {"s", ns_per_s},        {"h", 3600 * ns_per_s}, {"d", 86400 * ns_per_s}};
}  // namespace

std::optional<std::int64_t> parse_duration(const std::string& text) {
  static const std::regex re(R"(^\s*(\d+(?:\.\d+)?)\s*(ns|us|ms|s|min|h|d)\s*$)");
  std::smatch m;
  if (!std::regex_match(text, m, re)) return std::nullopt;
  std::int64_t scale = 0;
  for (const auto& u : units) {
    if (m[2] == u.name) scale = u.ns;
  }
  const std::string number = m[1];
  const auto dot = number.find('.');
  // Exact integer arithmetic: "1.5s" is 1500000000 ns, not a rounded double.
  const std::string whole = number.substr(0, dot);
  if (whole.size() > 18) return std::nullopt;
  const std::int64_t w = std::stoll(whole);
  if (w > INT64_MAX / scale) return std::nullopt;
  std::int64_t ns = w * scale;
  if (dot != std::string::npos) {
    std::string fraction = number.substr(dot + 1);
    std::int64_t part = 0, denom = 1;
    for (char c : fraction) {
      if (denom > INT64_MAX / 10) break;
      part = part * 10 + (c - '0');
      denom *= 10;
    }
    __extension__ typedef __int128 i128;
    const i128 extra = static_cast<i128>(part) * scale;
    if (extra % denom != 0) return std::nullopt;  // finer than 1 ns
    ns += static_cast<std::int64_t>(extra / denom);
  }
  if (ns <= 0) return std::nullopt;
  return ns;
}

std::string format_duration(std::int64_t ns) {
  for (const std::int64_t scale :
       {86400 * ns_per_s, 3600 * ns_per_s, 60 * ns_per_s, ns_per_s, std::int64_t{1000000}, std::int64_t{1000}}) {
    if (ns % scale == 0) {
      for (const auto& u : units) {
        if (u.ns == scale) return std::to_string(ns / scale) + u.name;
      }
    }
  }
  return std::to_string(ns) + "ns";
}

}  // namespace tsweep
