#include "tsweep/exec/unit_runner.hpp"

#include <Kokkos_Core.hpp>

#include <chrono>
#include <numeric>
#include <utility>

#include "tsweep/codec/decoder.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"

namespace tsweep::exec {

namespace {

using Host = Kokkos::DefaultHostExecutionSpace;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Decodes one block into physical values and times. Each thread keeps its own
// decoder and raw buffer, so the hot path allocates nothing once warm.
template <class T>
codec::BlockInfo decode_as(codec::Decoder& decoder, Span<const std::byte> bytes, std::vector<std::byte>& raw,
                           double scale, double offset, double* values, std::int64_t* times, std::size_t count) {
  raw.resize(count * sizeof(T));
  Span<T> typed(reinterpret_cast<T*>(raw.data()), count);
  const codec::BlockInfo info = decoder.decode<T>(bytes, typed, Span<std::int64_t>(times, count));
  if (info.count != count) throw CodecError("holds " + std::to_string(info.count) + " samples, the index says " + std::to_string(count));
  for (std::size_t i = 0; i < count; ++i) values[i] = static_cast<double>(typed[i]) * scale + offset;
  return info;
}

codec::BlockInfo decode_block(codec::SampleType type, codec::Decoder& decoder, Span<const std::byte> bytes,
                              std::vector<std::byte>& raw, double scale, double offset, double* values,
                              std::int64_t* times, std::size_t count) {
  switch (type) {
    case codec::SampleType::int16: return decode_as<std::int16_t>(decoder, bytes, raw, scale, offset, values, times, count);
    case codec::SampleType::int32: return decode_as<std::int32_t>(decoder, bytes, raw, scale, offset, values, times, count);
    case codec::SampleType::int64: return decode_as<std::int64_t>(decoder, bytes, raw, scale, offset, values, times, count);
    case codec::SampleType::float32: return decode_as<float>(decoder, bytes, raw, scale, offset, values, times, count);
    case codec::SampleType::float64: return decode_as<double>(decoder, bytes, raw, scale, offset, values, times, count);
  }
  throw InternalError("unknown sample type");
}

// The index row must describe the block it points at: a row that is sound
// by itself but wrong (count, times, checksum, length) is caught here.
void check_against_row(const codec::BlockInfo& info, const store::BlockRef& ref) {
  auto differs = [](const char* what, auto index, auto header) {
    throw CodecError(std::string("its index row and its header disagree on ") + what + " (index " +
                     std::to_string(index) + ", header " + std::to_string(header) + ")");
  };
  if (info.encoded_size != ref.length) differs("length", ref.length, info.encoded_size);
  if (info.min_ns != ref.first_ns) differs("first time", ref.first_ns, info.min_ns);
  if (info.max_ns != ref.last_ns) differs("last time", ref.last_ns, info.max_ns);
  if (info.checksum != ref.checksum) differs("checksum", ref.checksum, info.checksum);
}

struct ThreadScratch {
  codec::Decoder decoder;
  std::vector<std::byte> raw;
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
  }
}

UnitResult UnitRunner::run(std::int64_t unit_id) {
  const plan::Unit& unit = m_plan.units.at(static_cast<std::size_t>(unit_id));
  const plan::PlannedStream& ps = m_plan.streams.at(static_cast<std::size_t>(unit.stream));
  const SourceStream& stream = m_source.streams().at(static_cast<std::size_t>(m_stream_index[static_cast<std::size_t>(unit.stream)]));
  const std::int64_t begin = m_plan.unit_begin(unit);
  const std::int64_t end = m_plan.unit_end(unit);

  UnitResult result;
  result.finished.unit = unit_id;

  // Fetch (main thread: HDF5 and MPI are not called from worker threads).
  auto t0 = Clock::now();
  const std::vector<store::BlockRef> refs = m_source.blocks(ps.id, begin, end);
  m_source.read(refs, m_bytes);
  result.read_seconds = since(t0);
  result.blocks = static_cast<std::int64_t>(refs.size());
  result.bytes = static_cast<std::int64_t>(m_bytes.size());
  if (m_stop && m_stop("read")) {
    result.abandoned = true;
    return result;
  }

  // Decode every block into its slot of the unit's arrays, in parallel.
  t0 = Clock::now();
  const auto n = refs.size();
  std::vector<std::size_t> byte_at(n + 1, 0), sample_at(n + 1, 0);
  for (std::size_t b = 0; b < n; ++b) {
    byte_at[b + 1] = byte_at[b] + refs[b].length;
    sample_at[b + 1] = sample_at[b] + refs[b].count;
  }
  if (byte_at[n] != m_bytes.size()) throw InternalError("block source returned the wrong number of bytes");
  m_times.resize(sample_at[n]);
  m_values.resize(sample_at[n]);
  std::vector<std::string> failure(n);
  std::vector<std::uint8_t> block_ordered(n, 1);  // times never go backwards inside the block
  Kokkos::parallel_for(
      "tsweep::decode_blocks", Kokkos::RangePolicy<Host, Kokkos::Schedule<Kokkos::Dynamic>>(0, n), [&](std::size_t b) {
        ThreadScratch& s = scratch();
        try {
          if (refs[b].damage != store::RowDamage::none) {
            throw CodecError(std::string("its index row ") + store::row_damage_text(refs[b].damage) +
                             " (damaged /blocks/index row; the block cannot be located)");
          }
          std::int64_t* times = m_times.data() + sample_at[b];
          const codec::BlockInfo info =
              decode_block(stream.type, s.decoder, Span<const std::byte>(m_bytes.data() + byte_at[b], refs[b].length),
                           s.raw, stream.scale, stream.offset, m_values.data() + sample_at[b], times, refs[b].count);
          check_against_row(info, refs[b]);
          bool backwards = false;
          for (std::size_t i = 1; i < refs[b].count; ++i) backwards |= times[i] < times[i - 1];
          block_ordered[b] = !backwards;
        } catch (const std::exception& e) {
          failure[b] = e.what();  // no exception may cross the parallel region
        }
      });

  // Squeeze corrupt blocks out; the sample after one has no known predecessor.
  std::vector<std::int64_t> breaks;
  std::vector<analysis::CorruptSpan> corrupt_spans;
  std::size_t kept = 0;
  bool ordered = true;
  std::int64_t last_time = INT64_MIN;
  for (std::size_t b = 0; b < n; ++b) {
    if (!failure[b].empty()) {
      if (m_fail_on_corrupt) {
        throw CodecError(ps.name + " block " + std::to_string(refs[b].block) + " (" + format_iso8601(refs[b].first_ns) +
                         " .. " + format_iso8601(refs[b].last_ns) + "): " + failure[b] + " (on_corrupt: fail)");
      }
      result.corrupt.push_back({ps.name, refs[b].block, refs[b].first_ns, refs[b].last_ns, failure[b]});
      corrupt_spans.push_back({refs[b].first_ns, refs[b].last_ns});
      breaks.push_back(static_cast<std::int64_t>(kept));
      continue;
    }
    const std::size_t count = refs[b].count;
    if (count > 0) {
      ordered = ordered && block_ordered[b] && m_times[sample_at[b]] >= last_time;
      last_time = m_times[sample_at[b] + count - 1];
    }
    if (kept != sample_at[b]) {
      std::copy_n(m_times.begin() + static_cast<std::ptrdiff_t>(sample_at[b]), count, m_times.begin() + static_cast<std::ptrdiff_t>(kept));
      std::copy_n(m_values.begin() + static_cast<std::ptrdiff_t>(sample_at[b]), count, m_values.begin() + static_cast<std::ptrdiff_t>(kept));
    }
    kept += count;
  }
  m_times.resize(kept);
  m_values.resize(kept);
  if (m_stop && m_stop("decode")) {
    result.abandoned = true;
    return result;
  }

  // Reduce each window in sample order; windows run on the threads.
  analysis::UnitWindows windows{unit.stream, m_plan.window_ns, unit.first_window, unit.windows, begin, end};
  const analysis::UnitReduction reduction(stream.facts, windows,
                                          {m_times, m_values, breaks, corrupt_spans, ordered ? 1 : 0});
  result.samples = reduction.samples();
  auto& rows = result.finished.rows;
  rows.resize(static_cast<std::size_t>(unit.windows));
  Kokkos::parallel_for(
      "tsweep::reduce_windows", Kokkos::RangePolicy<Host, Kokkos::Schedule<Kokkos::Dynamic>>(0, unit.windows),
      [&](std::int64_t i) { rows[static_cast<std::size_t>(i)] = reduction.compute(i); });
  result.compute_seconds = since(t0);
  return result;
}

}  // namespace tsweep::exec
