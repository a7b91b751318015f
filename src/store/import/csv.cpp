#include "tsweep/store/import/csv.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>

#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::store::import {
namespace {

__extension__ typedef __int128 Int128;

std::string trim(std::string s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  s = s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
  if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
  return s;
}

std::vector<std::string> split(const std::string& line, char delim) {
  std::vector<std::string> out;
  std::string cell;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    if (c == delim && !quoted) {
      out.push_back(trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  out.push_back(trim(cell));
  return out;
}

// "value [unit]" or "value (unit)".
std::pair<std::string, std::string> name_and_unit(const std::string& header) {
  for (auto [open, close] : {std::pair{'[', ']'}, std::pair{'(', ')'}}) {
    const auto a = header.rfind(open);
    if (a != std::string::npos && !header.empty() && header.back() == close && a > 0) {
      return {trim(header.substr(0, a)), trim(header.substr(a + 1, header.size() - a - 2))};
    }
  }
  return {header, {}};
}

// An epoch number in `unit_ns` units, read exactly from its decimal text.
std::optional<std::int64_t> epoch_number(const std::string& text, std::int64_t unit_ns) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  Int128 whole = 0;
  std::size_t digits = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
    whole = whole * 10 + (text[i] - '0');
    if (whole > (static_cast<Int128>(1) << 80)) return std::nullopt;
  }
  Int128 frac_ns = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    Int128 scale = unit_ns;
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i, ++digits) {
      scale /= 10;  // digits beyond a nanosecond are dropped
      frac_ns += (text[i] - '0') * scale;
    }
  }
  if (i != text.size() || digits == 0) return std::nullopt;
  Int128 ns = whole * unit_ns + frac_ns;
  if (negative) ns = -ns;
  if (ns > std::numeric_limits<std::int64_t>::max() || ns < std::numeric_limits<std::int64_t>::min())
    return std::nullopt;
  return static_cast<std::int64_t>(ns);
}

CsvTimeFormat detect(const std::string& cell) {
  if (cell.find_first_of(":T", 0) != std::string::npos || cell.find('-', 1) != std::string::npos) {
    return CsvTimeFormat::iso8601;
  }
  const std::size_t digits = static_cast<std::size_t>(
      std::count_if(cell.begin(), cell.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }));
  if (cell.find('.') == std::string::npos && digits >= 15) return CsvTimeFormat::nanoseconds;
  return CsvTimeFormat::seconds;
}

std::optional<std::int64_t> parse_time(const std::string& cell, CsvTimeFormat f) {
  switch (f) {
    case CsvTimeFormat::iso8601:
      return parse_iso8601(cell);
    case CsvTimeFormat::seconds:
      return epoch_number(cell, 1'000'000'000);
    case CsvTimeFormat::milliseconds:
      return epoch_number(cell, 1'000'000);
    case CsvTimeFormat::microseconds:
      return epoch_number(cell, 1'000);
    case CsvTimeFormat::nanoseconds:
      return epoch_number(cell, 1);
    case CsvTimeFormat::automatic:
      break;
  }
  return std::nullopt;
}

const char* format_name(CsvTimeFormat f) {
  switch (f) {
    case CsvTimeFormat::iso8601:
      return "ISO-8601";
    case CsvTimeFormat::seconds:
      return "epoch seconds";
    case CsvTimeFormat::milliseconds:
      return "epoch milliseconds";
    case CsvTimeFormat::microseconds:
      return "epoch microseconds";
    case CsvTimeFormat::nanoseconds:
      return "epoch nanoseconds";
    case CsvTimeFormat::automatic:
      break;
  }
  return "automatic";
}

}  // namespace

CsvTimeFormat parse_csv_time_format(const std::string& t) {
  if (t == "auto") return CsvTimeFormat::automatic;
  if (t == "iso") return CsvTimeFormat::iso8601;
  if (t == "s") return CsvTimeFormat::seconds;
  if (t == "ms") return CsvTimeFormat::milliseconds;
  if (t == "us") return CsvTimeFormat::microseconds;
  if (t == "ns") return CsvTimeFormat::nanoseconds;
  throw ConfigError("--csv-time-format '" + t + "': expected auto, iso, s, ms, us or ns");
}

ImportedFile read_csv(const std::string& path, const CsvOptions& options) {
  std::ifstream in(path, std::ios::binary);
  std::error_code ec;
  if (!in || !std::filesystem::is_regular_file(path, ec)) throw IoError(path, "does not exist or cannot be read");
  std::string line;
  std::int64_t line_no = 0;
  // Header: the first line that is neither empty nor a comment.
  while (std::getline(in, line)) {
    ++line_no;
    if (!trim(line).empty() && trim(line)[0] != '#') break;
    line.clear();
  }
  if (trim(line).empty()) throw IoError(path, "is empty: a CSV file needs a header row");
  if (line.size() >= 3 && line.compare(0, 3, "\xef\xbb\xbf") == 0) line.erase(0, 3);  // UTF-8 byte-order mark
  const char delim = [&] {
    const auto commas = std::count(line.begin(), line.end(), ','), semis = std::count(line.begin(), line.end(), ';'),
               tabs = std::count(line.begin(), line.end(), '\t');
    return tabs > commas && tabs > semis ? '\t' : semis > commas ? ';' : ',';
  }();
  const std::vector<std::string> header = split(line, delim);
  if (header.size() < 2)
    throw IoError(path,
                  "line " + std::to_string(line_no) + ": the header needs a time column and at least one value column");

  std::size_t time_col = 0;
  if (!options.time_column.empty()) {
    const auto it = std::find_if(header.begin(), header.end(), [&](const std::string& h) {
      return h == options.time_column || name_and_unit(h).first == options.time_column;
    });
    if (it == header.end())
      throw ConfigError(path + ": no column named '" + options.time_column + "' (--csv-time-column)");
    time_col = static_cast<std::size_t>(it - header.begin());
  }
  const std::string prefix = options.prefix.empty() ? file_stem(path) : options.prefix;
  ImportedFile out;
  out.path = path;
  out.format = "csv";
  std::vector<std::size_t> cols;
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (c == time_col) continue;
    const auto [name, unit] = name_and_unit(header[c]);
    if (!options.columns.empty() &&
        std::find(options.columns.begin(), options.columns.end(), name) == options.columns.end()) {
      continue;
    }
    if (name.empty())
      throw IoError(path, "line " + std::to_string(line_no) + ": column " + std::to_string(c + 1) + " has no name");
    ImportedSignal sig;
    sig.spec.name = fit(clean_text(prefix + "/" + name), kMaxNameBytes);
    sig.spec.unit = fit(clean_text(unit.empty() ? options.unit : unit), kMaxUnitBytes);
    sig.spec.type = codec::SampleType::float64;
    sig.spec.rate_nhz = options.rate_nhz;
    sig.spec.attributes = {{"source_format", "CSV"},
                           {"source_file", fit(std::filesystem::path(path).filename().string(), kMaxAttrValueBytes)},
                           {"column", fit(clean_text(header[c]), kMaxAttrValueBytes)}};
    sig.series.type = codec::SampleType::float64;
    cols.push_back(c);
    out.signals.push_back(std::move(sig));
  }
  for (const auto& wanted : options.columns) {
    if (std::none_of(out.signals.begin(), out.signals.end(), [&](const ImportedSignal& s) {
          return s.spec.name == fit(clean_text(prefix + "/" + wanted), kMaxNameBytes);
        })) {
      throw ConfigError(path + ": no column named '" + wanted + "' (--csv-columns)");
    }
  }

  CsvTimeFormat format = options.time_format;
  std::int64_t rows = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const std::vector<std::string> cells = split(line, delim);
    const std::string where = "line " + std::to_string(line_no);
    if (cells.size() != header.size()) {
      throw IoError(path, where + ": " + std::to_string(cells.size()) + " fields, the header has " +
                              std::to_string(header.size()));
    }
    const std::string& tc = cells[time_col];
    if (format == CsvTimeFormat::automatic) format = detect(tc);
    const auto time = parse_time(tc, format);
    if (!time) throw IoError(path, where + ": time '" + tc + "' is not " + format_name(format));
    for (std::size_t k = 0; k < cols.size(); ++k) {
      const std::string& cell = cells[cols[k]];
      if (cell.empty()) {
        ++out.signals[k].missing;
        continue;
      }
      errno = 0;
      char* end = nullptr;
      const double v = std::strtod(cell.c_str(), &end);
      if (end != cell.c_str() + cell.size() || errno == ERANGE) {
        throw IoError(path, where + ": '" + cell + "' in column '" + header[cols[k]] + "' is not a number");
      }
      out.signals[k].series.push<double>(v);
      out.signals[k].series.times.push_back(*time);
    }
    ++rows;
  }
  if (in.bad()) throw IoError(path, "read error");
  if (rows == 0) throw IoError(path, "has a header but no data rows");
  return out;
}

}  // namespace tsweep::store::import
