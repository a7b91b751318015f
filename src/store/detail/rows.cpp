#include "detail/rows.hpp"

#include <xxhash.h>

#include <cstring>
#include <mutex>

#include "tsweep/core/error.hpp"

namespace tsweep::store::detail {
namespace {

hid_t string_type(std::size_t size) {
  const hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, size);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

// Enums make the codes self-describing in h5dump and h5py (h5py.check_enum_dtype).
hid_t sample_type_enum() {
  const hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
  for (std::uint8_t code = 1; code <= 5; ++code) {
    H5Tenum_insert(t, codec::sample_type_name(static_cast<codec::SampleType>(code)), &code);
  }
  return t;
}

hid_t time_encoding_enum() {
  const hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
  for (std::uint8_t code = 0; code <= 1; ++code) {
    H5Tenum_insert(t, codec::time_encoding_name(static_cast<codec::TimeEncoding>(code)), &code);
  }
  return t;
}

hid_t value_encoding_enum() {
  const hid_t t = H5Tenum_create(H5T_NATIVE_UINT8);
  for (std::uint8_t code = 0; code <= 3; ++code) {
    H5Tenum_insert(t, codec::value_encoding_name(static_cast<codec::ValueEncoding>(code)), &code);
  }
  return t;
}

hid_t packed(hid_t mem) {
  const hid_t t = H5Tcopy(mem);
  H5Tpack(t);
  return t;
}

#define TSWEEP_MEMBER(type_id, Row, field, member_type) H5Tinsert(type_id, #field, HOFFSET(Row, field), member_type)

RowTypes make_types() {
  RowTypes t{};
  const hid_t name = string_type(kNameField);
  const hid_t unit = string_type(kUnitField);
  const hid_t key = string_type(kKeyField);
  const hid_t value = string_type(kValueField);
  const hid_t stype = sample_type_enum();
  const hid_t tenc = time_encoding_enum();
  const hid_t venc = value_encoding_enum();
  const hid_t i64 = H5T_NATIVE_INT64;
  const hid_t f64 = H5T_NATIVE_DOUBLE;
  const hid_t u64 = H5T_NATIVE_UINT64;

  t.stream_mem = H5Tcreate(H5T_COMPOUND, sizeof(StreamRow));
  TSWEEP_MEMBER(t.stream_mem, StreamRow, id, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, gen, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, name, name);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, unit, unit);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, sample_type, stype);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, scale, f64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, offset, f64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, rate_nhz, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, valid_min, f64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, valid_max, f64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, block_count, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, sample_count, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, first_ns, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, last_ns, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, encoded_bytes, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, run_count, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, last_run, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, attr_begin, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, attr_count, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, gen_check, i64);
  TSWEEP_MEMBER(t.stream_mem, StreamRow, row_checksum, u64);
  t.stream_file = packed(t.stream_mem);

  t.attr_mem = H5Tcreate(H5T_COMPOUND, sizeof(AttrRow));
  TSWEEP_MEMBER(t.attr_mem, AttrRow, stream, i64);
  TSWEEP_MEMBER(t.attr_mem, AttrRow, key, key);
  TSWEEP_MEMBER(t.attr_mem, AttrRow, value, value);
  TSWEEP_MEMBER(t.attr_mem, AttrRow, row_checksum, u64);
  t.attr_file = packed(t.attr_mem);

  t.block_mem = H5Tcreate(H5T_COMPOUND, sizeof(BlockRow));
  TSWEEP_MEMBER(t.block_mem, BlockRow, stream, H5T_NATIVE_UINT32);
  TSWEEP_MEMBER(t.block_mem, BlockRow, count, H5T_NATIVE_UINT32);
  TSWEEP_MEMBER(t.block_mem, BlockRow, first_ns, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, last_ns, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, offset, H5T_NATIVE_UINT64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, length, H5T_NATIVE_UINT32);
  TSWEEP_MEMBER(t.block_mem, BlockRow, time_encoding, tenc);
  TSWEEP_MEMBER(t.block_mem, BlockRow, value_encoding, venc);
  TSWEEP_MEMBER(t.block_mem, BlockRow, checksum, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, nan_count, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, out_of_range, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, longest_flat, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, head_flat, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, tail_flat, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, first, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, last, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, min, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, max, i64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, sum_lo, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, sum_hi, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, squares0, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, squares1, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, squares2, u64);
  TSWEEP_MEMBER(t.block_mem, BlockRow, row_checksum, u64);
  t.block_file = packed(t.block_mem);

  t.run_mem = H5Tcreate(H5T_COMPOUND, sizeof(RunRow));
  TSWEEP_MEMBER(t.run_mem, RunRow, stream, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, prev_run, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, index_begin, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, block_count, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, first_ns, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, last_ns, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, sample_count, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, encoded_bytes, i64);
  TSWEEP_MEMBER(t.run_mem, RunRow, flags, H5T_NATIVE_UINT32);
  TSWEEP_MEMBER(t.run_mem, RunRow, row_checksum, u64);
  t.run_file = packed(t.run_mem);

  for (hid_t id : {name, unit, key, value, stype, tenc, venc}) H5Tclose(id);
  for (hid_t id :
       {t.stream_mem, t.stream_file, t.attr_mem, t.attr_file, t.block_mem, t.block_file, t.run_mem, t.run_file}) {
    if (id < 0) throw InternalError("building the store's HDF5 row types failed: " + h5::error_stack_text());
  }
  return t;
}
#undef TSWEEP_MEMBER

}  // namespace

const RowTypes& row_types() {
  // Built once and kept for the life of the process: H5close at exit frees them.
  static const RowTypes types = [] {
    h5::init_library();
    return make_types();
  }();
  return types;
}

std::uint64_t row_checksum_of(const void* row, std::size_t bytes_before_checksum) noexcept {
  return XXH3_64bits(row, bytes_before_checksum);
}

StreamInfo to_info(const StreamRow& row) {
  StreamInfo s;
  s.id = row.id;
  s.name = field_text(row.name, sizeof row.name);
  s.unit = field_text(row.unit, sizeof row.unit);
  s.type = static_cast<codec::SampleType>(row.sample_type);
  s.scale = row.scale;
  s.offset = row.offset;
  s.rate_nhz = row.rate_nhz;
  s.valid_min = row.valid_min;
  s.valid_max = row.valid_max;
  s.block_count = row.block_count;
  s.sample_count = row.sample_count;
  s.first_ns = row.first_ns;
  s.last_ns = row.last_ns;
  s.encoded_bytes = row.encoded_bytes;
  s.run_count = row.run_count;
  s.last_run = row.last_run;
  s.attr_begin = row.attr_begin;
  s.attr_count = row.attr_count;
  return s;
}

StreamRow to_row(const StreamInfo& s, std::int64_t gen) {
  StreamRow row;
  std::memset(&row, 0, sizeof row);
  row.id = s.id;
  row.gen = gen;
  copy_field(row.name, sizeof row.name, s.name, "stream name");
  copy_field(row.unit, sizeof row.unit, s.unit, "unit of stream '" + s.name + "'");
  row.sample_type = static_cast<std::uint8_t>(s.type);
  row.scale = s.scale;
  row.offset = s.offset;
  row.rate_nhz = s.rate_nhz;
  row.valid_min = s.valid_min;
  row.valid_max = s.valid_max;
  row.block_count = s.block_count;
  row.sample_count = s.sample_count;
  row.first_ns = s.first_ns;
  row.last_ns = s.last_ns;
  row.encoded_bytes = s.encoded_bytes;
  row.run_count = s.run_count;
  row.last_run = s.last_run;
  row.attr_begin = s.attr_begin;
  row.attr_count = s.attr_count;
  row.gen_check = gen;
  seal(row);
  return row;
}

void set_summary(BlockRow& row, const codec::Summary& s) noexcept {
  row.nan_count = s.nan_count;
  row.out_of_range = s.out_of_range;
  row.longest_flat = s.longest_flat;
  row.head_flat = s.head_flat;
  row.tail_flat = s.tail_flat;
  row.first = s.first;
  row.last = s.last;
  row.min = s.min;
  row.max = s.max;
  row.sum_lo = s.sum_lo;
  row.sum_hi = s.sum_hi;
  row.squares0 = s.squares.w[0];
  row.squares1 = s.squares.w[1];
  row.squares2 = s.squares.w[2];
}

codec::Summary summary_of(const BlockRow& row) noexcept {
  // Field by field: the packed row's members may be misaligned.
  codec::Summary s;
  s.count = row.count;
  s.nan_count = row.nan_count;
  s.out_of_range = row.out_of_range;
  s.longest_flat = row.longest_flat;
  s.head_flat = row.head_flat;
  s.tail_flat = row.tail_flat;
  s.first = row.first;
  s.last = row.last;
  s.min = row.min;
  s.max = row.max;
  s.sum_lo = row.sum_lo;
  s.sum_hi = row.sum_hi;
  s.squares.w[0] = row.squares0;
  s.squares.w[1] = row.squares1;
  s.squares.w[2] = row.squares2;
  return s;
}

BlockRef to_ref(const BlockRow& row, std::int64_t block, bool with_summary) {
  BlockRef r;
  r.stream = row.stream;
  r.block = block;
  r.first_ns = row.first_ns;
  r.last_ns = row.last_ns;
  r.count = row.count;
  r.offset = row.offset;
  r.length = row.length;
  r.checksum = row.checksum;
  r.time_encoding = static_cast<codec::TimeEncoding>(row.time_encoding);
  r.value_encoding = static_cast<codec::ValueEncoding>(row.value_encoding);
  if (with_summary) {
    r.has_summary = true;
    r.summary = summary_of(row);
  }
  return r;
}

void copy_field(char* field, std::size_t size, const std::string& text, const std::string& what) {
  if (text.size() >= size) {
    throw ConfigError(what + " '" + text + "' is " + std::to_string(text.size()) + " bytes long; at most " +
                      std::to_string(size - 1) + " fit");
  }
  std::memset(field, 0, size);
  std::memcpy(field, text.data(), text.size());
}

std::string field_text(const char* field, std::size_t size) {
  const void* nul = std::memchr(field, 0, size);
  return std::string(field, nul ? static_cast<const char*>(nul) - field : size);
}

}  // namespace tsweep::store::detail
