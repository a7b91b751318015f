#pragma once
// Editing a store's tables behind tsweep's back, with the HDF5 C API only:
// flipping bytes of one field of one row (damage that a reader must notice),
// and rewriting a store in the version-1 layout (tables without row checksums).

#include <hdf5.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace tsweep::test {

namespace detail {
inline void ok(herr_t status, const char* what) {
  if (status < 0) throw std::runtime_error(std::string("HDF5 failed: ") + what);
}
inline hid_t ok_id(hid_t id, const char* what) {
  if (id < 0) throw std::runtime_error(std::string("HDF5 failed: ") + what);
  return id;
}
}  // namespace detail

/// XORs byte `byte` of field `field` of row `row` of dataset `table` with
/// `mask`, leaving the row checksum as it was.
inline void flip_field_byte(const std::string& path, const char* table, hsize_t row, const char* field,
                            std::size_t byte = 0, unsigned char mask = 0x01) {
  using detail::ok;
  using detail::ok_id;
  const hid_t file = ok_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), "H5Fopen");
  const hid_t dset = ok_id(H5Dopen2(file, table, H5P_DEFAULT), "H5Dopen2");
  const hid_t type = ok_id(H5Dget_type(dset), "H5Dget_type");
  const int member = H5Tget_member_index(type, field);
  if (member < 0) throw std::runtime_error(std::string(table) + " has no field " + field);
  const std::size_t at = H5Tget_member_offset(type, static_cast<unsigned>(member)) + byte;
  std::vector<unsigned char> bytes(H5Tget_size(type));
  const hid_t fspace = ok_id(H5Dget_space(dset), "H5Dget_space");
  const hsize_t one = 1;
  ok(H5Sselect_hyperslab(fspace, H5S_SELECT_SET, &row, nullptr, &one, nullptr), "select");
  const hid_t mspace = ok_id(H5Screate_simple(1, &one, nullptr), "H5Screate_simple");
  ok(H5Dread(dset, type, mspace, fspace, H5P_DEFAULT, bytes.data()), "H5Dread");
  bytes.at(at) ^= mask;
  ok(H5Dwrite(dset, type, mspace, fspace, H5P_DEFAULT, bytes.data()), "H5Dwrite");
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Tclose(type);
  H5Dclose(dset);
  ok(H5Fclose(file), "H5Fclose");
}

/// Rewrites every table of the store at `path` without its row_checksum
/// field and sets tsweep_format_version to 1: the layout of a store written
/// before row checksums existed.
inline void downgrade_to_v1(const std::string& path) {
  using detail::ok;
  using detail::ok_id;
  const hid_t fapl = ok_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate");
  ok(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "libver");
  const hid_t file = ok_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), "H5Fopen");
  for (const char* table : {"/streams", "/stream_attrs", "/blocks/index", "/blocks/runs"}) {
    const hid_t dset = ok_id(H5Dopen2(file, table, H5P_DEFAULT), "H5Dopen2");
    const hid_t type = ok_id(H5Dget_type(dset), "H5Dget_type");
    // The same fields, packed, without row_checksum.
    std::size_t size = 0;
    const int n = H5Tget_nmembers(type);
    for (int i = 0; i < n; ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      const hid_t mt = H5Tget_member_type(type, static_cast<unsigned>(i));
      if (std::string(name) != "row_checksum") size += H5Tget_size(mt);
      H5Tclose(mt);
      H5free_memory(name);
    }
    const hid_t v1 = ok_id(H5Tcreate(H5T_COMPOUND, size), "H5Tcreate");
    std::size_t offset = 0;
    for (int i = 0; i < n; ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      const hid_t mt = H5Tget_member_type(type, static_cast<unsigned>(i));
      if (std::string(name) != "row_checksum") {
        ok(H5Tinsert(v1, name, offset, mt), "H5Tinsert");
        offset += H5Tget_size(mt);
      }
      H5Tclose(mt);
      H5free_memory(name);
    }
    const hid_t space = ok_id(H5Dget_space(dset), "H5Dget_space");
    const hssize_t rows = H5Sget_simple_extent_npoints(space);
    std::vector<unsigned char> data(static_cast<std::size_t>(rows) * size + 1);
    if (rows > 0) ok(H5Dread(dset, v1, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dread");
    const hid_t dcpl = ok_id(H5Dget_create_plist(dset), "H5Dget_create_plist");
    const std::string fresh = std::string(table) + "_v1";
    const hid_t out = ok_id(H5Dcreate2(file, fresh.c_str(), v1, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2");
    if (rows > 0) ok(H5Dwrite(out, v1, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dwrite");
    H5Dclose(out);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(v1);
    H5Tclose(type);
    H5Dclose(dset);
    ok(H5Ldelete(file, table, H5P_DEFAULT), "H5Ldelete");
    ok(H5Lmove(file, fresh.c_str(), file, table, H5P_DEFAULT, H5P_DEFAULT), "H5Lmove");
  }
  const hid_t attr = ok_id(H5Aopen(file, "tsweep_format_version", H5P_DEFAULT), "H5Aopen");
  const long long one = 1;
  ok(H5Awrite(attr, H5T_NATIVE_LLONG, &one), "H5Awrite");
  H5Aclose(attr);
  ok(H5Fclose(file), "H5Fclose");
  H5Pclose(fapl);
}

}  // namespace tsweep::test
