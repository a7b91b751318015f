#include "tsweep/job/store_source.hpp"

#include <algorithm>
#include <cmath>

#include "tsweep/store/reader.hpp"

namespace tsweep::job {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {

class StoreSource final : public BlockSource {
 public:
  explicit StoreSource(store::Reader reader) : m_reader(std::move(reader)) {
    for (const auto& s : m_reader.streams()) {
      SourceStream out;
      out.summary.id = s.id;
      out.summary.name = s.name;
      out.summary.first_ns = s.first_ns;
      out.summary.last_ns = s.last_ns;
      out.summary.samples = s.sample_count;
      out.summary.rate_nhz = s.rate_nhz;
      out.facts.rate_nhz = s.rate_nhz;
      out.facts.first_ns = s.first_ns;
      out.facts.last_ns = s.last_ns;
      // A missing bound is an open end of the valid range.
      out.facts.has_valid_range = !std::isnan(s.valid_min) || !std::isnan(s.valid_max);
      out.facts.valid_min = std::isnan(s.valid_min) ? -HUGE_VAL : s.valid_min;
      out.facts.valid_max = std::isnan(s.valid_max) ? HUGE_VAL : s.valid_max;
      out.type = s.type;
      out.scale = s.scale;
      out.offset = s.offset;
      out.unit = s.unit;
      m_streams.push_back(std::move(out));
    }
  }

  [[nodiscard]] const std::vector<SourceStream>& streams() const override { return m_streams; }

  std::vector<store::BlockRef> blocks(std::int64_t id, std::int64_t t0, std::int64_t t1) override {
    std::vector<store::BlockRef> in_range = m_reader.blocks(id, t0, t1);
    // The block before the range gives the first sample its predecessor.
    if (auto before = m_reader.block_before(id, t0)) {
      const bool listed = std::any_of(in_range.begin(), in_range.end(), [&](const auto& r) { return r.block == before->block; });
      if (!listed) in_range.insert(in_range.begin(), *before);
    }
    return in_range;
  }

  void read(const std::vector<store::BlockRef>& refs, std::vector<std::byte>& out) override {
    // BlockBytes holds the blocks back to back in the given order, as `out`
    // must: the buffers are swapped, not copied, and both are reused.
    m_got.bytes.swap(out);
    m_reader.read_bytes(Span<const store::BlockRef>(refs.data(), refs.size()), m_got);
    m_got.bytes.swap(out);
  }

  [[nodiscard]] std::string name() const override { return m_reader.path(); }
  [[nodiscard]] store::StoreIdentity identity() const override { return m_reader.identity(); }

 private:
  store::Reader m_reader;
  std::vector<SourceStream> m_streams;
  store::BlockBytes m_got;
};

}  // namespace

std::unique_ptr<BlockSource> open_store_source(const Comm& comm, const std::string& path) {
  return std::make_unique<StoreSource>(store::Reader::open(comm, path));
}

}  // namespace tsweep::job
