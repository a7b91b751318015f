#pragma once
/// \file
/// Checking a store (`tsweep verify`): every table row the readers rely on
/// (its row checksum, from format version 2 on), the tables against each
/// other (streams, their chains of runs, the runs' index rows, the bytes they
/// point at: counts, spans, offsets, lengths), and every committed block's
/// bytes against its checksum and its index row, and that it decodes; from
/// format version 3 on, every index row's summary against the summary of its
/// decoded samples (a disagreement makes the block bad, naming the row). Under
/// MPI the streams and the blocks are split evenly across ranks and decoded
/// on each rank's threads; the problems are gathered to rank 0.

#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/span.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::exec {
class Comm;
}

namespace tsweep::store {

/// A block that failed a check.
struct BadBlock {
  std::int64_t block = 0;  ///< index row
  std::int64_t stream = 0;
  std::string name;
  std::int64_t first_ns = 0;  ///< as the index says
  std::int64_t last_ns = 0;
  std::string reason;
};

/// A table row that failed a check (its own checksum, or a cross-check
/// against the rows it points at or that point at it).
struct BadRow {
  std::string table;         ///< "/streams", "/stream_attrs", "/blocks/runs" or "/blocks/index"
  std::int64_t row = 0;      ///< row in that table
  std::int64_t stream = -1;  ///< the stream it concerns, -1 when unknown
  std::string reason;
};

struct VerifyOptions {
  int threads = 1;
  SwmrMode swmr = SwmrMode::automatic;
  bool decode = true;                               ///< decode every block, not only checksum it
  std::size_t batch_bytes = std::size_t{32} << 20;  ///< bytes read per batch and rank
};

struct VerifyReport {
  std::string path;
  std::string uuid;
  std::int64_t streams = 0;
  std::int64_t blocks = 0;  ///< blocks checked (all ranks)
  std::int64_t samples = 0;
  std::int64_t bytes = 0;
  double seconds = 0;
  int ranks = 1;
  int threads = 1;
  bool swmr = false;
  std::int64_t torn_row_retries = 0;  ///< SWMR: stream tables read again because a row was being rewritten
  std::int64_t bad_blocks = 0;        ///< on every rank
  std::vector<BadBlock> bad;          ///< sorted by block; complete on rank 0 only under MPI
  int format_version = 0;
  bool row_checksums = false;        ///< the store's rows carry checksums (format version 2 on)
  bool block_summaries = false;      ///< the store's index rows carry block summaries (format version 3 on)
  std::int64_t summaries = 0;        ///< blocks whose summary was held against their decoded samples (all ranks)
  std::int64_t runs = 0;             ///< runs checked
  std::int64_t bad_rows = 0;         ///< on every rank
  std::vector<BadRow> row_problems;  ///< sorted by table and row; complete on rank 0 only under MPI

  /// Nothing wrong was found.
  [[nodiscard]] bool ok() const noexcept { return bad_blocks == 0 && bad_rows == 0; }
};

/// Rank-local: verifies the store with a serial reader (SWMR as options say).
VerifyReport verify_store(const std::string& path, const VerifyOptions& options);
/// Collective on `comm`: every rank opens the store with MPI-IO and checks an
/// equal share of the committed blocks. Totals are on every rank, the list of
/// bad blocks on rank 0.
VerifyReport verify_store(const exec::Comm& comm, const std::string& path, const VerifyOptions& options);

/// Rank-local: checks one block against its index row and its stream. Returns
/// an empty string for a good block, else the reason in one line. With
/// `decode`, `scratch` then holds the block's decoded samples. (The row's
/// summary is checked by verify_store, which knows the stream's valid range.)
std::string check_block(const BlockRef& ref, const StreamInfo& stream, Span<const std::byte> bytes,
                        codec::Decoder& decoder, std::vector<std::byte>& scratch, bool decode = true);

/// The report as JSON: {"store", "uuid", "blocks", "samples", "bytes", "seconds", "ranks", "threads",
/// "bad_blocks", "bad": [...], "format_version", "row_checksums", "block_summaries", "summaries_checked",
/// "runs", "bad_rows", "row_problems": [...]}.
std::string verify_report_json(const VerifyReport& report);

}  // namespace tsweep::store
