#pragma once
/// \file
/// Runs one unit on a rank: fetch its blocks (main thread), decode them on the
/// rank's threads, reduce each window in sample order on the threads. The
/// result depends only on the store and the plan, never on the thread count.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tsweep/exec/block_source.hpp"
#include "tsweep/output/results.hpp"
#include "tsweep/plan/plan.hpp"

namespace tsweep::exec {

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
  std::int64_t samples = 0;   ///< samples decoded inside the unit's range
  std::int64_t blocks = 0;    ///< blocks read
  std::int64_t bytes = 0;     ///< encoded bytes read
  std::vector<CorruptBlock> corrupt;
  double read_seconds = 0;
  double compute_seconds = 0;
  /// The stop check asked to stop part-way: no rows, and the unit stays
  /// uncommitted, so a resume runs it again.
  bool abandoned = false;
};

/// Asked on the main thread between the steps of a unit ("read": its blocks
/// are read, "decode": they are decoded); true abandons the unit, so that a
/// stop request does not wait for the end of a long unit.
using StopCheck = std::function<bool(const char* step)>;

class UnitRunner {
 public:
  /// `fail_on_corrupt`: a corrupt block throws CodecError instead of being flagged.
  UnitRunner(BlockSource& source, const plan::Plan& plan, bool fail_on_corrupt, StopCheck stop = {});

  /// Rank-local; runs on Kokkos's host execution space.
  UnitResult run(std::int64_t unit);

 private:
  BlockSource& m_source;
  const plan::Plan& m_plan;
  bool m_fail_on_corrupt;
  StopCheck m_stop;
  std::vector<std::int64_t> m_stream_index;  ///< Plan stream → BlockSource stream position
  std::vector<std::byte> m_bytes;            ///< reused between units
  std::vector<std::int64_t> m_times;
  std::vector<double> m_values;
};

}  // namespace tsweep::exec
