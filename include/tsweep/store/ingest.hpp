#pragma once
/// \file
/// `tsweep ingest`: foreign files into a new or existing store, one stream
/// per signal, in one transaction. Every input is read (and checked) before
/// the store is touched; a failure while writing rolls back, so a store is
/// either extended by every input or left as it was. A new store is written
/// under a temporary name and renamed into place at the end.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tsweep/codec/encoder.hpp"
#include "tsweep/store/import/csv.hpp"
#include "tsweep/store/import/hdf5_dense.hpp"
#include "tsweep/store/import/signal.hpp"
#include "tsweep/store/series.hpp"

namespace tsweep::store {

enum class InputFormat { automatic, wfdb, edf, mseed, csv, hdf5 };

/// "auto", "wfdb", "edf" (also BDF), "mseed", "csv" or "hdf5"; ConfigError otherwise.
InputFormat parse_input_format(std::string_view name);

struct IngestOptions {
  InputFormat format = InputFormat::automatic;
  std::string prefix;  ///< stream-name prefix; empty: the record or file name (none for miniSEED)
  std::uint32_t block_samples = kDefaultBlockSamples;
  bool edf_annotations = false;  ///< store EDF+ annotations as an event stream
  import::CsvOptions csv;        ///< prefix is taken from `prefix`
  import::DenseOptions dense;    ///< prefix is taken from `prefix`
  codec::EncodeOptions encode;
};

struct IngestedStream {
  std::string name;
  std::string source;
  std::int64_t samples = 0;
  std::int64_t blocks = 0;
  std::int64_t bytes = 0;
  std::int64_t missing = 0;
  bool created = false;  ///< false: appended to a stream the store had
};

struct IngestReport {
  std::string store;
  bool created_store = false;
  std::vector<IngestedStream> streams;
  std::vector<std::string> notes;
  std::int64_t samples = 0;
  std::int64_t blocks = 0;
  std::int64_t bytes = 0;
  double read_seconds = 0;
  double write_seconds = 0;
};

/// Rank-local: reads one input file (format detected from its name or
/// content unless given). Throws IoError naming the file.
import::ImportedFile read_input(const std::string& path, const IngestOptions& options);

/// Rank-local: ingests `inputs` into `store` (created if missing).
IngestReport ingest(const std::string& store, const std::vector<std::string>& inputs, const IngestOptions& options);

std::string ingest_report_json(const IngestReport& report);

}  // namespace tsweep::store
