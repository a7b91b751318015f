#pragma once
/// \file
/// Where a run gets its streams and encoded blocks. The store implements it
/// over HDF5; tests implement it in memory, so the run pipeline is tested
/// without HDF5.

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tsweep/analysis/kernels.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/plan/plan.hpp"
#include "tsweep/store/stream.hpp"

namespace tsweep::job {

/// A stream as a run sees it.
struct SourceStream {
  plan::StreamSummary summary;   ///< what the planner needs
  analysis::StreamFacts facts;   ///< what the window reduction needs
  codec::SampleType type = codec::SampleType::int16;
  double scale = 1.0;            ///< physical = raw × scale + offset
  double offset = 0.0;
  std::string unit;              ///< physical unit ("mV"; may be empty)
};

class BlockSource {
 public:
  BlockSource() = default;
  BlockSource(const BlockSource&) = delete;
  BlockSource& operator=(const BlockSource&) = delete;
  virtual ~BlockSource() = default;

  /// Rank-local: the stream table, in id order.
  [[nodiscard]] virtual const std::vector<SourceStream>& streams() const = 0;

  /// Rank-local: the blocks of stream `id` holding samples in [t0, t1), in
  /// time order, preceded by the stream's block just before them (if any), so
  /// that the first sample of the range has its predecessor.
  virtual std::vector<store::BlockRef> blocks(std::int64_t id, std::int64_t t0, std::int64_t t1) = 0;

  /// Rank-local: the encoded bytes of `blocks`, back to back in the given order.
  virtual void read(const std::vector<store::BlockRef>& blocks, std::vector<std::byte>& out) = 0;

  /// A short description for messages ("store.h5").
  [[nodiscard]] virtual std::string name() const = 0;

  /// What identifies the source's contents (recorded in results, checked on resume).
  [[nodiscard]] virtual store::StoreIdentity identity() const = 0;
};

}  // namespace tsweep::job
