#include "tsweep/store/version.hpp"

#include "tsweep/h5/h5.hpp"

namespace tsweep::store {
std::string hdf5_version() {
  return h5::library_version();
}
}  // namespace tsweep::store
