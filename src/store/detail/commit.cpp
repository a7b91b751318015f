#include "detail/commit.hpp"

#include <algorithm>

namespace tsweep::store::detail {

void add_run(StreamInfo& s, const RunRow& run, std::int64_t run_row) {
  const std::int64_t first = run.first_ns, last = run.last_ns;
  if (s.sample_count == 0) {
    s.first_ns = first;
    s.last_ns = last;
  } else {
    s.first_ns = std::min(s.first_ns, first);
    s.last_ns = std::max(s.last_ns, last);
  }
  s.block_count += run.block_count;
  s.sample_count += run.sample_count;
  s.encoded_bytes += run.encoded_bytes;
  s.run_count += 1;
  s.last_run = run_row;
}

CommitRows build_commit(std::vector<PendingBlock> pending, std::int64_t index_begin, std::int64_t runs_begin,
                        std::vector<StreamInfo>& streams) {
  std::sort(pending.begin(), pending.end(), [](const PendingBlock& a, const PendingBlock& b) {
    if (a.row.stream != b.row.stream) return a.row.stream < b.row.stream;
    if (a.row.first_ns != b.row.first_ns) return a.row.first_ns < b.row.first_ns;
    return a.order < b.order;
  });
  CommitRows out;
  out.index.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size();) {
    const std::uint32_t sid = pending[i].row.stream;
    RunRow run{};
    run.stream = sid;
    run.index_begin = index_begin + static_cast<std::int64_t>(i);
    run.first_ns = pending[i].row.first_ns;
    run.last_ns = pending[i].row.last_ns;
    run.flags = kRunSorted;
    std::int64_t prev_last = INT64_MIN, first = run.first_ns, last = run.last_ns;
    for (; i < pending.size() && pending[i].row.stream == sid; ++i) {
      const BlockRow& r = pending[i].row;
      const std::int64_t r_first = r.first_ns, r_last = r.last_ns;
      if (r_last < prev_last) run.flags &= ~kRunSorted;
      prev_last = r_last;
      first = std::min(first, r_first);
      last = std::max(last, r_last);
      run.first_ns = first;
      run.last_ns = last;
      run.block_count += 1;
      run.sample_count += r.count;
      run.encoded_bytes += r.length;
      out.index.push_back(r);
    }
    StreamInfo& s = streams[sid];
    run.prev_run = s.last_run;
    const std::int64_t run_row = runs_begin + static_cast<std::int64_t>(out.runs.size());
    add_run(s, run, run_row);
    out.runs.push_back(run);
    out.touched.insert(sid);
  }
  return out;
}

}  // namespace tsweep::store::detail
