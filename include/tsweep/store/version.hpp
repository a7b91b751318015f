#pragma once
/// \file
/// Library versions the store layer runs with, without exposing hdf5.h.

#include <string>

namespace tsweep::store {
/// "1.10.8": the HDF5 library in use.
std::string hdf5_version();
}  // namespace tsweep::store
