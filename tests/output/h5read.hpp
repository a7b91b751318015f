#pragma once
// Plain serial HDF5 reads (default driver), independent of the code under test,
// to check what the results file really holds.

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tsweep::test::h5read {

/// A dataset's bytes as stored (read with its own type, no conversion).
std::vector<unsigned char> raw(const std::string& file, const std::string& dataset);
std::vector<std::int64_t> int64s(const std::string& file, const std::string& dataset);
std::vector<std::int32_t> int32s(const std::string& file, const std::string& dataset);
std::vector<std::uint8_t> uint8s(const std::string& file, const std::string& dataset);
/// A fixed-length string column, NUL padding removed.
std::vector<std::string> strings(const std::string& file, const std::string& dataset);

std::string string_attribute(const std::string& file, const std::string& object, const std::string& name);
std::int64_t int64_attribute(const std::string& file, const std::string& object, const std::string& name);
std::uint64_t uint64_attribute(const std::string& file, const std::string& object, const std::string& name);
std::vector<std::string> attribute_names(const std::string& file, const std::string& object);

/// Every dataset's path ("/windows/count", ...), sorted.
std::vector<std::string> datasets(const std::string& file);

/// Where a contiguous dataset's raw data lies in the file.
struct Extent {
  std::uint64_t offset = 0;
  std::uint64_t size = 0;
};
Extent storage(const std::string& file, const std::string& dataset);

/// The whole file's bytes.
std::vector<unsigned char> file_bytes(const std::string& file);

}  // namespace tsweep::test::h5read
