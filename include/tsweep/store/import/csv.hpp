#pragma once
/// \file
/// CSV files: a header row, one time column and one or more value columns,
/// one irregular float64 stream per value column. Pure C++: no HDF5.
///
/// Times are ISO-8601 text (no zone: UTC), or epoch numbers. In automatic
/// mode, text with '-', ':' or 'T' is ISO-8601, integers of 15 or more digits
/// are epoch nanoseconds and other numbers epoch seconds (with decimals,
/// read exactly). Empty cells are missing samples (left out); "nan" is NaN.
/// A header cell "name [unit]" or "name (unit)" gives the column's unit.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

enum class CsvTimeFormat { automatic, iso8601, seconds, milliseconds, microseconds, nanoseconds };

struct CsvOptions {
  std::string prefix;       ///< names are prefix/column; empty: the file's stem
  std::string time_column;  ///< header name; empty: the first column
  CsvTimeFormat time_format = CsvTimeFormat::automatic;
  std::vector<std::string> columns;  ///< value columns to keep; empty: all others
  std::int64_t rate_nhz = 0;         ///< nominal rate recorded for every stream (0: irregular)
  std::string unit;                  ///< unit for columns whose header gives none
};

/// Parses "iso", "s", "ms", "us", "ns" or "auto"; ConfigError otherwise.
CsvTimeFormat parse_csv_time_format(const std::string& text);

/// Throws IoError naming the file and line for a malformed file.
ImportedFile read_csv(const std::string& path, const CsvOptions& options = {});

}  // namespace tsweep::store::import
