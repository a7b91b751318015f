#pragma once
/// \file
/// Dense HDF5 arrays as streams: a 1-D dataset is one stream, a 2-D dataset
/// (samples x channels) one stream per column, sampled at a rate and start
/// time given by the user. Part of the store layer (it needs hdf5.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

struct DenseOptions {
  /// Paths inside the file (/recording/ecg), or shell patterns over them
  /// (/signals/*: '*', '?' and '[...]' never cross a '/'); each dataset once.
  std::vector<std::string> datasets;
  std::int64_t rate_nhz = 0;             ///< required
  std::optional<std::int64_t> start_ns;  ///< required
  std::string prefix;                    ///< names are prefix/<dataset name>[_<column>]; empty: the file's stem
  std::string unit;                      ///< else the dataset's "unit"/"units" attribute
  std::optional<double> scale;           ///< else "scale_factor"/"scale", else 1
  std::optional<double> offset;          ///< else "add_offset"/"offset", else 0
};

/// Every dataset that `options.datasets` names, in its order (a pattern's
/// matches in name order), as one file's signals. Throws ConfigError for a
/// missing dataset, rate or start, a pattern that matches no dataset or two
/// datasets that make one stream name, IoError for a file that is not HDF5
/// or a dataset of an unsupported type or shape; each names the dataset.
ImportedFile read_hdf5_dense(const std::string& path, const DenseOptions& options);

}  // namespace tsweep::store::import
