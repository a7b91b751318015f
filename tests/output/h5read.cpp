#include "h5read.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace tsweep::test::h5read {

namespace {

// A tiny owner: the tests must not depend on the wrappers they test.
struct Id {
  hid_t id;
  explicit Id(hid_t v, const std::string& what) : id(v) {
    if (v < 0) throw std::runtime_error("HDF5 failed: " + what);
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  ~Id() {
    switch (H5Iget_type(id)) {
      case H5I_FILE:
        H5Fclose(id);
        break;
      case H5I_DATASET:
        H5Dclose(id);
        break;
      case H5I_DATASPACE:
        H5Sclose(id);
        break;
      case H5I_DATATYPE:
        H5Tclose(id);
        break;
      case H5I_ATTR:
        H5Aclose(id);
        break;
      case H5I_GROUP:
        H5Gclose(id);
        break;
      default:
        H5Idec_ref(id);
        break;
    }
  }
};

Id open_file(const std::string& file) {
  return Id(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "open " + file);
}

hsize_t points(hid_t dataset) {
  Id space(H5Dget_space(dataset), "H5Dget_space");
  return static_cast<hsize_t>(H5Sget_simple_extent_npoints(space.id));
}

template <class T>
std::vector<T> read_as(const std::string& file, const std::string& dataset, hid_t mem_type) {
  Id f = open_file(file);
  Id d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset);
  std::vector<T> out(points(d.id) + 1);  // +1: never a null buffer
  if (H5Dread(d.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    throw std::runtime_error("read " + dataset);
  }
  out.pop_back();
  return out;
}

Id open_attribute(hid_t f, const std::string& object, const std::string& name) {
  return Id(H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), "attribute " + name);
}

}  // namespace

std::vector<unsigned char> raw(const std::string& file, const std::string& dataset) {
  Id f = open_file(file);
  Id d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset);
  Id type(H5Dget_type(d.id), "H5Dget_type");
  std::vector<unsigned char> out(points(d.id) * H5Tget_size(type.id) + 1);
  if (H5Dread(d.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) {
    throw std::runtime_error("read " + dataset);
  }
  out.pop_back();
  return out;
}

std::vector<std::int64_t> int64s(const std::string& file, const std::string& dataset) {
  return read_as<std::int64_t>(file, dataset, H5T_NATIVE_INT64);
}
std::vector<std::int32_t> int32s(const std::string& file, const std::string& dataset) {
  return read_as<std::int32_t>(file, dataset, H5T_NATIVE_INT32);
}
std::vector<std::uint8_t> uint8s(const std::string& file, const std::string& dataset) {
  return read_as<std::uint8_t>(file, dataset, H5T_NATIVE_UINT8);
}

std::vector<std::string> strings(const std::string& file, const std::string& dataset) {
  Id f = open_file(file);
  Id d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset);
  Id type(H5Dget_type(d.id), "H5Dget_type");
  const std::size_t width = H5Tget_size(type.id);
  const hsize_t n = points(d.id);
  std::vector<char> buffer(n * width + 1);
  if (H5Dread(d.id, type.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) < 0) throw std::runtime_error("read");
  std::vector<std::string> out;
  for (hsize_t i = 0; i < n; ++i) {
    std::string s(buffer.data() + i * width, width);
    s.resize(std::min(s.find('\0'), s.size()));
    out.push_back(s);
  }
  return out;
}

std::string string_attribute(const std::string& file, const std::string& object, const std::string& name) {
  Id f = open_file(file);
  Id a = open_attribute(f.id, object, name);
  Id type(H5Aget_type(a.id), "H5Aget_type");
  if (H5Tis_variable_str(type.id) <= 0) throw std::runtime_error(name + " is not a variable-length string");
  char* text = nullptr;
  if (H5Aread(a.id, type.id, &text) < 0) throw std::runtime_error("read attribute " + name);
  std::string value = text ? text : "";
  H5free_memory(text);
  return value;
}

std::int64_t int64_attribute(const std::string& file, const std::string& object, const std::string& name) {
  Id f = open_file(file);
  Id a = open_attribute(f.id, object, name);
  std::int64_t v = 0;
  if (H5Aread(a.id, H5T_NATIVE_INT64, &v) < 0) throw std::runtime_error("read attribute " + name);
  return v;
}

std::uint64_t uint64_attribute(const std::string& file, const std::string& object, const std::string& name) {
  Id f = open_file(file);
  Id a = open_attribute(f.id, object, name);
  std::uint64_t v = 0;
  if (H5Aread(a.id, H5T_NATIVE_UINT64, &v) < 0) throw std::runtime_error("read attribute " + name);
  return v;
}

std::vector<std::string> attribute_names(const std::string& file, const std::string& object) {
  Id f = open_file(file);
  Id o(H5Oopen(f.id, object.c_str(), H5P_DEFAULT), "open " + object);
  std::vector<std::string> names;
  H5Aiterate2(
      o.id, H5_INDEX_NAME, H5_ITER_INC, nullptr,
      [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
        static_cast<std::vector<std::string>*>(data)->emplace_back(name);
        return 0;
      },
      &names);
  return names;
}

std::vector<std::string> datasets(const std::string& file) {
  Id f = open_file(file);
  std::vector<std::string> names;
  H5Ovisit(
      f.id, H5_INDEX_NAME, H5_ITER_INC,
      [](hid_t, const char* name, const H5O_info_t* info, void* data) -> herr_t {
        if (info->type == H5O_TYPE_DATASET)
          static_cast<std::vector<std::string>*>(data)->push_back("/" + std::string(name));
        return 0;
      },
      &names);
  std::sort(names.begin(), names.end());
  return names;
}

Extent storage(const std::string& file, const std::string& dataset) {
  Id f = open_file(file);
  Id d(H5Dopen2(f.id, dataset.c_str(), H5P_DEFAULT), "open " + dataset);
  Extent e;
  e.offset = H5Dget_offset(d.id);
  e.size = H5Dget_storage_size(d.id);
  return e;
}

std::vector<unsigned char> file_bytes(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace tsweep::test::h5read
