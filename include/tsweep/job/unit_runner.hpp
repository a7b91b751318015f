#pragma once
/// \file
/// Runs one unit on a rank: fetch its blocks (main thread), decode and reduce
/// them block by block on the rank's threads (each block's raw samples are
/// reduced while they are in cache), merge the pieces of each window in sample
/// order. A block that a window covers whole is taken from its stored summary
/// and not read at all. The result depends only on the store and the plan,
/// never on the thread count.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tsweep/analysis/kernels.hpp"
#include "tsweep/job/block_source.hpp"
#include "tsweep/output/results.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::job {

/// A block that failed its checksum or could not be decoded.
struct CorruptBlock {
  std::string stream;
  std::int64_t block = 0;
  std::int64_t first_ns = 0;
  std::int64_t last_ns = 0;
  std::string reason;
};

struct UnitResult {
  output::FinishedUnit finished;
  std::int64_t samples = 0;   ///< samples inside the unit's range (decoded or summarised)
  std::int64_t blocks = 0;    ///< blocks read
  std::int64_t summarised_blocks = 0;  ///< blocks taken from their stored summaries, not read
  std::int64_t bytes = 0;     ///< encoded bytes read
  std::vector<CorruptBlock> corrupt;
  double read_seconds = 0;     ///< wall time fetching the index rows and bytes (main thread)
  double compute_seconds = 0;  ///< wall time decoding and reducing (less the share of the next unit's fetch)
  double decode_seconds = 0;   ///< the threads' time in the decoder, divided by the threads
  double reduce_seconds = 0;   ///< the threads' time reducing blocks, divided by the threads, plus merging windows
  /// The stop check asked to stop part-way: no rows, and the unit stays
  /// uncommitted, so a resume runs it again.
  bool abandoned = false;
};

/// Asked on the main thread between the steps of a unit ("read": its blocks
/// are read, "decode": they are decoded); true abandons the unit, so that a
/// stop request does not wait for the end of a long unit.
using StopCheck = std::function<bool(const char* step)>;

/// How a unit uses one of its blocks.
enum class BlockUse : std::uint8_t {
  decode,   ///< read, decoded and reduced
  summary,  ///< inside one window of the unit: its stored summary is the piece, nothing is read
  bounds,   ///< a regular block outside the unit: only its first and last times matter (from its row)
};

/// A unit's index rows and the bytes of the blocks it decodes, fetched on the
/// main thread (UnitRunner::fetch), possibly while the threads compute another unit.
struct FetchedUnit {
  std::int64_t unit = -1;
  std::vector<store::BlockRef> refs;     ///< every block the unit touches, in time order (with its predecessor)
  std::vector<BlockUse> use;             ///< per ref
  std::vector<std::size_t> decoded_at;   ///< per ref: its place in `to_read` (decode only)
  std::vector<store::BlockRef> to_read;  ///< the blocks to decode
  std::vector<std::byte> bytes;          ///< their bytes, back to back
  double read_seconds = 0;
};

class UnitRunner {
 public:
  /// `fail_on_corrupt`: a corrupt block throws CodecError instead of being flagged.
  UnitRunner(BlockSource& source, const plan::Plan& plan, bool fail_on_corrupt, StopCheck stop = {});

  /// Rank-local; runs on Kokkos's host execution space: fetch(), the stop
  /// check "read", compute().
  UnitResult run(std::int64_t unit);

  /// Main thread: the unit's index rows and the bytes it decodes.
  FetchedUnit fetch(std::int64_t unit);
  /// Decodes and reduces a fetched unit on the rank's threads. `alongside`,
  /// if given, runs on the main thread (so it may call HDF5 and MPI) while the
  /// other threads start on the blocks, and then the main thread joins them:
  /// the job fetches the next unit there. An exception from `alongside` is
  /// rethrown once the unit is done. The stop check "decode" follows.
  UnitResult compute(FetchedUnit& fetched, const std::function<void()>& alongside = {});

  /// Whether windows that cover a block whole take its stored summary (the
  /// default) or decode it (config `summaries: false`; the results are the same
  /// unless the block's bytes are damaged, which only decoding notices).
  void set_use_summaries(bool on) noexcept { m_use_summaries = on; }

  /// The job's analyses (analysis::Catalog::configure). stats and quality are
  /// computed by the block-summary kernel whatever is listed; every other
  /// analysis gets each window's samples in sample order (so its units decode
  /// every block they touch) and fills FinishedUnit::cells, in list order.
  void set_analyses(const std::vector<analysis::Configured>& analyses);

  /// The stop check at `step` (false without one).
  [[nodiscard]] bool stop_check(const char* step) const { return m_stop && m_stop(step); }

 private:
  /// The unit's windows and time range, as fetch() and compute() both use them.
  [[nodiscard]] analysis::UnitWindows windows_of(const plan::Unit& unit) const;
  /// The analyses that take samples, over the decoded blocks of a unit.
  struct Decoded;
  void run_analyses(const FetchedUnit& f, const analysis::UnitWindows& windows, std::size_t stream,
                    const std::vector<std::string>& failure, UnitResult& result);

  BlockSource& m_source;
  const plan::Plan& m_plan;
  bool m_fail_on_corrupt;
  bool m_use_summaries = true;
  StopCheck m_stop;
  std::vector<std::int64_t> m_stream_index;  ///< Plan stream → BlockSource stream position
  std::vector<codec::RawRange> m_ranges;     ///< per plan stream: its valid range in raw units
  std::vector<analysis::BlockPieces> m_pieces;
  std::vector<std::vector<std::byte>> m_spare_bytes;  ///< byte buffers of computed units, reused by fetch()
  std::vector<const analysis::Configured*> m_analyses;  ///< those that take samples
  std::vector<analysis::StreamInfo> m_info;             ///< per plan stream
  std::vector<std::vector<std::byte>> m_raw;            ///< per decoded block (analyses only)
  std::vector<std::vector<std::int64_t>> m_times;
  std::vector<std::byte> m_window_raw;                  ///< a unit's samples, window after window
  std::vector<std::int64_t> m_window_times;
  std::vector<std::int64_t> m_window_previous;
  std::vector<double> m_window_values;
};

}  // namespace tsweep::job
