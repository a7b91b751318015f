#pragma once
/// \file
/// EDF, EDF+ (continuous) and BDF/BDF+ (24-bit) files via EDFlib: one stream
/// per ordinary signal, digital values kept raw with the header's gain and
/// offset as scale and offset, per-signal rates (also non-integer ones) and
/// the sub-second start time. Pure C++: no HDF5.

#include <string>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

struct EdfOptions {
  std::string prefix;  ///< stream names are prefix/label; empty: the file's stem
  /// Store the EDF+ annotations as an irregular float64 stream prefix/annotations
  /// (value: duration in seconds, NaN when none; text in its attributes).
  /// Otherwise they are skipped, with a note.
  bool annotations = false;
};

/// Reads every signal. Throws IoError naming the file for a missing, foreign,
/// malformed or truncated file, and for EDF+D (discontinuous) files.
ImportedFile read_edf(const std::string& path, const EdfOptions& options = {});

}  // namespace tsweep::store::import
