#pragma once
/// \file
/// What every importer produces: one stream description and its samples per
/// signal of a file, before anything touches a store. Pure C++.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tsweep/store/series.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::store::import {

/// One signal of a file, ready to become (or extend) a stream.
struct ImportedSignal {
  StreamSpec spec;
  Series series;
  std::int64_t missing = 0;  ///< samples the file marked missing (left out; they split segments)
};

/// Everything an importer read from one file.
struct ImportedFile {
  std::string path;
  std::string format;  ///< "wfdb", "edf", "bdf", "mseed", "csv", "hdf5"
  std::vector<ImportedSignal> signals;
  std::vector<std::string> notes;  ///< things the user should know (skipped annotations, ...)
};

/// Text from a foreign header as UTF-8: surrounding spaces trimmed, bytes
/// >= 0x80 that are not already UTF-8 read as Latin-1 (EDF headers are meant
/// to be ASCII; real ones carry "µV" in Latin-1), control bytes dropped.
std::string clean_text(std::string_view raw);

/// `text` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string fit(std::string text, std::size_t max_bytes);

/// The stem of a file name: "/data/rec_01.edf" -> "rec_01".
std::string file_stem(const std::string& path);

}  // namespace tsweep::store::import
