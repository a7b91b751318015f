#pragma once
// The objects of a store file: creating them, opening them, and the small
// row-range reads and writes every reader and writer is made of.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/h5/h5.hpp"

namespace tsweep::store::detail {

/// Chunk sizes of the tables, in rows, and of /blocks/data in bytes.
inline constexpr hsize_t kStreamChunkRows = 64;
inline constexpr hsize_t kAttrChunkRows = 256;
inline constexpr hsize_t kIndexChunkRows = 4096;
inline constexpr hsize_t kRunChunkRows = 1024;
inline constexpr hsize_t kDefaultDataChunkBytes = hsize_t{1} << 20;

/// Open handles of every object of a store.
struct StoreObjects {
  h5::Handle file;
  h5::Handle streams;
  h5::Handle attrs;
  h5::Handle index;
  h5::Handle runs;
  h5::Handle data;
  int version = 0;  ///< tsweep_format_version of the file
  /// Rows carry row_checksum (version 2 on): readers check it, writers set it.
  [[nodiscard]] bool row_checksums() const noexcept { return version >= 2; }
  /// Index rows carry the block's summary (version 3 on).
  [[nodiscard]] bool summaries() const noexcept { return version >= 3; }
};

/// A file access property list with the latest file format (needed for SWMR)
/// and the sec2 driver.
h5::Handle serial_fapl(const std::string& path);

/// Creates groups, tables and root attributes of a new, empty store in `file`.
/// Collective when `file` was opened with the MPI-IO driver.
void create_layout(StoreObjects& objects, const std::string& path, const std::string& uuid, hsize_t data_chunk_bytes);

/// Checks the root attributes (IoError naming the path if this is not a store
/// of a version we read), opens every object and checks that the tables'
/// fields are those of the version. `data_cache_bytes` sizes the
/// chunk cache of /blocks/data (0: HDF5's default).
void open_layout(StoreObjects& objects, const std::string& path, std::size_t data_cache_bytes);

/// The root attributes.
std::string read_uuid(hid_t file, const std::string& path);

/// Rows (elements) of a 1-D dataset as the reader's or writer's view has them.
std::int64_t extent(hid_t dataset, const std::string& path);
/// Grows (or shrinks) a 1-D dataset. Collective under MPI-IO.
void set_extent(hid_t dataset, std::int64_t rows, const std::string& path);

/// A transfer property list with a small type-conversion buffer (made once).
hid_t small_buffer_dxpl();

/// Reads rows [first, first + count) of a 1-D dataset into `out` (memory type `mem`).
void read_rows(hid_t dataset, hid_t mem, std::int64_t first, std::int64_t count, void* out, const std::string& path,
               hid_t dxpl = H5P_DEFAULT);
/// Writes rows [first, first + count). With count 0 the call selects nothing
/// (so a rank with nothing to write still takes part in a collective write).
void write_rows(hid_t dataset, hid_t mem, std::int64_t first, std::int64_t count, const void* in,
                const std::string& path, hid_t dxpl = H5P_DEFAULT);
/// Writes the listed rows (any order, no duplicates) from `in`, packed in that order.
void write_rows_at(hid_t dataset, hid_t mem, const std::vector<hsize_t>& rows, const void* in, const std::string& path);

void write_string_attribute(hid_t object, const char* name, const std::string& value, const std::string& path);
void write_int_attribute(hid_t object, const char* name, std::int64_t value, const std::string& path);
/// nullopt-like empty string when the attribute is absent or not a string.
std::string read_string_attribute(hid_t object, const char* name);

}  // namespace tsweep::store::detail
