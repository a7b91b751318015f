#include "tsweep/job/export.hpp"

#include <Kokkos_Core.hpp>
#include <omp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>

#include "epoch_loop.hpp"
#include "progress.hpp"
#include "tsweep/codec/decoder.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/fault.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/core/version.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/exec/signals.hpp"
#include "tsweep/job/coordinator.hpp"
#include "tsweep/job/export_plan.hpp"
#include "tsweep/output/claim.hpp"
#include "tsweep/output/export_file.hpp"

namespace tsweep::job {

using namespace tsweep::exec;  // the MPI runtime the pipeline runs on

namespace {

using Host = Kokkos::DefaultHostExecutionSpace;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Points a rank holds before it asks for an epoch (values and mask: at most
// 36 MiB as float64), so that memory stays bounded and a stop commits quickly.
constexpr std::int64_t max_epoch_points = std::int64_t{1} << 22;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

output::ExportValueType value_type(plan::ExportType t) {
  switch (t) {
    case plan::ExportType::float32: return output::ExportValueType::float32;
    case plan::ExportType::float64: return output::ExportValueType::float64;
    case plan::ExportType::int16: return output::ExportValueType::int16;
    case plan::ExportType::int32: return output::ExportValueType::int32;
    case plan::ExportType::int64: return output::ExportValueType::int64;
  }
  return output::ExportValueType::float32;
}

std::int64_t period_ns(std::int64_t rate_nhz) {
  return static_cast<std::int64_t>((std::int64_t{1'000'000'000} * 1'000'000'000 + rate_nhz - 1) / rate_nhz);
}

struct Decoded {
  std::vector<std::int64_t> times;
  std::vector<double> values;
  std::string failure;  ///< why the block could not be decoded ("" when it was)
};

double as_double(codec::SampleType type, const std::byte* p) {
  auto as = [&](auto v) {
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  };
  switch (type) {
    case codec::SampleType::int16: return as(std::int16_t{});
    case codec::SampleType::int32: return as(std::int32_t{});
    case codec::SampleType::int64: return as(std::int64_t{});
    case codec::SampleType::float32: return as(float{});
    case codec::SampleType::float64: return as(double{});
  }
  return nan;
}

// Rank-local: turns units into points (EXPORT.md, "Resampling").
class ExportRunner {
 public:
  ExportRunner(BlockSource& source, const ExportPlan& plan, const plan::JobConfig& config, int rank)
      : m_rank(rank), m_source(source), m_plan(plan), m_config(config), m_x(config.exporting), m_type(value_type(m_x.dtype)) {
    for (const auto& ps : plan.selection.streams) {
      const auto& all = source.streams();
      const auto it = std::find_if(all.begin(), all.end(), [&](const SourceStream& s) { return s.summary.id == ps.id; });
      if (it == all.end()) throw InternalError("planned stream " + ps.name + " is not in " + source.name());
      m_streams.push_back(&*it);
    }
  }

  struct Result {
    output::FinishedExport finished;
    std::int64_t samples = 0, bytes = 0;
    std::vector<std::pair<std::int64_t, std::string>> corrupt;  ///< block, why
    bool abandoned = false;
  };

  // Main thread: fetch and decode (on the rank's threads), then resample into
  // `reuse`'s buffers (a unit written in an earlier epoch: its pages are
  // already mapped, which on a VM saves more time than the write takes).
  Result run(std::int64_t unit_id, const std::function<bool()>& stop, output::FinishedExport reuse = {}) {
    Result r;
    r.finished = std::move(reuse);
    r.finished.unit = unit_id;
    const plan::Unit& unit = m_plan.units.units.at(static_cast<std::size_t>(unit_id));
    const auto i = static_cast<std::size_t>(unit.stream);
    const output::ExportPlace& place = m_plan.places.at(static_cast<std::size_t>(unit_id));
    const output::ExportGroupLayout& g = m_plan.groups.at(static_cast<std::size_t>(place.group));
    const SourceStream& s = *m_streams[i];
    const std::int64_t t_first = g.time_of(place.first), t_last = g.time_of(place.first + place.points - 1);
    const std::int64_t t_next = g.time_of(place.first + place.points);
    const std::int64_t out_period = period_ns(g.rate_nhz);
    const std::int64_t native_period = m_plan.period_ns[i] > 0 ? m_plan.period_ns[i] : out_period;
    const std::int64_t tolerance = std::max(out_period, native_period) / 2;
    const std::int64_t max_gap = m_x.max_gap_ns > 0 ? m_x.max_gap_ns : native_period + native_period / 2;
    // The samples the unit's points need: [lo, hi].
    std::int64_t lo = 0, hi = 0;
    switch (m_x.method) {
      case plan::Resample::nearest:
        lo = sat_add(t_first, -tolerance), hi = sat_add(t_last, tolerance);
        break;
      case plan::Resample::linear:
        lo = sat_add(t_first, -max_gap), hi = sat_add(t_last, max_gap);
        break;
      case plan::Resample::mean:
        lo = std::max(t_first, m_config.selection.start_ns);
        hi = std::min(t_next, m_config.selection.end_ns) - 1;
        break;
    }
    const auto refs = hi >= lo ? m_source.blocks(s.summary.id, lo, sat_add(hi, 1)) : std::vector<store::BlockRef>{};
    m_source.read(refs, m_bytes);
    r.bytes = static_cast<std::int64_t>(m_bytes.size());
    test_hooks::hold("job.unit", m_rank, [] { return StopSignals::received() != 0; });
    if (stop()) {
      r.abandoned = true;
      return r;
    }
    decode(refs, s, r);
    if (stop()) {
      r.abandoned = true;
      return r;
    }
    // Samples in [lo, hi], in time order (a store may hold backwards times).
    m_t.clear();
    m_v.clear();
    for (const Decoded& d : m_decoded) {
      for (std::size_t k = 0; k < d.times.size(); ++k) {
        if (d.times[k] < lo || d.times[k] > hi) continue;
        m_t.push_back(d.times[k]);
        m_v.push_back(d.values[k]);
      }
    }
    if (!std::is_sorted(m_t.begin(), m_t.end())) {
      std::vector<std::size_t> order(m_t.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return m_t[a] < m_t[b]; });
      std::vector<std::int64_t> t(order.size());
      std::vector<double> v(order.size());
      for (std::size_t k = 0; k < order.size(); ++k) t[k] = m_t[order[k]], v[k] = m_v[order[k]];
      m_t.swap(t);
      m_v.swap(v);
    }
    r.samples = static_cast<std::int64_t>(m_t.size());
    resample(g, place, tolerance, max_gap, r.finished);
    return r;
  }

 private:
  static std::int64_t sat_add(std::int64_t a, std::int64_t b) {
    std::int64_t c = 0;
    if (__builtin_add_overflow(a, b, &c)) return b > 0 ? INT64_MAX : INT64_MIN;
    return c;
  }

  void decode(const std::vector<store::BlockRef>& refs, const SourceStream& s, Result& r) {
    const std::size_t n = refs.size();
    std::vector<std::size_t> at(n + 1, 0);
    for (std::size_t b = 0; b < n; ++b) at[b + 1] = at[b] + refs[b].length;
    if (at[n] != m_bytes.size()) throw InternalError("block source returned the wrong number of bytes");
    m_decoded.resize(n);
    const std::size_t width = codec::sample_size(s.type);
    const bool physical = m_x.physical;
#pragma omp parallel for schedule(dynamic, 1) num_threads(Host::concurrency())
    for (std::size_t b = 0; b < n; ++b) {
      thread_local codec::Decoder decoder;
      thread_local std::vector<std::byte> raw;
      Decoded& d = m_decoded[b];
      d.failure.clear();
      d.times.clear();
      d.values.clear();
      const store::BlockRef& ref = refs[b];
      try {
        const Span<const std::byte> bytes(m_bytes.data() + at[b], ref.length);
        store::check_before_decode(ref, bytes, s.type);
        raw.resize(std::size_t{ref.count} * width);
        d.times.resize(ref.count);
        const codec::BlockInfo info = decoder.decode(bytes, Span<std::byte>(raw), Span<std::int64_t>(d.times));
        store::check_decoded(info, ref);
        d.values.resize(ref.count);
        for (std::size_t k = 0; k < ref.count; ++k) {
          const double v = as_double(s.type, raw.data() + k * width);
          d.values[k] = physical ? v * s.scale + s.offset : v;
        }
      } catch (const std::exception& e) {
        d.failure = e.what();
        d.times.clear();
        d.values.clear();
      }
    }
    for (std::size_t b = 0; b < n; ++b) {
      if (m_decoded[b].failure.empty()) continue;
      if (m_config.on_corrupt == plan::OnCorrupt::fail) {
        throw CodecError(s.summary.name + " block " + std::to_string(refs[b].block) + " (" +
                         format_iso8601(refs[b].first_ns) + " .. " + format_iso8601(refs[b].last_ns) +
                         "): " + m_decoded[b].failure + " (on_corrupt: fail)");
      }
      r.corrupt.emplace_back(refs[b].block, s.summary.name + " block " + std::to_string(refs[b].block) + " (" +
                                                format_iso8601(refs[b].first_ns) + " .. " +
                                                format_iso8601(refs[b].last_ns) + "): " + m_decoded[b].failure);
    }
  }

  void resample(const output::ExportGroupLayout& g, const output::ExportPlace& place, std::int64_t tolerance,
                std::int64_t max_gap, output::FinishedExport& out) const {
    const auto points = static_cast<std::size_t>(place.points);
    const std::size_t width = output::value_size(m_type);
    out.values.resize(points * width);
    out.mask.assign(points, 0);
    const std::int64_t* t = m_t.data();
    const double* v = m_v.data();
    const std::size_t n = m_t.size();
    const std::int64_t sel_start = m_config.selection.start_ns, sel_end = m_config.selection.end_ns;
    const plan::Resample method = m_x.method;
    // Points are independent: any thread may compute any stretch of them.
    constexpr std::size_t stretch = 4096;
    const std::size_t stretches = (points + stretch - 1) / stretch;
#pragma omp parallel for schedule(static) num_threads(Host::concurrency())
    for (std::size_t c = 0; c < stretches; ++c) {
      const std::size_t p0 = c * stretch, p1 = std::min(points, p0 + stretch);
      std::int64_t grid[stretch + 1];  // the stretch's point times and the next point's
      g.times(place.first + static_cast<std::int64_t>(p0), p1 - p0 + 1, grid);
      std::size_t j = std::lower_bound(t, t + n, grid[0]) - t;
      for (std::size_t p = p0; p < p1; ++p) {
        const std::int64_t tp = grid[p - p0];
        while (j < n && t[j] < tp) ++j;  // t[j] is the first sample at or after tp
        double value = nan;
        switch (method) {
          case plan::Resample::nearest: {
            // The nearest sample within the tolerance; the earlier one on a tie.
            const bool before = j > 0 && tp - t[j - 1] <= tolerance;
            const bool after = j < n && t[j] - tp <= tolerance;
            if (before && (!after || tp - t[j - 1] <= t[j] - tp)) {
              value = v[j - 1];
            } else if (after) {
              value = v[j];
            }
            break;
          }
          case plan::Resample::linear: {
            if (j < n && t[j] == tp) {
              value = v[j];
            } else if (j > 0 && j < n && t[j] - t[j - 1] <= max_gap) {
              const double f = static_cast<double>(tp - t[j - 1]) / static_cast<double>(t[j] - t[j - 1]);
              value = v[j - 1] + (v[j] - v[j - 1]) * f;
            }
            break;
          }
          case plan::Resample::mean: {
            const std::int64_t a = std::max(tp, sel_start);
            const std::int64_t b = std::min(grid[p - p0 + 1], sel_end);
            double sum = 0;
            std::int64_t count = 0;
            for (std::size_t k = j; k < n && t[k] < b; ++k) {
              if (t[k] >= a && !std::isnan(v[k])) {
                sum += v[k];
                ++count;
              }
            }
            if (count > 0) value = sum / static_cast<double>(count);
            break;
          }
        }
        const bool valid = !std::isnan(value);
        out.mask[p] = valid ? 1 : 0;
        std::byte* dst = out.values.data() + p * width;
        auto put = [&](auto x) { std::memcpy(dst, &x, sizeof x); };
        switch (m_type) {
          case output::ExportValueType::float32: put(static_cast<float>(value)); break;
          case output::ExportValueType::float64: put(value); break;
          case output::ExportValueType::int16: put(static_cast<std::int16_t>(valid ? std::llround(value) : 0)); break;
          case output::ExportValueType::int32: put(static_cast<std::int32_t>(valid ? std::llround(value) : 0)); break;
          case output::ExportValueType::int64: put(static_cast<std::int64_t>(valid ? std::llround(value) : 0)); break;
        }
      }
    }
  }

  int m_rank;
  BlockSource& m_source;
  const ExportPlan& m_plan;
  const plan::JobConfig& m_config;
  const plan::ExportSettings& m_x;
  output::ExportValueType m_type;
  std::vector<const SourceStream*> m_streams;
  std::vector<std::byte> m_bytes;
  std::vector<Decoded> m_decoded;
  std::vector<std::int64_t> m_t;
  std::vector<double> m_v;
};

}  // namespace

std::string ExportSummary::json() const {
  nlohmann::json j = detail::summary_json(
      {output, units, units_run, samples, bytes_read, corrupt_blocks, epochs, seconds, all_collective});
  j["groups"] = groups;
  j["streams"] = streams;
  j["points"] = points;
  j["bytes_written"] = bytes_written;
  j["write_seconds"] = write_seconds;
  j["write_bytes_per_second"] = write_seconds > 0 ? static_cast<double>(bytes_written) / write_seconds : 0.0;
  return j.dump(2);
}

ExportSummary run_export(const Comm& world, BlockSource& source, const JobOptions& options, const Launch& launch) {
  const auto started = Clock::now();
  const auto started_wall = std::chrono::system_clock::now();
  const plan::JobConfig& config = options.config;
  const plan::ExportSettings& x = config.exporting;
  const std::string& path = x.output;
  StopSignals signals;

  // Plan: every rank plans from the same stream table; the digests must agree.
  const ExportPlan plan = agreed(world, [&] {
    maybe_inject_fault("open", world.rank());
    return make_export_plan(source.streams(), config, source.name());
  });
  const std::uint64_t digest = export_plan_digest(plan);
  detail::agree_on_plan(world, digest, source.name());

  // One writer per output, as for `run`.
  const output::OutputClaim claim(world, path, output::claim_timing_from_env());
  output::ExportIdentity identity;
  {
    const store::StoreIdentity id = source.identity();
    identity.store_path = config.store;
    identity.store_uuid = id.uuid;
    identity.store_blocks = id.blocks;
    identity.store_streams = id.streams;
    identity.config = config.export_key();
    identity.method = plan::resample_name(x.method);
    identity.physical = x.physical;
    identity.dtype = value_type(x.dtype);
    identity.chunk_streams = x.chunk_streams;
    identity.chunk_time = x.chunk_time;
    identity.plan_digest = digest;
  }
  ExportSummary summary;
  summary.units = static_cast<std::int64_t>(plan.units.units.size());
  summary.groups = static_cast<std::int64_t>(plan.groups.size());
  summary.streams = static_cast<std::int64_t>(plan.selection.streams.size());
  for (const auto& g : plan.groups) summary.points += g.points * static_cast<std::int64_t>(g.streams.size());
  summary.output = path;
  const auto state = options.resume ? output::ExportFile::state(world, path, config.store) : output::ExportFile::State::none;
  if (!detail::start_or_continue(world, options.resume, state == output::ExportFile::State::complete,
                                 state == output::ExportFile::State::none, path, "export")) {
    return summary;
  }
  output::ExportFile file = state == output::ExportFile::State::partial
                                ? output::ExportFile::resume(world, path, plan.groups, plan.places, identity)
                                : output::ExportFile::create(world, path, plan.groups, plan.places, identity, options.force);
  const std::vector<bool> committed = file.committed();
  const auto committed_before = std::count(committed.begin(), committed.end(), true);
  if (world.is_root()) {
    std::string grids;
    for (const auto& g : plan.groups) {
      grids += fmt::format("{}{} ({} streams x {} points)", grids.empty() ? "" : ", ", g.name, g.streams.size(), g.points);
    }
    spdlog::info("export plan: {} streams on {} grid(s): {}; {} units{}", plan.selection.streams.size(),
                 plan.groups.size(), grids, plan.units.units.size(),
                 committed_before ? fmt::format(" ({} already committed)", committed_before) : std::string());
  }

  Coordinator coordinator(world);
  detail::UnitQueue queue(plan.units, committed, config.assignment, world, coordinator);
  std::int64_t remaining_cost = 0;
  for (const auto& u : plan.units.units) remaining_cost += committed[static_cast<std::size_t>(u.id)] ? 0 : u.cost;
  Progress progress(detail::progress_wanted(options.progress) && world.is_root(),
                    static_cast<std::int64_t>(plan.units.units.size()), committed_before, remaining_cost,
                    config.progress_ns);
  detail::EpochLoop loop(world, coordinator, progress);
  ExportRunner runner(source, plan, config, world.rank());
  const std::size_t width = output::value_size(identity.dtype);

  std::vector<output::FinishedExport> finished;
  std::vector<output::FinishedExport> spare;  // written units' buffers, for the next ones
  std::set<std::int64_t> corrupt;
  std::int64_t units_run = 0, samples = 0, bytes_read = 0, bytes_written = 0;
  auto work = [&]() -> detail::Step {
    detail::Step step;
    const std::int64_t unit = queue.next();
    if (unit < 0) {
      step.out_of_work = true;
      return step;
    }
    maybe_inject_fault("unit", world.rank());
    output::FinishedExport reuse;
    if (!spare.empty()) {
      reuse = std::move(spare.back());
      spare.pop_back();
    }
    ExportRunner::Result r = runner.run(unit, [&] { return loop.stop_now(); }, std::move(reuse));
    if (r.abandoned) {  // a stop: the unit stays uncommitted, a resume runs it
      step.stop = true;
      return step;
    }
    for (const auto& [block, why] : r.corrupt) {
      if (corrupt.insert(block).second) spdlog::warn("corrupt block {}: its samples are exported as a gap", why);
    }
    ++units_run;
    samples += r.samples;
    bytes_read += r.bytes;
    coordinator.add_progress(1, r.samples);
    step.ran = true;
    step.items = static_cast<std::int64_t>(r.finished.mask.size());
    bytes_written += step.items * static_cast<std::int64_t>(width + 1);
    finished.push_back(std::move(r.finished));
    return step;
  };
  auto commit = [&] {
    const bool collective = file.write_epoch(finished);
    for (auto& f : finished) spare.push_back(std::move(f));  // at most an epoch's worth
    finished.clear();
    return collective;
  };
  const detail::EpochsOutcome outcome = loop.run(config.checkpoint_ns, max_epoch_points, work, commit);
  summary.epochs = outcome.epochs;
  summary.all_collective = outcome.all_collective;
  summary.write_seconds = outcome.write_seconds;

  std::int64_t totals[4] = {units_run, samples, bytes_read, bytes_written};
  std::int64_t sums[4] = {0, 0, 0, 0};
  check_mpi(MPI_Allreduce(totals, sums, 4, MPI_INT64_T, MPI_SUM, world.get()), "MPI_Allreduce(summary)");
  summary.units_run = sums[0];
  summary.samples = sums[1];
  summary.bytes_read = sums[2];
  summary.bytes_written = sums[3];
  summary.corrupt_blocks = detail::distinct_blocks(world, corrupt);
  const int stop_signal = outcome.stop_signal;
  const bool complete = stop_signal == 0;
  summary.seconds = since(started);

  json provenance;
  if (world.is_root()) {
    provenance = detail::provenance_json(world, {"export", started_wall, summary.seconds, launch, options,
                                                 committed_before, stop_signal, summary.epochs});
    provenance["export"] = config.export_key();
    provenance["write_seconds"] = outcome.write_seconds;
    provenance["samples"] = summary.samples;
    provenance["corrupt_blocks"] = summary.corrupt_blocks;
  }
  file.write_provenance(world.is_root() ? provenance.dump() : std::string());
  if (!complete) detail::throw_stopped(stop_signal, committed_before + summary.units_run, summary.units, options.resume_command);
  file.finish();
  if (world.is_root()) {
    spdlog::info("done: {} units, {} samples onto {} points in {:.2f} s, {} corrupt block(s)", summary.units_run,
                 summary.samples, summary.points, summary.seconds, summary.corrupt_blocks);
  }
  return summary;
}

}  // namespace tsweep::job
