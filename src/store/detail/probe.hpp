#pragma once
// A quick look at a file before HDF5 opens it, so that a missing file, a
// folder or a file of another format gets a one-line reason.

#include <string>

namespace tsweep::store::detail {

/// Throws IoError(path, ...) unless `path` is a readable regular file that
/// starts with the HDF5 signature (at 0, 512, 1024, ... as HDF5 allows).
void check_is_hdf5(const std::string& path);

/// True when `path` is a file that starts with the HDF5 signature.
bool looks_like_hdf5(const std::string& path) noexcept;

}  // namespace tsweep::store::detail
