#pragma once
/// \file
/// A dense HDF5 array as streams: a 1-D dataset is one stream, a 2-D dataset
/// (samples x channels) one stream per column, sampled at a rate and start
/// time given by the user. Part of the store layer (it needs hdf5.h).

#include <cstdint>
#include <optional>
#include <string>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

struct DenseOptions {
  std::string dataset;                   ///< path inside the file, e.g. /recording/ecg
  std::int64_t rate_nhz = 0;             ///< required
  std::optional<std::int64_t> start_ns;  ///< required
  std::string prefix;                    ///< names are prefix/<dataset name>[_<column>]; empty: the file's stem
  std::string unit;                      ///< else the dataset's "unit"/"units" attribute
  std::optional<double> scale;           ///< else "scale_factor"/"scale", else 1
  std::optional<double> offset;          ///< else "add_offset"/"offset", else 0
};

/// Throws ConfigError for a missing dataset, rate or start, IoError for a
/// file that is not HDF5 or a dataset of an unsupported type or shape.
ImportedFile read_hdf5_dense(const std::string& path, const DenseOptions& options);

}  // namespace tsweep::store::import
