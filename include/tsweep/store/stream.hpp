#pragma once
/// \file
/// What the store says about its streams and blocks, independent of HDF5:
/// the types the writers take and the readers return.

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "tsweep/codec/block.hpp"
#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/codec/summary.hpp"

namespace tsweep::store {

/// Longest stream name, unit, attribute key and attribute value (bytes, UTF-8).
/// Fixed-size fields keep the tables SWMR-appendable and readable as plain
/// NumPy structured arrays. See src/store/FORMAT.md.
inline constexpr std::size_t kMaxNameBytes = 127;
inline constexpr std::size_t kMaxUnitBytes = 31;
inline constexpr std::size_t kMaxAttrKeyBytes = 63;
inline constexpr std::size_t kMaxAttrValueBytes = 255;

/// The description of a stream, as given to a writer.
struct StreamSpec {
  std::string name;  ///< unique in the store, e.g. "bed07/ECG_II"
  std::string unit;  ///< physical unit, e.g. "mV"
  codec::SampleType type = codec::SampleType::int16;
  double scale = 1.0;  ///< physical = raw * scale + offset
  double offset = 0.0;
  std::int64_t rate_nhz = 0;  ///< nominal rate in nanohertz; 0 = irregular
  /// Valid physical range; NaN where there is no bound.
  double valid_min = std::numeric_limits<double>::quiet_NaN();
  double valid_max = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::pair<std::string, std::string>> attributes;

  [[nodiscard]] bool has_valid_range() const noexcept { return !std::isnan(valid_min) || !std::isnan(valid_max); }
};

/// Validates a spec (lengths, finite scale, rate range, min <= max) and
/// throws ConfigError naming the stream and the field.
void validate(const StreamSpec& spec);

/// True when two specs describe the same signal: everything but attributes equal.
bool same_signal(const StreamSpec& a, const StreamSpec& b) noexcept;

/// The stream's valid range as raw values, for codec::summarize: inactive
/// (RawRange{}) when the stream has no valid range; a missing (NaN) bound is
/// an open end. Exactly the range the store's block summaries count
/// out_of_range against.
codec::RawRange valid_raw_range(codec::SampleType type, double scale, double offset, double valid_min,
                                double valid_max) noexcept;
codec::RawRange raw_range(const StreamSpec& spec) noexcept;

/// A stream as the store records it: its description plus what its committed
/// blocks add up to. Attributes are loaded on demand (Reader::attributes).
struct StreamInfo {
  std::int64_t id = 0;  ///< row in /streams, dense from 0
  std::string name;
  std::string unit;
  codec::SampleType type = codec::SampleType::int16;
  double scale = 1.0;
  double offset = 0.0;
  std::int64_t rate_nhz = 0;
  double valid_min = std::numeric_limits<double>::quiet_NaN();
  double valid_max = std::numeric_limits<double>::quiet_NaN();

  std::int64_t block_count = 0;
  std::int64_t sample_count = 0;
  std::int64_t first_ns = 0;  ///< earliest sample time (0 when the stream has no samples)
  std::int64_t last_ns = 0;   ///< latest sample time
  std::int64_t encoded_bytes = 0;
  std::int64_t run_count = 0;   ///< runs of index rows that hold the stream's blocks
  std::int64_t last_run = -1;   ///< row in /blocks/runs of the latest run, -1 when none
  std::int64_t attr_begin = 0;  ///< the stream's rows in /stream_attrs
  std::int64_t attr_count = 0;

  /// The spec the stream was created with (without attributes).
  [[nodiscard]] StreamSpec spec() const;
  /// Average encoded bits per sample (0 for an empty stream).
  [[nodiscard]] double bits_per_sample() const noexcept {
    return sample_count ? 8.0 * static_cast<double>(encoded_bytes) / static_cast<double>(sample_count) : 0.0;
  }
};

/// raw_range(spec) of a stream as stored.
codec::RawRange raw_range(const StreamInfo& stream) noexcept;

/// Why an index row cannot be trusted (see BlockRef::damage).
enum class RowDamage : std::uint8_t {
  none = 0,
  checksum,  ///< the row's own checksum fails (format version 2 on)
  stream,    ///< it names another stream than the run that holds it
  span,      ///< its times are reversed or lie outside its run's span
  count,     ///< no samples, or more than its run holds
  bytes,     ///< its bytes lie outside /blocks/data, or its length cannot be a block's
};
/// One line for reports: "fails its row checksum", ...
const char* row_damage_text(RowDamage damage) noexcept;

/// One block as the index records it: enough to fetch and check its bytes
/// without reading them first.
///
/// A block whose index row is damaged is still returned by Reader::blocks()
/// and Reader::block_before(), so that it is counted and flagged as corrupt:
/// `damage` says why, `count`, `offset`, `length` and `checksum` are 0 (there
/// is nothing to read), and `first_ns`/`last_ns` are the span the block must
/// lie in, from its neighbours in its run (the run's span if the run is not
/// sorted). Reader::index_rows() returns rows as read, with `damage` set only
/// for a failed row checksum.
///
/// From store format version 3 on, a sound index row carries the block's
/// summary (codec::Summary, raw units, out_of_range counted against the
/// stream's raw_range()): `has_summary` is then true. It is false for rows of
/// older stores and for damaged rows (whose fields are not relied on).
struct BlockRef {
  std::int64_t stream = 0;
  std::int64_t block = 0;      ///< row in /blocks/index: the block's number in reports
  std::int64_t first_ns = 0;   ///< earliest sample time in the block
  std::int64_t last_ns = 0;    ///< latest sample time in the block
  std::uint32_t count = 0;     ///< samples
  std::uint64_t offset = 0;    ///< first byte in /blocks/data
  std::uint32_t length = 0;    ///< encoded bytes
  std::uint64_t checksum = 0;  ///< the checksum the block's header carries (XXH3-64)
  codec::TimeEncoding time_encoding = codec::TimeEncoding::regular;
  codec::ValueEncoding value_encoding = codec::ValueEncoding::plain;
  RowDamage damage = RowDamage::none;
  /// Format 3 on: the summary of the block's samples (raw units), from its
  /// index row and covered by the row's checksum. Absent in older stores.
  bool has_summary = false;
  codec::Summary summary;  ///< when has_summary; summary.count == count

  /// True when the block holds a sample in [t0, t1).
  [[nodiscard]] bool overlaps(std::int64_t t0, std::int64_t t1) const noexcept {
    return last_ns >= t0 && first_ns < t1;
  }
};

/// Checks a block's index row and its header (`bytes`, before decoding)
/// against each other and against the stream's sample type, so that a block
/// of another type or size is never decoded into a buffer sized from the row.
/// Throws CodecError saying what is wrong: the row is damaged, the header
/// holds another type, another count or another time encoding.
void check_before_decode(const BlockRef& ref, Span<const std::byte> bytes, codec::SampleType type);
/// After decoding: a row that is sound by itself but wrong (length, first or
/// last time, checksum) against the decoded header. Throws CodecError naming
/// the field with both values.
void check_decoded(const codec::BlockInfo& info, const BlockRef& ref);

/// What identifies the contents of a store, for results to record.
struct StoreIdentity {
  std::string uuid;  ///< made once, when the store is created
  int format_version = 0;
  std::int64_t blocks = 0;  ///< committed blocks (sum over streams)
  std::int64_t streams = 0;
  std::int64_t samples = 0;
};

}  // namespace tsweep::store
