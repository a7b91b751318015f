#pragma once
/// \file
/// miniSEED (v2) via libmseed, record by record: one stream per channel
/// (network.station.location.channel), Steim-1/2 and integer or float
/// encodings decoded to their raw samples. Sample j of a record is at the
/// record header's start time + floor(j / rate); records (in any order) are
/// sorted by start time, and a record joins the segment before it only when it
/// starts exactly where that one's grid continues. Any other record (after a
/// gap, an overlap, or the microseconds of jitter real recorders leave) starts
/// a segment of its own, so no block spans it. Pure C++: no HDF5.

#include <string>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

struct MseedOptions {
  std::string prefix;  ///< names are prefix/NET.STA.LOC.CHA; empty: NET.STA.LOC.CHA
};

/// Throws IoError naming the file for a missing, foreign or truncated file.
ImportedFile read_mseed(const std::string& path, const MseedOptions& options = {});

}  // namespace tsweep::store::import
