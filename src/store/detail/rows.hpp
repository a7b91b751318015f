#pragma once
// The on-disk rows of the store's tables (src/store/FORMAT.md) and their
// HDF5 types. Rows are packed, in memory as in the file: h5py sees no padding
// fields, and reads and writes need no type conversion (which would also turn
// collective MPI-IO transfers into independent ones). Copy members out before
// taking their address: they may be misaligned.
//
// Every row ends with `row_checksum`, the XXH3-64 of the row's other bytes as
// stored (format version 2): a reader checks it before it relies on a field.
// Version-1 stores have no such field; HDF5 converts rows by field name, so
// the same memory types read and append to them (the checksum is then 0 and
// never checked).
//
// Index rows of format version 3 carry the block's summary (codec::Summary)
// between `checksum` and `row_checksum`. A version-2 index row is the first
// kIndexRowBytesV2 bytes of a version-3 one followed by its checksum, so the
// same memory type reads and appends to version-2 stores too (HDF5 drops or
// leaves alone the summary fields); only the bytes the checksum covers depend
// on the version (seal(BlockRow&, int), sealed(const BlockRow&, int)).

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>

#include "tsweep/codec/summary.hpp"
#include "tsweep/h5/h5.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::store::detail {

inline constexpr std::size_t kNameField = kMaxNameBytes + 1;
inline constexpr std::size_t kUnitField = kMaxUnitBytes + 1;
inline constexpr std::size_t kKeyField = kMaxAttrKeyBytes + 1;
inline constexpr std::size_t kValueField = kMaxAttrValueBytes + 1;

#pragma pack(push, 1)

/// One row of /streams. `gen` and `gen_check` bracket the row: a writer sets
/// both to the same new value at every update, so a reader that sees them
/// differ has read a row while it was being rewritten and reads again.
struct StreamRow {
  std::int64_t id;
  std::int64_t gen;
  char name[kNameField];
  char unit[kUnitField];
  std::uint8_t sample_type;
  double scale;
  double offset;
  std::int64_t rate_nhz;
  double valid_min;
  double valid_max;
  std::int64_t block_count;
  std::int64_t sample_count;
  std::int64_t first_ns;
  std::int64_t last_ns;
  std::int64_t encoded_bytes;
  std::int64_t run_count;
  std::int64_t last_run;
  std::int64_t attr_begin;
  std::int64_t attr_count;
  std::int64_t gen_check;
  std::uint64_t row_checksum;
};

/// One row of /stream_attrs.
struct AttrRow {
  std::int64_t stream;
  char key[kKeyField];
  char value[kValueField];
  std::uint64_t row_checksum;
};

/// One row of /blocks/index (format version 3: with the block's summary).
struct BlockRow {
  std::uint32_t stream;
  std::uint32_t count;
  std::int64_t first_ns;
  std::int64_t last_ns;
  std::uint64_t offset;
  std::uint32_t length;
  std::uint8_t time_encoding;
  std::uint8_t value_encoding;
  std::uint64_t checksum;  ///< the block's own checksum, as its header carries it
  // The block's codec::Summary in raw units (count is `count` above); version 3 on.
  std::int64_t nan_count;
  std::int64_t out_of_range;
  std::int64_t longest_flat;
  std::int64_t head_flat;
  std::int64_t tail_flat;
  std::int64_t first;
  std::int64_t last;
  std::int64_t min;
  std::int64_t max;
  std::uint64_t sum_lo;
  std::uint64_t sum_hi;
  std::uint64_t squares0;
  std::uint64_t squares1;
  std::uint64_t squares2;
  std::uint64_t row_checksum;
};

/// Flags of a run.
inline constexpr std::uint32_t kRunSorted = 1;  ///< first_ns and last_ns both non-decreasing over the run's rows

/// One row of /blocks/runs: a range of consecutive index rows of one stream,
/// ordered by first_ns, written by one commit.
struct RunRow {
  std::int64_t stream;
  std::int64_t prev_run;     ///< the stream's previous run, -1 for its first
  std::int64_t index_begin;  ///< first row in /blocks/index
  std::int64_t block_count;
  std::int64_t first_ns;
  std::int64_t last_ns;
  std::int64_t sample_count;
  std::int64_t encoded_bytes;
  std::uint32_t flags;
  std::uint64_t row_checksum;
};

#pragma pack(pop)

/// Bytes of a version-2 index row before its row_checksum: the fields up to
/// `checksum`, which version 3 keeps where they were.
inline constexpr std::size_t kIndexRowBytesV2 = offsetof(BlockRow, nan_count);
static_assert(kIndexRowBytesV2 == 46, "a version-2 index row is 54 bytes");
static_assert(sizeof(BlockRow) == 166, "a version-3 index row is 166 bytes");

/// The name of the checksum field in every table of a version-2 store.
inline constexpr const char* kRowChecksumField = "row_checksum";
/// A field that only the index rows of a version-3 store have.
inline constexpr const char* kSummaryField = "longest_flat";

/// XXH3-64 of the bytes of a row before its checksum field.
std::uint64_t row_checksum_of(const void* row, std::size_t bytes_before_checksum) noexcept;

template <class Row>
constexpr std::size_t checksummed_bytes() noexcept {
  static_assert(offsetof(Row, row_checksum) + sizeof(std::uint64_t) == sizeof(Row), "row_checksum must be last");
  return offsetof(Row, row_checksum);
}

/// Sets a row's checksum from its other bytes (every writer, just before writing).
template <class Row>
void seal(Row& row) noexcept {
  static_assert(!std::is_same_v<Row, BlockRow>, "index rows depend on the store's version: seal(row, version)");
  row.row_checksum = row_checksum_of(&row, checksummed_bytes<Row>());
}
template <class Row>
void seal(Row* rows, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) seal(rows[i]);
}
/// True when a row's checksum matches its other bytes.
template <class Row>
[[nodiscard]] bool sealed(const Row& row) noexcept {
  static_assert(!std::is_same_v<Row, BlockRow>, "index rows depend on the store's version: sealed(row, version)");
  const std::uint64_t stored = row.row_checksum;
  return stored == row_checksum_of(&row, checksummed_bytes<Row>());
}

/// Bytes of an index row that its checksum covers in a store of `version`
/// (>= 2): without the summary fields in version 2.
constexpr std::size_t index_checksummed_bytes(int version) noexcept {
  return version >= 3 ? checksummed_bytes<BlockRow>() : kIndexRowBytesV2;
}
/// Index rows: seal and check as the store's version lays them out.
inline void seal(BlockRow& row, int version) noexcept {
  row.row_checksum = row_checksum_of(&row, index_checksummed_bytes(version));
}
inline void seal(BlockRow* rows, std::size_t n, int version) noexcept {
  for (std::size_t i = 0; i < n; ++i) seal(rows[i], version);
}
[[nodiscard]] inline bool sealed(const BlockRow& row, int version) noexcept {
  const std::uint64_t stored = row.row_checksum;
  return stored == row_checksum_of(&row, index_checksummed_bytes(version));
}

/// Copies a block's summary into its index row (its count is the row's own).
void set_summary(BlockRow& row, const codec::Summary& summary) noexcept;
/// The summary an index row carries (version 3 on).
codec::Summary summary_of(const BlockRow& row) noexcept;

/// The HDF5 types of the rows, made once per process (never closed).
struct RowTypes {
  hid_t stream_mem, stream_file;
  hid_t attr_mem, attr_file;
  hid_t block_mem, block_file;
  hid_t run_mem, run_file;
};
const RowTypes& row_types();

/// StreamInfo <-> row. to_row returns a sealed row.
StreamInfo to_info(const StreamRow& row);
StreamRow to_row(const StreamInfo& info, std::int64_t gen);
/// `with_summary`: the row carries a summary (a store of version 3 on).
BlockRef to_ref(const BlockRow& row, std::int64_t block, bool with_summary);

/// Copies `text` into a fixed field, zero-filled; throws ConfigError naming `what` if it does not fit.
void copy_field(char* field, std::size_t size, const std::string& text, const std::string& what);
/// The text of a fixed field (up to the first NUL).
std::string field_text(const char* field, std::size_t size);

}  // namespace tsweep::store::detail
