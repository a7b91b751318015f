#pragma once
// Editing a store's tables behind tsweep's back, with the HDF5 C API only:
// flipping bytes of one field of one row (damage that a reader must notice),
// and rewriting a store in the layout of an older format version (version 2:
// index rows without block summaries; version 1: tables without row checksums).

#include <hdf5.h>
#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <set>
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
/// `mask`, leaving the row checksum as it was; with `reseal`, the row's
/// checksum (its last field) is then made again over its other bytes, so
/// that only checks beyond the row checksum can notice.
inline void flip_field_byte(const std::string& path, const char* table, hsize_t row, const char* field,
                            std::size_t byte = 0, unsigned char mask = 0x01, bool reseal = false) {
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
  if (reseal) {
    const std::uint64_t sum = XXH3_64bits(bytes.data(), bytes.size() - 8);
    std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
  }
  ok(H5Dwrite(dset, type, mspace, fspace, H5P_DEFAULT, bytes.data()), "H5Dwrite");
  H5Sclose(mspace);
  H5Sclose(fspace);
  H5Tclose(type);
  H5Dclose(dset);
  ok(H5Fclose(file), "H5Fclose");
}

/// The fields of /blocks/index that format version 3 added: the block's summary.
inline const std::set<std::string>& summary_fields() {
  static const std::set<std::string> names{"nan_count", "out_of_range", "longest_flat", "head_flat", "tail_flat",
                                           "first",     "last",         "min",          "max",       "sum_lo",
                                           "sum_hi",    "squares0",     "squares1",     "squares2"};
  return names;
}

/// Rewrites the store at `path` in the layout of an older format `version`
/// (1 or 2) and sets its tsweep_format_version: version 2 drops the summary
/// fields of /blocks/index and re-seals each index row's checksum over the
/// bytes that remain (the layout of a store written before block summaries
/// existed); version 1 also drops every table's row_checksum field (before
/// row checksums existed).
inline void downgrade(const std::string& path, int version) {
  using detail::ok;
  using detail::ok_id;
  const hid_t fapl = ok_id(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate");
  ok(H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST), "libver");
  const hid_t file = ok_id(H5Fopen(path.c_str(), H5F_ACC_RDWR, fapl), "H5Fopen");
  for (const char* table : {"/streams", "/stream_attrs", "/blocks/index", "/blocks/runs"}) {
    const bool index = std::string(table) == "/blocks/index";
    const auto dropped = [&](const std::string& name) {
      return (version < 2 && name == "row_checksum") || (index && summary_fields().count(name) > 0);
    };
    const hid_t dset = ok_id(H5Dopen2(file, table, H5P_DEFAULT), "H5Dopen2");
    const hid_t type = ok_id(H5Dget_type(dset), "H5Dget_type");
    // The same fields, packed, without the dropped ones.
    std::size_t size = 0;
    const int n = H5Tget_nmembers(type);
    for (int i = 0; i < n; ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      const hid_t mt = H5Tget_member_type(type, static_cast<unsigned>(i));
      if (!dropped(name)) size += H5Tget_size(mt);
      H5Tclose(mt);
      H5free_memory(name);
    }
    const hid_t old_layout = ok_id(H5Tcreate(H5T_COMPOUND, size), "H5Tcreate");
    std::size_t offset = 0;
    for (int i = 0; i < n; ++i) {
      char* name = H5Tget_member_name(type, static_cast<unsigned>(i));
      const hid_t mt = H5Tget_member_type(type, static_cast<unsigned>(i));
      if (!dropped(name)) {
        ok(H5Tinsert(old_layout, name, offset, mt), "H5Tinsert");
        offset += H5Tget_size(mt);
      }
      H5Tclose(mt);
      H5free_memory(name);
    }
    const hid_t space = ok_id(H5Dget_space(dset), "H5Dget_space");
    const hssize_t rows = H5Sget_simple_extent_npoints(space);
    std::vector<unsigned char> data(static_cast<std::size_t>(rows) * size + 1);
    if (rows > 0) ok(H5Dread(dset, old_layout, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dread");
    if (index && version >= 2) {
      // row_checksum is the last field: XXH3-64 of the row's bytes before it, in the old layout.
      for (hssize_t r = 0; r < rows; ++r) {
        unsigned char* row = data.data() + static_cast<std::size_t>(r) * size;
        const std::uint64_t sum = XXH3_64bits(row, size - 8);
        std::memcpy(row + size - 8, &sum, 8);
      }
    }
    const hid_t dcpl = ok_id(H5Dget_create_plist(dset), "H5Dget_create_plist");
    const std::string fresh = std::string(table) + "_old";
    const hid_t out =
        ok_id(H5Dcreate2(file, fresh.c_str(), old_layout, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), "H5Dcreate2");
    if (rows > 0) ok(H5Dwrite(out, old_layout, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()), "H5Dwrite");
    H5Dclose(out);
    H5Pclose(dcpl);
    H5Sclose(space);
    H5Tclose(old_layout);
    H5Tclose(type);
    H5Dclose(dset);
    ok(H5Ldelete(file, table, H5P_DEFAULT), "H5Ldelete");
    ok(H5Lmove(file, fresh.c_str(), file, table, H5P_DEFAULT, H5P_DEFAULT), "H5Lmove");
  }
  const hid_t attr = ok_id(H5Aopen(file, "tsweep_format_version", H5P_DEFAULT), "H5Aopen");
  const long long v = version;
  ok(H5Awrite(attr, H5T_NATIVE_LLONG, &v), "H5Awrite");
  H5Aclose(attr);
  ok(H5Fclose(file), "H5Fclose");
  H5Pclose(fapl);
}

/// downgrade(path, 1): the layout of a store written before row checksums existed.
inline void downgrade_to_v1(const std::string& path) {
  downgrade(path, 1);
}

}  // namespace tsweep::test
