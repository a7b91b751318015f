#pragma once
/// \file
/// miniSEED (v2) via libmseed: records in any order are joined into traces,
/// one stream per channel (network.station.location.channel), Steim-1/2 and
/// integer or float encodings decoded to their raw samples; every gap starts
/// a new segment, so no block spans it. Pure C++: no HDF5.

#include <string>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

struct MseedOptions {
  std::string prefix;  ///< names are prefix/NET.STA.LOC.CHA; empty: NET.STA.LOC.CHA
};

/// Throws IoError naming the file for a missing, foreign or truncated file.
ImportedFile read_mseed(const std::string& path, const MseedOptions& options = {});

}  // namespace tsweep::store::import
