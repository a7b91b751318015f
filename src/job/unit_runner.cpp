#include "tsweep/job/unit_runner.hpp"

#include <Kokkos_Core.hpp>
#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <limits>
#include <mutex>
#include <utility>

#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::job {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {

using Host = Kokkos::DefaultHostExecutionSpace;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

struct ThreadScratch {
  codec::Decoder decoder;
  std::vector<std::byte> raw;
  std::vector<std::int64_t> times;
  analysis::BlockScratch block;
};

ThreadScratch& scratch() {
  thread_local ThreadScratch s;
  return s;
}

}  // namespace

UnitRunner::UnitRunner(BlockSource& source, const plan::Plan& plan, bool fail_on_corrupt, StopCheck stop)
    : m_source(source), m_plan(plan), m_fail_on_corrupt(fail_on_corrupt), m_stop(std::move(stop)) {
  const auto& streams = source.streams();
  for (const auto& ps : plan.streams) {
    const auto it = std::find_if(streams.begin(), streams.end(), [&](const SourceStream& s) { return s.summary.id == ps.id; });
    if (it == streams.end()) throw InternalError("planned stream " + ps.name + " is not in " + source.name());
    m_stream_index.push_back(it - streams.begin());
    m_ranges.push_back(analysis::raw_range_of(it->facts, it->type, it->scale, it->offset));
    m_info.push_back({ps.name, it->type, it->scale, it->offset, it->facts.rate_nhz, it->facts.first_ns, it->facts.last_ns,
                      it->facts.has_valid_range, it->facts.valid_min, it->facts.valid_max});
  }
}

void UnitRunner::set_analyses(const std::vector<analysis::Configured>& analyses) {
  m_analyses.clear();
  for (const auto& a : analyses) {
    if (!a.kernel()) m_analyses.push_back(&a);
  }
}

analysis::UnitWindows UnitRunner::windows_of(const plan::Unit& unit) const {
  return {unit.stream, m_plan.window_ns, unit.first_window, unit.windows, m_plan.unit_begin(unit), m_plan.unit_end(unit)};
}

UnitResult UnitRunner::run(std::int64_t unit_id) {
  FetchedUnit fetched = fetch(unit_id);
  if (m_stop && m_stop("read")) {
    UnitResult result;
    result.finished.unit = unit_id;
    result.read_seconds = fetched.read_seconds;
    result.abandoned = true;
    return result;
  }
  return compute(fetched);
}

FetchedUnit UnitRunner::fetch(std::int64_t unit_id) {
  const plan::Unit& unit = m_plan.units.at(static_cast<std::size_t>(unit_id));
  const plan::PlannedStream& ps = m_plan.streams.at(static_cast<std::size_t>(unit.stream));
  const analysis::UnitWindows windows = windows_of(unit);
  const std::int64_t begin = windows.begin_ns, end = windows.end_ns;
  const auto t0 = Clock::now();
  FetchedUnit f;
  f.unit = unit_id;
  f.refs = m_source.blocks(ps.id, begin, end);
  const std::size_t n = f.refs.size();
  f.use.assign(n, BlockUse::decode);
  f.decoded_at.assign(n, 0);
  for (std::size_t b = 0; b < n; ++b) {
    const store::BlockRef& r = f.refs[b];
    const bool sound = r.damage == store::RowDamage::none && r.count > 0;
    const bool regular = r.time_encoding == codec::TimeEncoding::regular;
    if (sound && regular && (r.last_ns < begin || r.first_ns >= end)) {
      f.use[b] = BlockUse::bounds;
    } else if (sound && regular && m_use_summaries && m_analyses.empty() && r.has_summary && r.first_ns >= begin && r.last_ns < end &&
               windows.window_of(r.first_ns) == windows.window_of(r.last_ns)) {
      f.use[b] = BlockUse::summary;
    } else {
      f.decoded_at[b] = f.to_read.size();
      f.to_read.push_back(r);
    }
  }
  // A buffer of a unit computed before: its pages are already mapped.
  if (!m_spare_bytes.empty()) {
    f.bytes = std::move(m_spare_bytes.back());
    m_spare_bytes.pop_back();
  }
  m_source.read(f.to_read, f.bytes);
  f.read_seconds = since(t0);
  return f;
}

UnitResult UnitRunner::compute(FetchedUnit& f, const std::function<void()>& alongside) {
  const std::int64_t unit_id = f.unit;
  const plan::Unit& unit = m_plan.units.at(static_cast<std::size_t>(unit_id));
  const plan::PlannedStream& ps = m_plan.streams.at(static_cast<std::size_t>(unit.stream));
  const SourceStream& stream = m_source.streams().at(static_cast<std::size_t>(m_stream_index[static_cast<std::size_t>(unit.stream)]));
  const codec::RawRange& range = m_ranges[static_cast<std::size_t>(unit.stream)];
  const analysis::UnitWindows windows = windows_of(unit);
  const std::int64_t threshold = analysis::gap_threshold(stream.facts.rate_nhz);
  const std::vector<store::BlockRef>& refs = f.refs;
  const std::vector<store::BlockRef>& to_read = f.to_read;
  const std::size_t n = refs.size();

  UnitResult result;
  result.finished.unit = unit_id;
  result.read_seconds = f.read_seconds;
  result.blocks = static_cast<std::int64_t>(to_read.size());
  result.bytes = static_cast<std::int64_t>(f.bytes.size());

  // Decode each block and reduce its raw samples while they are in cache, on
  // every thread; the main thread first runs `alongside` (the next unit's
  // fetch), then joins in. Blocks are handed out one at a time.
  auto t0 = Clock::now();
  const std::size_t d = to_read.size();
  std::vector<std::size_t> byte_at(d + 1, 0);
  for (std::size_t b = 0; b < d; ++b) byte_at[b + 1] = byte_at[b] + to_read[b].length;
  if (byte_at[d] != f.bytes.size()) throw InternalError("block source returned the wrong number of bytes");
  if (m_pieces.size() < d) m_pieces.resize(d);
  const bool keep = !m_analyses.empty();  // the analyses read the decoded samples after the kernel
  if (keep && m_raw.size() < d) {
    m_raw.resize(d);
    m_times.resize(d);
  }
  std::vector<std::string> failure(d);
  std::vector<double> decode_s(d, 0.0), reduce_s(d, 0.0);
  const std::size_t sample_bytes = codec::sample_size(stream.type);
  auto reduce_one = [&](std::size_t b) {
    ThreadScratch& s = scratch();
    const store::BlockRef& r = to_read[b];
    try {
      const auto c0 = Clock::now();
      const bool regular = r.time_encoding == codec::TimeEncoding::regular;
      std::vector<std::byte>& raw = keep ? m_raw[b] : s.raw;
      std::vector<std::int64_t>& times = keep ? m_times[b] : s.times;
      const Span<const std::byte> bytes(f.bytes.data() + byte_at[b], r.length);
      // Header first: a block of another type or size must not be decoded into this buffer.
      store::check_before_decode(r, bytes, stream.type);
      raw.resize(std::size_t{r.count} * sample_bytes);
      times.resize(regular ? 0 : r.count);
      const codec::BlockInfo info = s.decoder.decode(bytes, Span<std::byte>(raw), Span<std::int64_t>(times));
      store::check_decoded(info, r);
      const auto c1 = Clock::now();
      analysis::reduce_block(stream.type, range, threshold, windows, raw.data(), r.count, times,
                             info.regular_times(), s.block, m_pieces[b]);
      if (keep && regular) {  // the analyses are given every sample's time
        times.resize(r.count);
        codec::fill_sample_times(info.regular_times(), 0, Span<std::int64_t>(times));
      }
      decode_s[b] = std::chrono::duration<double>(c1 - c0).count();
      reduce_s[b] = since(c1);
    } catch (const std::exception& e) {
      failure[b] = e.what();  // no exception may cross the parallel region
    }
  };
  std::exception_ptr alongside_error;
  double alongside_seconds = 0;
  std::atomic<std::size_t> next_block{0};
  const int threads = Host::concurrency();
#pragma omp parallel num_threads(threads)
  {
    if (alongside && omp_get_thread_num() == 0) {  // thread 0 is the main thread: HDF5 and MPI are allowed
      const auto a0 = Clock::now();
      try {
        alongside();
      } catch (...) {
        alongside_error = std::current_exception();
      }
      alongside_seconds = since(a0);
    }
    for (std::size_t b; (b = next_block.fetch_add(1, std::memory_order_relaxed)) < d;) reduce_one(b);
  }
  if (alongside_error) std::rethrow_exception(alongside_error);
  // The bytes are decoded: their buffer serves a later fetch.
  m_spare_bytes.push_back(std::move(f.bytes));
  f.bytes.clear();
  const double parallel_seconds = since(t0);
  if (m_stop && m_stop("decode")) {
    result.abandoned = true;
    return result;
  }

  // Merge the pieces of each window in sample order. A corrupt block is
  // squeezed out: the sample after it has no known predecessor.
  const auto t1 = Clock::now();
  analysis::UnitAccumulator acc(windows, stream.type, threshold);
  for (std::size_t b = 0; b < n; ++b) {
    const store::BlockRef& r = refs[b];
    if (f.use[b] == BlockUse::bounds) {
      acc.add_bounds(r.first_ns, r.last_ns);
      continue;
    }
    if (f.use[b] == BlockUse::summary) {
      acc.add_whole(r.summary, r.first_ns, r.last_ns);
      ++result.summarised_blocks;
      continue;
    }
    const std::size_t k = f.decoded_at[b];
    if (!failure[k].empty()) {
      if (m_fail_on_corrupt) {
        throw CodecError(ps.name + " block " + std::to_string(r.block) + " (" + format_iso8601(r.first_ns) + " .. " +
                         format_iso8601(r.last_ns) + "): " + failure[k] + " (on_corrupt: fail)");
      }
      result.corrupt.push_back({ps.name, r.block, r.first_ns, r.last_ns, failure[k]});
      acc.add_corrupt({r.first_ns, r.last_ns});
      continue;
    }
    if (r.count > 0) acc.add_block(m_pieces[k]);
  }
  result.samples = acc.samples();

  auto& rows = result.finished.rows;
  rows.resize(static_cast<std::size_t>(unit.windows));
  // A row costs about 0.1 µs (more where 128 bits do not hold the exact sums):
  // few rows are not worth waking the threads for.
  auto finish = [&](std::int64_t i) { rows[static_cast<std::size_t>(i)] = acc.row(stream.facts, stream.scale, stream.offset, i); };
  if (unit.windows < 4096) {
    for (std::int64_t i = 0; i < unit.windows; ++i) finish(i);
  } else {
    Kokkos::parallel_for("tsweep::finish_windows",
                         Kokkos::RangePolicy<Host, Kokkos::Schedule<Kokkos::Dynamic>>(0, unit.windows), finish);
  }
  if (!m_analyses.empty()) run_analyses(f, windows, static_cast<std::size_t>(unit.stream), failure, result);
  const double merge_seconds = since(t1);
  double decode_cpu = 0, reduce_cpu = 0;
  for (std::size_t b = 0; b < d; ++b) {
    decode_cpu += decode_s[b];
    reduce_cpu += reduce_s[b];
  }
  // Thread time per phase over the rank's threads: wall seconds had every
  // thread been busy (the main thread's fetch of the next unit is its own phase).
  result.decode_seconds = decode_cpu / threads;
  result.reduce_seconds = reduce_cpu / threads + merge_seconds;
  result.compute_seconds = std::max(0.0, parallel_seconds - alongside_seconds / threads) + merge_seconds;
  return result;
}

namespace {

double physical(codec::SampleType type, const std::byte* p, double scale, double offset) {
  auto as = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v) * scale + offset;
  };
  switch (type) {
    case codec::SampleType::int16:
      return as(std::int16_t{});
    case codec::SampleType::int32:
      return as(std::int32_t{});
    case codec::SampleType::int64:
      return as(std::int64_t{});
    case codec::SampleType::float32:
      return as(float{});
    case codec::SampleType::float64:
      return as(double{});
  }
  return 0;
}

}  // namespace

void UnitRunner::run_analyses(const FetchedUnit& f, const analysis::UnitWindows& windows, std::size_t stream,
                              const std::vector<std::string>& failure, UnitResult& result) {
  const analysis::StreamInfo& info = m_info[stream];
  const std::size_t width = codec::sample_size(info.type);
  const auto nw = static_cast<std::size_t>(windows.windows);
  // Each window's samples in sample order: count them per window (noting the
  // sample before each window's first), then place them. A corrupt block
  // leaves its successor without a known predecessor.
  std::vector<std::size_t> count(nw + 1, 0);
  std::vector<std::int64_t> previous(nw, analysis::no_time);
  auto each = [&](auto&& visit) {
    std::int64_t prev = analysis::no_time;
    for (std::size_t b = 0; b < f.refs.size(); ++b) {
      const store::BlockRef& r = f.refs[b];
      if (f.use[b] == BlockUse::bounds) {
        prev = r.last_ns;
        continue;
      }
      const std::size_t k = f.decoded_at[b];
      if (f.use[b] != BlockUse::decode || !failure[k].empty()) {
        prev = analysis::no_time;
        continue;
      }
      const std::int64_t* t = m_times[k].data();
      for (std::size_t i = 0; i < r.count; ++i) {
        if (t[i] >= windows.begin_ns && t[i] < windows.end_ns) visit(static_cast<std::size_t>(windows.window_of(t[i])), k, i, prev);
        prev = t[i];
      }
    }
  };
  each([&](std::size_t w, std::size_t, std::size_t, std::int64_t prev) {
    if (count[w + 1]++ == 0) previous[w] = prev;
  });
  for (std::size_t w = 0; w < nw; ++w) count[w + 1] += count[w];
  const std::size_t total = count[nw];
  m_window_raw.resize(total * width);
  m_window_times.resize(total);
  m_window_values.resize(total);
  m_window_previous.resize(total);
  std::vector<std::size_t> cursor(count.begin(), count.end() - 1);
  each([&](std::size_t w, std::size_t k, std::size_t i, std::int64_t prev) {
    const std::size_t at = cursor[w]++;
    const std::byte* src = m_raw[k].data() + i * width;
    std::memcpy(m_window_raw.data() + at * width, src, width);
    m_window_times[at] = m_times[k][i];
    m_window_previous[at] = prev;
    m_window_values[at] = physical(info.type, src, info.scale, info.offset);
  });

  // Each analysis's cells start as "no value": NaN, or 0 for integers.
  auto& cells = result.finished.cells;
  cells.resize(m_analyses.size());
  for (std::size_t a = 0; a < m_analyses.size(); ++a) {
    const analysis::Configured& c = *m_analyses[a];
    std::vector<std::uint64_t> blank(c.cells, 0);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (std::size_t k = 0; k < c.fields.size(); ++k) {
      if (c.fields[k].kind != analysis::FieldKind::float64) continue;
      for (std::size_t e = 0; e < c.fields[k].width(); ++e) std::memcpy(&blank[c.offsets[k] + e], &nan, 8);
    }
    cells[a].resize(nw * c.cells);
    for (std::size_t w = 0; w < nw; ++w) std::copy(blank.begin(), blank.end(), cells[a].begin() + w * c.cells);
  }

  // Windows are independent: any thread may reduce any window. The first
  // failure in window order is the one reported, whatever the threads.
  std::mutex failed_lock;
  std::size_t failed_window = nw;
  std::string failed;
  const auto& rows = result.finished.rows;
  auto reduce_window = [&](std::int64_t wi) {
    const auto w = static_cast<std::size_t>(wi);
    const std::int64_t start = (windows.first_window + wi) * windows.window_ns;
    analysis::Window win;
    win.stream = &info;
    win.start_ns = start;
    win.width_ns = windows.window_ns;
    win.begin_ns = std::max({start, windows.begin_ns, info.first_ns});
    win.end_ns = std::min({windows.window_end(wi), info.last_ns == INT64_MAX ? INT64_MAX : info.last_ns + 1});
    win.end_ns = std::max(win.end_ns, win.begin_ns);
    win.size = count[w + 1] - count[w];
    win.raw = m_window_raw.data() + count[w] * width;
    win.values = m_window_values.data() + count[w];
    win.times = m_window_times.data() + count[w];
    win.previous_times = m_window_previous.data() + count[w];
    win.previous_time = previous[w];
    win.corrupt_blocks = rows[w].corrupt_blocks;
    for (std::size_t a = 0; a < m_analyses.size(); ++a) {
      const analysis::Configured& c = *m_analyses[a];
      analysis::Output out(cells[a].data() + w * c.cells, &c.fields, &c.offsets);
      try {
        c.analysis->reduce(win, out);
      } catch (const std::exception& e) {
        const std::lock_guard<std::mutex> hold(failed_lock);
        if (w < failed_window) {
          failed_window = w;
          failed = "analysis " + c.name + " failed on " + info.name + ", window " + format_iso8601(start) + ": " + e.what();
        }
        return;
      }
    }
  };
  Kokkos::parallel_for("tsweep::analyses", Kokkos::RangePolicy<Host, Kokkos::Schedule<Kokkos::Dynamic>>(0, windows.windows),
                       reduce_window);
  if (failed_window < nw) throw Error(failed, ExitCode::usage);
}

}  // namespace tsweep::job
