#pragma once
/// \file
/// Writing synthetic stores (`tsweep generate`): in bulk with the parallel
/// writer, or live with the serial SWMR appender.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/store/generator.hpp"

namespace tsweep::exec {
class Comm;
}

namespace tsweep::store {

struct GenerateOptions {
  synth::GeneratorConfig config;
  std::int64_t corrupt_blocks = 0;  ///< blocks to damage on purpose (their list is in the report)
  int threads = 1;                  ///< encoding threads per rank
  bool overwrite = false;
  std::uint64_t data_chunk_bytes = std::uint64_t{1} << 20;
  /// Samples each rank encodes per collective write (bounds memory per rank).
  std::int64_t round_samples = std::int64_t{16} << 20;
};

/// A block damaged on purpose.
struct CorruptBlock {
  std::int64_t block = 0;  ///< global block number, stream-major (= index row in bulk stores)
  std::int64_t stream = 0;
  std::string name;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
};

struct GenerateReport {
  std::string path;
  std::string uuid;
  std::int64_t streams = 0;
  std::int64_t blocks = 0;
  std::int64_t samples = 0;
  std::int64_t bytes = 0;
  std::int64_t commits = 0;                ///< collective writes (bulk) or commits (live)
  std::int64_t independent_transfers = 0;  ///< bulk: transfers HDF5 did not do collectively
  double seconds = 0;
  std::vector<CorruptBlock> corrupted;
};

/// Collective on `comm`: writes the store in bulk. Ranks encode contiguous
/// shares of the global block order (streams in id order, blocks in time
/// order), so the file's tables and bytes are the same for any number of
/// ranks and threads. The report is complete on every rank.
GenerateReport generate_bulk(const exec::Comm& comm, const std::string& path, const GenerateOptions& options);

struct LiveOptions {
  std::int64_t commit_blocks = 0;  ///< blocks per commit; 0: one per stream
  double pace_seconds = 0;         ///< pause after each commit
};

/// Rank-local: writes the store with the serial appender in SWMR mode, in time
/// order across streams, committing every `live.commit_blocks` blocks, so
/// readers can watch it grow. The file is at `path` from the start.
GenerateReport generate_live(const std::string& path, const GenerateOptions& options, const LiveOptions& live);

/// The corrupted blocks as JSON ({"store": ..., "corrupted": [{block, stream, name, first_ns, last_ns}, ...]}).
std::string corrupt_list_json(const GenerateReport& report);

}  // namespace tsweep::store
