#include "detail/layout.hpp"

#include <array>
#include <cstdio>

#include "detail/rows.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/version.hpp"
#include "tsweep/store/format.hpp"

namespace tsweep::store::detail {
namespace {

h5::Handle make_dataset(hid_t parent, const char* name, hid_t file_type, hsize_t chunk, const std::string& path,
                        const char* description) {
  const hsize_t zero = 0, unlimited = H5S_UNLIMITED;
  h5::Handle space(H5Screate_simple(1, &zero, &unlimited), path, "creating a dataspace");
  h5::Handle dcpl(H5Pcreate(H5P_DATASET_CREATE), path, "creating a dataset property list");
  h5::check(H5Pset_chunk(dcpl.get(), 1, &chunk), path, "setting the chunk size");
  // Rows are always written before they are read: filling them first is wasted I/O.
  h5::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), path, "setting the fill time");
  h5::Handle dset(H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl.get(), H5P_DEFAULT), path,
                  std::string("creating ") + name);
  write_string_attribute(dset.get(), "description", description, path);
  return dset;
}

h5::Handle open_dataset(hid_t file, const char* name, const std::string& path) {
  return h5::Handle(H5Dopen2(file, name, H5P_DEFAULT), path,
                    std::string("is not a complete tsweep store: ") + name + " is missing");
}

// A table of a version-2 store has the row_checksum field, one of version 1
// has not; the index of a version-3 store also has the summary fields.
void check_field(hid_t type, const char* name, const char* field, bool wanted, int version, const std::string& path) {
  const bool has = H5Tget_class(type) == H5T_COMPOUND && H5Tget_member_index(type, field) >= 0;
  H5Eclear2(H5E_DEFAULT);
  if (has != wanted) {
    throw IoError(path, std::string(name) + (has ? " has" : " lacks") + " the " + field +
                            " field, which a store of format version " + std::to_string(version) +
                            (has ? " does not have" : " has") + " (damaged or foreign file)");
  }
}

void check_fields(hid_t dataset, const char* name, int version, const std::string& path) {
  h5::Handle type(H5Dget_type(dataset), path, std::string("reading the type of ") + name);
  check_field(type.get(), name, kRowChecksumField, version >= 2, version, path);
  if (std::string(name) == paths::index) check_field(type.get(), name, kSummaryField, version >= 3, version, path);
}

}  // namespace

hid_t small_buffer_dxpl() {
  // HDF5 allocates (and zeroes) its type-conversion buffers at this size on every
  // converting read: the 1 MiB default makes a one-row probe cost a megabyte of memset.
  static const hid_t dxpl = [] {
    const hid_t id = H5Pcreate(H5P_DATASET_XFER);
    H5Pset_buffer(id, std::size_t{64} << 10, nullptr, nullptr);
    return id;
  }();
  return dxpl;
}

h5::Handle serial_fapl(const std::string& path) {
  h5::init_library();
  h5::Handle fapl(H5Pcreate(H5P_FILE_ACCESS), path, "creating a file access property list");
  h5::check(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), path, "choosing the file format");
  h5::check(H5Pset_fapl_sec2(fapl.get()), path, "choosing the sec2 driver");
  return fapl;
}

void create_layout(StoreObjects& o, const std::string& path, const std::string& uuid, hsize_t data_chunk_bytes) {
  const auto& t = row_types();
  const hid_t f = o.file.get();
  o.version = kFormatVersion;
  write_string_attribute(f, "tsweep_format", kFormatName, path);
  write_int_attribute(f, "tsweep_format_version", kFormatVersion, path);
  write_string_attribute(f, "store_uuid", uuid, path);
  write_string_attribute(f, "created_by", std::string("tsweep ") + version(), path);
  write_string_attribute(f, "layout",
                         "streams table, per-stream attribute rows, block index (the commit record), runs of "
                         "index rows per stream, encoded block bytes; see tsweep's src/store/FORMAT.md",
                         path);
  h5::Handle blocks(H5Gcreate2(f, paths::blocks, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), path, "creating /blocks");
  o.streams = make_dataset(f, paths::streams, t.stream_file, kStreamChunkRows, path,
                           "one row per stream; block_count..last_run summarise its committed blocks");
  o.attrs = make_dataset(f, paths::stream_attrs, t.attr_file, kAttrChunkRows, path,
                         "free key/value attributes; stream's rows are [attr_begin, attr_begin+attr_count)");
  o.index = make_dataset(f, paths::index, t.block_file, kIndexChunkRows, path,
                         "one row per encoded block; the commit record: a row is written after its bytes");
  o.runs = make_dataset(f, paths::runs, t.run_file, kRunChunkRows, path,
                        "ranges of consecutive index rows of one stream ordered by time; linked by prev_run");
  o.data = make_dataset(f, paths::data, H5T_STD_U8LE, data_chunk_bytes, path,
                        "encoded blocks back to back (tsweep codec format)");
}

void open_layout(StoreObjects& o, const std::string& path, std::size_t data_cache_bytes) {
  const hid_t f = o.file.get();
  const std::string format = read_string_attribute(f, "tsweep_format");
  if (format != kFormatName) {
    throw IoError(path, format.empty() ? "is not a tsweep store (no tsweep_format attribute)"
                                       : "is a tsweep '" + format + "' file, not a store");
  }
  std::int64_t version = -1;
  if (H5Aexists(f, "tsweep_format_version") > 0) {
    h5::Handle a(H5Aopen(f, "tsweep_format_version", H5P_DEFAULT), path, "opening tsweep_format_version");
    h5::check(H5Aread(a.get(), H5T_NATIVE_INT64, &version), path, "reading tsweep_format_version");
  }
  if (version < kOldestFormatVersion || version > kFormatVersion) {
    throw IoError(path, "store format version " + std::to_string(version) + " is not supported (this tsweep reads " +
                            std::to_string(kOldestFormatVersion) + " to " + std::to_string(kFormatVersion) + ")");
  }
  o.version = static_cast<int>(version);
  o.streams = open_dataset(f, paths::streams, path);
  o.attrs = open_dataset(f, paths::stream_attrs, path);
  o.index = open_dataset(f, paths::index, path);
  o.runs = open_dataset(f, paths::runs, path);
  check_fields(o.streams.get(), paths::streams, o.version, path);
  check_fields(o.attrs.get(), paths::stream_attrs, o.version, path);
  check_fields(o.index.get(), paths::index, o.version, path);
  check_fields(o.runs.get(), paths::runs, o.version, path);
  h5::Handle dapl(H5Pcreate(H5P_DATASET_ACCESS), path, "creating a dataset access property list");
  h5::check(H5Pset_chunk_cache(dapl.get(), data_cache_bytes > 0 ? 521 : 0, data_cache_bytes, 1.0), path,
            "sizing the chunk cache");
  o.data = h5::Handle(H5Dopen2(f, paths::data, dapl.get()), path,
                      "is not a complete tsweep store: /blocks/data is missing");
}

std::string read_uuid(hid_t file, const std::string& path) {
  std::string uuid = read_string_attribute(file, "store_uuid");
  if (uuid.empty()) throw IoError(path, "store has no store_uuid attribute");
  return uuid;
}

std::int64_t extent(hid_t dataset, const std::string& path) {
  h5::Handle space(H5Dget_space(dataset), path, "reading a dataset's extent");
  hsize_t n = 0;
  if (H5Sget_simple_extent_dims(space.get(), &n, nullptr) != 1) throw IoError(path, "a store table is not 1-D");
  return static_cast<std::int64_t>(n);
}

void set_extent(hid_t dataset, std::int64_t rows, const std::string& path) {
  const hsize_t n = static_cast<hsize_t>(rows);
  h5::check(H5Dset_extent(dataset, &n), path, "extending a store table");
}

void read_rows(hid_t dataset, hid_t mem, std::int64_t first, std::int64_t count, void* out, const std::string& path,
               hid_t dxpl) {
  h5::Handle fspace(H5Dget_space(dataset), path, "reading rows");
  const hsize_t start = static_cast<hsize_t>(first), n = static_cast<hsize_t>(count);
  h5::Handle mspace(H5Screate_simple(1, &n, nullptr), path, "reading rows");
  if (count == 0) {
    h5::check(H5Sselect_none(fspace.get()), path, "selecting rows");
    h5::check(H5Sselect_none(mspace.get()), path, "selecting rows");
  } else {
    h5::check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr), path,
              "selecting rows " + std::to_string(first) + "+" + std::to_string(count));
  }
  if (dxpl == H5P_DEFAULT) dxpl = small_buffer_dxpl();
  h5::check(H5Dread(dataset, mem, mspace.get(), fspace.get(), dxpl, out), path,
            "reading rows " + std::to_string(first) + "+" + std::to_string(count));
}

void write_rows(hid_t dataset, hid_t mem, std::int64_t first, std::int64_t count, const void* in,
                const std::string& path, hid_t dxpl) {
  h5::Handle fspace(H5Dget_space(dataset), path, "writing rows");
  const hsize_t start = static_cast<hsize_t>(first), n = static_cast<hsize_t>(count ? count : 1);
  h5::Handle mspace(H5Screate_simple(1, &n, nullptr), path, "writing rows");
  if (count == 0) {
    h5::check(H5Sselect_none(fspace.get()), path, "selecting rows");
    h5::check(H5Sselect_none(mspace.get()), path, "selecting rows");
  } else {
    h5::check(H5Sselect_hyperslab(fspace.get(), H5S_SELECT_SET, &start, nullptr, &n, nullptr), path, "selecting rows");
  }
  if (dxpl == H5P_DEFAULT) dxpl = small_buffer_dxpl();
  h5::check(H5Dwrite(dataset, mem, mspace.get(), fspace.get(), dxpl, in), path,
            "writing rows " + std::to_string(first) + "+" + std::to_string(count));
}

void write_rows_at(hid_t dataset, hid_t mem, const std::vector<hsize_t>& rows, const void* in,
                   const std::string& path) {
  if (rows.empty()) return;
  h5::Handle fspace(H5Dget_space(dataset), path, "writing rows");
  h5::check(H5Sselect_elements(fspace.get(), H5S_SELECT_SET, rows.size(), rows.data()), path, "selecting rows");
  const hsize_t n = rows.size();
  h5::Handle mspace(H5Screate_simple(1, &n, nullptr), path, "writing rows");
  h5::check(H5Dwrite(dataset, mem, mspace.get(), fspace.get(), small_buffer_dxpl(), in), path, "updating rows");
}

void write_string_attribute(hid_t object, const char* name, const std::string& value, const std::string& path) {
  h5::Handle type(H5Tcopy(H5T_C_S1), path, "creating a string type");
  h5::check(H5Tset_size(type.get(), value.empty() ? 1 : value.size()), path, "sizing a string type");
  h5::check(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, "setting a string's character set");
  h5::check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), path, "setting a string's padding");
  h5::Handle space(H5Screate(H5S_SCALAR), path, "creating a dataspace");
  h5::Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                  std::string("creating attribute ") + name);
  const std::string padded = value.empty() ? std::string(1, '\0') : value;
  h5::check(H5Awrite(attr.get(), type.get(), padded.data()), path, std::string("writing attribute ") + name);
}

void write_int_attribute(hid_t object, const char* name, std::int64_t value, const std::string& path) {
  h5::Handle space(H5Screate(H5S_SCALAR), path, "creating a dataspace");
  h5::Handle attr(H5Acreate2(object, name, H5T_STD_I64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                  std::string("creating attribute ") + name);
  h5::check(H5Awrite(attr.get(), H5T_NATIVE_INT64, &value), path, std::string("writing attribute ") + name);
}

std::string read_string_attribute(hid_t object, const char* name) {
  if (H5Aexists(object, name) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    return {};
  }
  const h5::Handle attr = h5::Handle::adopt(H5Aopen(object, name, H5P_DEFAULT));
  if (!attr) return {};
  const h5::Handle type = h5::Handle::adopt(H5Aget_type(attr.get()));
  if (!type || H5Tget_class(type.get()) != H5T_STRING) return {};
  const h5::Handle space = h5::Handle::adopt(H5Aget_space(attr.get()));
  if (!space || H5Sget_simple_extent_npoints(space.get()) != 1) return {};
  if (H5Tis_variable_str(type.get()) > 0) {
    const h5::Handle mem = h5::Handle::adopt(H5Tcopy(H5T_C_S1));
    H5Tset_size(mem.get(), H5T_VARIABLE);
    H5Tset_cset(mem.get(), H5Tget_cset(type.get()));
    char* text = nullptr;
    if (H5Aread(attr.get(), mem.get(), &text) < 0 || !text) return {};
    std::string value(text);
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string value(size, '\0');
  const h5::Handle mem = h5::Handle::adopt(H5Tcopy(type.get()));
  if (H5Aread(attr.get(), mem.get(), value.data()) < 0) return {};
  value.resize(value.find('\0') == std::string::npos ? size : value.find('\0'));
  return value;
}

}  // namespace tsweep::store::detail
