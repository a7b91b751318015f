#include "hdf5_io.hpp"

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "tsweep/core/error.hpp"

namespace tsweep::output::detail {

namespace {

h5::Handle plist(hid_t cls, const std::string& path) {
  return h5::Handle(H5Pcreate(cls), path, "H5Pcreate");
}

h5::Handle scalar_space(const std::string& path) {
  return h5::Handle(H5Screate(H5S_SCALAR), path, "H5Screate");
}

h5::Handle vlen_string_type(const std::string& path) {
  h5::Handle type(H5Tcopy(H5T_C_S1), path, "H5Tcopy");
  h5::check(H5Tset_size(type.get(), H5T_VARIABLE), path, "H5Tset_size");
  h5::check(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, "H5Tset_cset");
  return type;
}

template <class T>
void write_scalar(hid_t object, const char* name, hid_t file_type, hid_t mem_type, const T& value,
                  const std::string& path) {
  const auto space = scalar_space(path);
  const h5::Handle attr(H5Acreate2(object, name, file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                        std::string("creating attribute ") + name);
  h5::check(H5Awrite(attr.get(), mem_type, &value), path, std::string("writing attribute ") + name);
}

h5::Handle open_attribute(hid_t object, const char* name, const std::string& path) {
  if (!has_attribute(object, name, path)) throw IoError(path, std::string("attribute ") + name + " is missing");
  return h5::Handle(H5Aopen(object, name, H5P_DEFAULT), path, std::string("opening attribute ") + name);
}

template <class T>
T read_integer(hid_t object, const char* name, hid_t mem_type, const std::string& path) {
  const auto attr = open_attribute(object, name, path);
  const h5::Handle type(H5Aget_type(attr.get()), path, "H5Aget_type");
  if (H5Tget_class(type.get()) != H5T_INTEGER)
    throw IoError(path, std::string("attribute ") + name + " is not an integer");
  T value{};
  h5::check(H5Aread(attr.get(), mem_type, &value), path, std::string("reading attribute ") + name);
  return value;
}

}  // namespace

h5::Handle parallel_access(MPI_Comm comm, const std::string& path) {
  auto fapl = plist(H5P_FILE_ACCESS, path);
  h5::check(H5Pset_fapl_mpio(fapl.get(), comm, MPI_INFO_NULL), path, "H5Pset_fapl_mpio");
  h5::check(H5Pset_all_coll_metadata_ops(fapl.get(), true), path, "H5Pset_all_coll_metadata_ops");
  h5::check(H5Pset_coll_metadata_write(fapl.get(), true), path, "H5Pset_coll_metadata_write");
  h5::check(H5Pset_alignment(fapl.get(), alignment_bytes, alignment_bytes), path, "H5Pset_alignment");
  return fapl;
}

h5::Handle group_creation(const std::string& path) {
  auto gcpl = plist(H5P_GROUP_CREATE, path);
  h5::check(H5Pset_obj_track_times(gcpl.get(), false), path, "H5Pset_obj_track_times");
  return gcpl;
}

h5::Handle dataset_creation(const std::string& path, Fill fill) {
  auto dcpl = plist(H5P_DATASET_CREATE, path);
  h5::check(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), path, "H5Pset_layout");
  h5::check(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), path, "H5Pset_alloc_time");
  h5::check(H5Pset_obj_track_times(dcpl.get(), false), path, "H5Pset_obj_track_times");
  if (fill == Fill::never) {
    h5::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), path, "H5Pset_fill_time");
  } else {
    h5::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_ALLOC), path, "H5Pset_fill_time");
  }
  return dcpl;
}

h5::Handle collective_transfer(const std::string& path) {
  auto dxpl = plist(H5P_DATASET_XFER, path);
  h5::check(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), path, "H5Pset_dxpl_mpio");
  return dxpl;
}

void write_attribute(hid_t object, const char* name, const std::string& value, const std::string& path) {
  const auto type = vlen_string_type(path);
  const char* text = value.c_str();
  write_scalar(object, name, type.get(), type.get(), text, path);
}

void write_attribute(hid_t object, const char* name, std::int64_t value, const std::string& path) {
  write_scalar(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, value, path);
}

void write_attribute(hid_t object, const char* name, std::uint64_t value, const std::string& path) {
  write_scalar(object, name, H5T_STD_U64LE, H5T_NATIVE_UINT64, value, path);
}

void write_attribute(hid_t object, const char* name, double value, const std::string& path) {
  write_scalar(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, value, path);
}

void write_attribute(hid_t object, const char* name, const std::vector<double>& values, hsize_t columns,
                     const std::string& path) {
  const hsize_t dims[2] = {columns > 0 ? values.size() / columns : 0, columns};
  const h5::Handle space(H5Screate_simple(columns > 1 ? 2 : 1, dims, nullptr), path, "H5Screate_simple");
  const h5::Handle attr(H5Acreate2(object, name, H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                        std::string("creating attribute ") + name);
  h5::check(H5Awrite(attr.get(), H5T_NATIVE_DOUBLE, values.data()), path, std::string("writing attribute ") + name);
}

void write_attribute(hid_t object, const char* name, const std::vector<std::string>& values, const std::string& path) {
  const auto type = vlen_string_type(path);
  const hsize_t n = values.size();
  const h5::Handle space(H5Screate_simple(1, &n, nullptr), path, "H5Screate_simple");
  std::vector<const char*> texts;
  for (const auto& v : values) texts.push_back(v.c_str());
  const h5::Handle attr(H5Acreate2(object, name, type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT), path,
                        std::string("creating attribute ") + name);
  h5::check(H5Awrite(attr.get(), type.get(), texts.data()), path, std::string("writing attribute ") + name);
}

bool has_attribute(hid_t object, const char* name, const std::string& path) {
  const htri_t exists = H5Aexists(object, name);
  h5::check(exists, path, std::string("looking for attribute ") + name);
  return exists > 0;
}

std::string read_string_attribute(hid_t object, const char* name, const std::string& path) {
  const auto attr = open_attribute(object, name, path);
  const h5::Handle type(H5Aget_type(attr.get()), path, "H5Aget_type");
  if (H5Tget_class(type.get()) != H5T_STRING)
    throw IoError(path, std::string("attribute ") + name + " is not a string");
  const htri_t variable = H5Tis_variable_str(type.get());
  h5::check(variable, path, "H5Tis_variable_str");
  if (variable > 0) {
    const auto mem = vlen_string_type(path);
    char* text = nullptr;
    h5::check(H5Aread(attr.get(), mem.get(), &text), path, std::string("reading attribute ") + name);
    std::string value = text ? text : "";
    H5free_memory(text);
    return value;
  }
  const std::size_t size = H5Tget_size(type.get());
  std::string value(size, '\0');
  h5::check(H5Aread(attr.get(), type.get(), value.data()), path, std::string("reading attribute ") + name);
  value.resize(std::min(value.find('\0'), value.size()));
  return value;
}

std::int64_t read_int64_attribute(hid_t object, const char* name, const std::string& path) {
  return read_integer<std::int64_t>(object, name, H5T_NATIVE_INT64, path);
}

std::uint64_t read_uint64_attribute(hid_t object, const char* name, const std::string& path) {
  return read_integer<std::uint64_t>(object, name, H5T_NATIVE_UINT64, path);
}

h5::Handle fixed_string_type(std::size_t length, const std::string& path) {
  h5::Handle type(H5Tcopy(H5T_C_S1), path, "H5Tcopy");
  h5::check(H5Tset_size(type.get(), std::max<std::size_t>(length, 1)), path, "H5Tset_size");
  h5::check(H5Tset_strpad(type.get(), H5T_STR_NULLPAD), path, "H5Tset_strpad");
  h5::check(H5Tset_cset(type.get(), H5T_CSET_UTF8), path, "H5Tset_cset");
  return type;
}

h5::Handle create_column(hid_t parent, const char* name, hid_t file_type, hsize_t size, hid_t dcpl,
                         const std::string& path) {
  const h5::Handle space(H5Screate_simple(1, &size, nullptr), path, "H5Screate_simple");
  return h5::Handle(H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), path,
                    std::string("creating dataset ") + name);
}

h5::Handle create_matrix(hid_t parent, const char* name, hid_t file_type, hsize_t rows, hsize_t width, hid_t dcpl,
                         const std::string& path) {
  if (width <= 1) return create_column(parent, name, file_type, rows, dcpl, path);
  const hsize_t dims[2] = {rows, width};
  const h5::Handle space(H5Screate_simple(2, dims, nullptr), path, "H5Screate_simple");
  return h5::Handle(H5Dcreate2(parent, name, file_type, space.get(), H5P_DEFAULT, dcpl, H5P_DEFAULT), path,
                    std::string("creating dataset ") + name);
}

h5::Handle open_column(hid_t parent, const std::string& name, hsize_t size, const std::string& path, hsize_t width) {
  const htri_t exists = H5Lexists(parent, name.c_str(), H5P_DEFAULT);
  h5::check(exists, path, "looking for dataset " + name);
  if (exists == 0) throw IoError(path, "dataset " + name + " is missing");
  h5::Handle dataset(H5Dopen2(parent, name.c_str(), H5P_DEFAULT), path, "opening dataset " + name);
  const h5::Handle space(H5Dget_space(dataset.get()), path, "H5Dget_space");
  hsize_t dims[2] = {0, 0};
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank != (width > 1 ? 2 : 1)) {
    throw IoError(path, "dataset " + name + " is not " + (width > 1 ? "two" : "one") + "-dimensional");
  }
  h5::check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), path, "H5Sget_simple_extent_dims");
  if (width > 1 && dims[1] != width) {
    throw IoError(path, "dataset " + name + " has " + std::to_string(dims[1]) + " columns, expected " + std::to_string(width));
  }
  if (dims[0] != size) {
    throw IoError(
        path, "dataset " + name + " has " + std::to_string(dims[0]) + " elements, expected " + std::to_string(size));
  }
  return dataset;
}

void merge_ranges(std::vector<Range>& ranges) {
  std::sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.first < b.first; });
  std::vector<Range> merged;
  merged.reserve(ranges.size());
  for (const Range& r : ranges) {
    if (r.count == 0) continue;
    if (!merged.empty() && merged.back().first + merged.back().count == r.first) {
      merged.back().count += r.count;
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

namespace {
// Union of ranges[lo, hi) on a copy of `shape`.
h5::Handle union_of(hid_t shape, const std::vector<Range>& ranges, std::size_t lo, std::size_t hi,
                    const std::string& path) {
  constexpr std::size_t leaf = 32;  // small enough that OR-ing one at a time stays cheap
  if (hi - lo <= leaf) {
    h5::Handle space(H5Scopy(shape), path, "H5Scopy");
    hsize_t dims[2] = {0, 1};
    const int rank = H5Sget_simple_extent_ndims(space.get());
    h5::check(rank == 1 || rank == 2 ? 0 : -1, path, "H5Sget_simple_extent_ndims");
    h5::check(H5Sget_simple_extent_dims(space.get(), dims, nullptr), path, "H5Sget_simple_extent_dims");
    for (std::size_t i = lo; i < hi; ++i) {
      const hsize_t start[2] = {ranges[i].first, 0};
      const hsize_t count[2] = {ranges[i].count, rank == 2 ? dims[1] : 1};
      h5::check(H5Sselect_hyperslab(space.get(), i == lo ? H5S_SELECT_SET : H5S_SELECT_OR, start, nullptr, count,
                                    nullptr),
                path, "H5Sselect_hyperslab");
    }
    return space;
  }
  const std::size_t mid = lo + (hi - lo) / 2;
  const auto a = union_of(shape, ranges, lo, mid, path);
  const auto b = union_of(shape, ranges, mid, hi, path);
  return h5::Handle(H5Scombine_select(a.get(), H5S_SELECT_OR, b.get()), path, "H5Scombine_select");
}
}  // namespace

h5::Handle select_ranges(hid_t dataset, const std::vector<Range>& ranges, const std::string& path) {
  h5::Handle shape(H5Dget_space(dataset), path, "H5Dget_space");
  if (ranges.empty()) {
    h5::check(H5Sselect_none(shape.get()), path, "H5Sselect_none");
    return shape;
  }
  return union_of(shape.get(), ranges, 0, ranges.size(), path);
}

TransferMode write_selection(hid_t dataset, hid_t mem_type, hid_t file_space, const void* buffer, hid_t dxpl,
                             const std::string& path, const std::string& what) {
  const hssize_t selected = H5Sget_select_npoints(file_space);
  h5::check(selected < 0 ? -1 : 0, path, "H5Sget_select_npoints");
  const auto total = static_cast<hsize_t>(selected);
  // A rank with nothing passes a zero-size memory space; HDF5 still wants a buffer address.
  const h5::Handle mem_space(H5Screate_simple(1, &total, nullptr), path, "H5Screate_simple");
  static const unsigned char nothing = 0;
  const void* data = total > 0 ? buffer : &nothing;
  h5::check(H5Dwrite(dataset, mem_type, mem_space.get(), file_space, dxpl, data), path, "writing " + what);

  TransferMode mode;
  H5D_mpio_actual_io_mode_t actual = H5D_MPIO_NO_COLLECTIVE;
  h5::check(H5Pget_mpio_actual_io_mode(dxpl, &actual), path, "H5Pget_mpio_actual_io_mode");
  std::uint32_t local_cause = 0;
  std::uint32_t global_cause = 0;
  h5::check(H5Pget_mpio_no_collective_cause(dxpl, &local_cause, &global_cause), path,
            "H5Pget_mpio_no_collective_cause");
  mode.collective = actual == H5D_MPIO_CONTIGUOUS_COLLECTIVE || actual == H5D_MPIO_CHUNK_COLLECTIVE;
  mode.global_cause = global_cause | local_cause;
  return mode;
}

TransferMode write_ranges(hid_t dataset, hid_t mem_type, const std::vector<Range>& ranges, const void* buffer,
                          hid_t dxpl, const std::string& path, const std::string& what) {
  const auto selection = select_ranges(dataset, ranges, path);
  return write_selection(dataset, mem_type, selection.get(), buffer, dxpl, path, what);
}

void read_all(hid_t dataset, hid_t mem_type, void* out, hid_t dxpl, const std::string& path, const std::string& what) {
  unsigned char nothing = 0;  // an empty dataset still needs a buffer address
  h5::check(H5Dread(dataset, mem_type, H5S_ALL, H5S_ALL, dxpl, out ? out : &nothing), path, "reading " + what);
}

}  // namespace tsweep::output::detail
