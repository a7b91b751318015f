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

#include <hdf5.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "tsweep/store/h5.hpp"
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

/// One row of /blocks/index.
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

/// The name of the checksum field in every table of a version-2 store.
inline constexpr const char* kRowChecksumField = "row_checksum";

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
  row.row_checksum = row_checksum_of(&row, checksummed_bytes<Row>());
}
template <class Row>
void seal(Row* rows, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) seal(rows[i]);
}
/// True when a row's checksum matches its other bytes.
template <class Row>
[[nodiscard]] bool sealed(const Row& row) noexcept {
  const std::uint64_t stored = row.row_checksum;
  return stored == row_checksum_of(&row, checksummed_bytes<Row>());
}

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
BlockRef to_ref(const BlockRow& row, std::int64_t block);

/// Copies `text` into a fixed field, zero-filled; throws ConfigError naming `what` if it does not fit.
void copy_field(char* field, std::size_t size, const std::string& text, const std::string& what);
/// The text of a fixed field (up to the first NUL).
std::string field_text(const char* field, std::size_t size);

}  // namespace tsweep::store::detail
