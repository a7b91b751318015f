#pragma once
/// \file
/// What `tsweep inspect` shows: a store's streams as a table or JSON, and
/// optionally the raw values of every stream (decoded), for checks against
/// known facts of imported files.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/store/reader.hpp"

namespace tsweep::store {

/// Raw-value statistics of one stream, from decoding all its blocks.
struct RawStats {
  std::int64_t count = 0;
  double min = 0;  ///< of the non-NaN raw values
  double max = 0;
  /// Sum of raw values: exact for integer streams (int64 arithmetic), in
  /// double for float streams (NaNs excluded).
  std::int64_t integer_sum = 0;
  double sum = 0;
  std::int64_t nan_count = 0;
  std::int64_t bad_blocks = 0;  ///< blocks that failed to decode (not counted above)
};

/// Rank-local: decodes every committed block of `stream` (on `threads` threads).
RawStats raw_stats(const Reader& reader, std::int64_t stream, int threads = 1);

struct DescribeOptions {
  bool attributes = false;  ///< JSON: include each stream's attributes
  bool stats = false;       ///< decode everything and add RawStats
  int threads = 1;
  std::vector<std::string> globs;  ///< only streams whose names match one (empty: all)
};

/// `tsweep inspect` as text lines (header, then one line per stream).
std::vector<std::string> describe_table(const Reader& reader, const DescribeOptions& options = {});
/// `tsweep inspect --json`.
std::string describe_json(const Reader& reader, const DescribeOptions& options = {});

}  // namespace tsweep::store
