// A job over a real generated store (anomalies and corrupt blocks) equals a
// straightforward computation from the generator's own samples: no decoding,
// no units, no threads, no results-file round trip in the reference. For
// integer streams mean and std equal the exact values, correctly rounded,
// computed here with big integers.

#include <gtest/gtest.h>
#include <hdf5.h>


#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "exact_rounding.hpp"
#include "mpi_env.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/job/job.hpp"
#include "tsweep/job/store_source.hpp"
#include "tsweep/store/generate.hpp"

namespace tsweep::job {
using namespace tsweep::exec;  // Comm, agree, test hooks: the runtime the pipeline runs on
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t minute = 60'000'000'000;

struct Sample {
  std::int64_t t;
  double v;          ///< physical value
  std::int64_t raw;  ///< the raw sample: integer streams its value, float streams its bits as a double
  bool no_previous;
};

// The population standard deviation sqrt(D)/n (D = n·Q − S²) correctly rounded
// to double, found by brute force: the one candidate near the long double
// estimate whose rounding interval holds the exact value.
double exact_std(const boost::multiprecision::cpp_int& dd, std::int64_t n) {
  if (dd == 0) return 0.0;
  const double guess = static_cast<double>(std::sqrt(static_cast<long double>(dd)) / static_cast<long double>(n));
  double y = guess;
  for (int step = 0; step < 8; ++step) y = std::nextafter(y, 0.0);
  for (int step = 0; step < 16; ++step, y = std::nextafter(y, HUGE_VAL)) {
    if (test::is_rounded_sqrt_ratio(y, dd, n)) return y;
  }
  ADD_FAILURE() << "no correctly rounded candidate near " << guess;
  return guess;
}

// Every sample of a stream in time order as the store holds it, without the corrupt blocks.
std::vector<Sample> stream_samples(const store::synth::Generator& gen, std::int64_t stream,
                                   const std::set<std::int64_t>& corrupt, std::int64_t first_block) {
  const store::StreamSpec spec = gen.spec(stream);
  std::vector<Sample> out;
  bool after_corrupt = true;  // the stream's first sample has no predecessor
  const auto plans = gen.blocks(stream);
  for (std::size_t b = 0; b < plans.size(); ++b) {
    if (corrupt.count(first_block + static_cast<std::int64_t>(b))) {
      after_corrupt = true;
      continue;
    }
    const auto& plan = plans[b];
    std::vector<std::byte> raw(plan.count * codec::sample_size(spec.type));
    std::vector<std::int64_t> times(plan.count);
    gen.fill(stream, plan, raw, times);
    for (std::uint32_t i = 0; i < plan.count; ++i) {
      double v = 0;
      std::int64_t r = 0;
      switch (spec.type) {
        case codec::SampleType::int16: { std::int16_t x; std::memcpy(&x, raw.data() + 2 * i, 2); r = x; v = x; break; }
        case codec::SampleType::int32: { std::int32_t x; std::memcpy(&x, raw.data() + 4 * i, 4); r = x; v = x; break; }
        case codec::SampleType::int64: { std::int64_t x; std::memcpy(&x, raw.data() + 8 * i, 8); r = x; v = static_cast<double>(x); break; }
        case codec::SampleType::float32: { float x; std::memcpy(&x, raw.data() + 4 * i, 4); v = x; std::memcpy(&r, &v, 8); break; }
        case codec::SampleType::float64: { std::memcpy(&v, raw.data() + 8 * i, 8); std::memcpy(&r, &v, 8); break; }
      }
      out.push_back({times[i], v * spec.scale + spec.offset, r, after_corrupt});
      after_corrupt = false;
    }
  }
  return out;
}

template <class T>
std::vector<T> column(hid_t file, const std::string& name, hid_t type) {
  const hid_t d = H5Dopen2(file, ("/windows/" + name).c_str(), H5P_DEFAULT);
  const hid_t space = H5Dget_space(d);
  std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
  H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(space);
  H5Dclose(d);
  return out;
}

TEST(RunOnStore, WindowsEqualStraightforwardComputationFromGeneratorSamples) {
  const auto& world = test::world();
  std::string dir;
  if (world.is_root()) {
    dir = (fs::temp_directory_path() / ("tsweep-runstore-" + std::to_string(::getpid()))).string();
    fs::create_directories(dir);
  }
  dir = broadcast_string(world, dir);

  store::GenerateOptions gen_options;
  gen_options.config.seed = 42;
  gen_options.config.streams = 8;
  gen_options.config.duration_ns = 20 * minute;
  gen_options.config.block_samples = 4096;
  gen_options.config.gap_probability = 0.15;
  gen_options.config.flat_probability = 0.2;
  gen_options.corrupt_blocks = 4;
  const store::GenerateReport report = store::generate_bulk(world, dir + "/store.h5", gen_options);
  ASSERT_EQ(report.corrupted.size(), 4u);

  JobOptions options;
  options.config.store = dir + "/store.h5";
  options.config.output = dir + "/results.h5";
  options.config.window_ns = minute;
  options.config.unit_samples = 50000;  // several units per stream: boundaries inside streams
  options.config.checkpoint_ns = 1;
  // Decode every block: the damaged blocks must be flagged, and only decoding
  // reads them (a window that covers one whole would take its stored summary).
  options.config.summaries = false;
  options.progress = ProgressMode::never;
  JobSummary summary;
  {
    auto source = open_store_source(world, options.config.store);
    summary = run_job(world, *source, options, {});
  }
  EXPECT_EQ(summary.corrupt_blocks >= 4, true);
  if (!world.is_root()) {
    world.barrier();
    return;
  }

  const store::synth::Generator gen(gen_options.config);
  std::set<std::int64_t> corrupt;
  for (const auto& c : report.corrupted) corrupt.insert(c.block);
  const hid_t file = H5Fopen(options.config.output.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  const auto count = column<std::int64_t>(file, "count", H5T_NATIVE_INT64);
  const auto start = column<std::int64_t>(file, "start", H5T_NATIVE_INT64);
  const auto stream_col = column<std::int32_t>(file, "stream", H5T_NATIVE_INT32);
  const auto mean = column<double>(file, "mean", H5T_NATIVE_DOUBLE);
  const auto stddev = column<double>(file, "std", H5T_NATIVE_DOUBLE);
  const auto vmin = column<double>(file, "min", H5T_NATIVE_DOUBLE);
  const auto vmax = column<double>(file, "max", H5T_NATIVE_DOUBLE);
  const auto gaps = column<std::int64_t>(file, "gaps", H5T_NATIVE_INT64);
  const auto longest_gap = column<std::int64_t>(file, "longest_gap", H5T_NATIVE_INT64);
  const auto nans = column<std::int64_t>(file, "nan_count", H5T_NATIVE_INT64);
  const auto out_of_range = column<std::int64_t>(file, "out_of_range", H5T_NATIVE_INT64);
  const auto flat = column<std::int64_t>(file, "longest_flat_run", H5T_NATIVE_INT64);
  const auto dups = column<std::int64_t>(file, "duplicate_times", H5T_NATIVE_INT64);
  const auto expected = column<std::int64_t>(file, "expected", H5T_NATIVE_INT64);
  const auto missing = column<std::int64_t>(file, "missing", H5T_NATIVE_INT64);
  const auto corrupt_col = column<std::int64_t>(file, "corrupt_blocks", H5T_NATIVE_INT64);
  H5Fclose(file);

  std::int64_t first_block = 0, row = 0, windows_with_gaps = 0, windows_with_flags = 0, exact_windows = 0;
  for (std::int64_t s = 0; s < gen.stream_count(); ++s) {
    const store::StreamSpec spec = gen.spec(s);
    const auto samples = stream_samples(gen, s, corrupt, first_block);
    std::int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& x : samples) {
      lo = std::min(lo, x.t);
      hi = std::max(hi, x.t);
    }
    // The stream's span counts corrupt blocks too (the index knows their times).
    for (const auto& c : report.corrupted) {
      if (c.stream == s) {
        lo = std::min(lo, c.first_ns);
        hi = std::max(hi, c.last_ns);
      }
    }
    const std::int64_t k0 = lo / minute, k1 = hi / minute;
    const double period = spec.rate_nhz ? 1e18 / static_cast<double>(spec.rate_nhz) : 0.0;
    for (std::int64_t k = k0; k <= k1; ++k, ++row) {
      SCOPED_TRACE(spec.name + " window " + std::to_string(k - k0));
      ASSERT_EQ(stream_col[static_cast<std::size_t>(row)], s);
      ASSERT_EQ(start[static_cast<std::size_t>(row)], k * minute);
      std::int64_t n = 0, present = 0, g = 0, lg = 0, nan = 0, oor = 0, run = 0, best = 0, dup = 0;
      long double sum = 0;
      boost::multiprecision::cpp_int isum = 0, isquares = 0;  // integer streams: exact
      double mn = INFINITY, mx = -INFINITY;
      std::int64_t last = 0;
      std::vector<double> kept;
      for (std::size_t j = 0; j < samples.size(); ++j) {
        const auto& x = samples[j];
        if (x.t < k * minute || x.t >= (k + 1) * minute) continue;
        ++present;
        if (!x.no_previous) {
          const std::int64_t dt = x.t - samples[j - 1].t;
          if (dt == 0) ++dup;
          else if (dt > 0 && period > 0 && static_cast<double>(dt) > 1.5 * period) { ++g; lg = std::max(lg, dt); }
        }
        run = std::isnan(x.v) ? 0 : (run > 0 && x.raw == last) ? run + 1 : 1;  // identical raw values; NaN: no run
        last = x.raw;
        best = std::max(best, run);
        if (std::isnan(x.v)) { ++nan; continue; }
        if ((!std::isnan(spec.valid_min) && x.v < spec.valid_min) || (!std::isnan(spec.valid_max) && x.v > spec.valid_max)) ++oor;
        ++n;
        sum += x.v;
        isum += x.raw;
        isquares += boost::multiprecision::cpp_int(x.raw) * x.raw;
        mn = std::min(mn, x.v);
        mx = std::max(mx, x.v);
        kept.push_back(x.v);
      }
      const auto i = static_cast<std::size_t>(row);
      EXPECT_EQ(count[i], n);
      EXPECT_EQ(nans[i], nan);
      EXPECT_EQ(gaps[i], g);
      EXPECT_EQ(longest_gap[i], lg);
      EXPECT_EQ(out_of_range[i], oor);
      EXPECT_EQ(flat[i], best);
      EXPECT_EQ(dups[i], dup);
      if (n > 0) {
        const long double m = sum / static_cast<long double>(n);
        long double sq = 0;
        for (double v : kept) sq += (v - m) * (v - m);
        EXPECT_EQ(vmin[i], mn);
        EXPECT_EQ(vmax[i], mx);
        EXPECT_NEAR(mean[i], static_cast<double>(m), 1e-9 * std::max(1.0L, std::fabs(m)));
        EXPECT_NEAR(stddev[i], static_cast<double>(std::sqrt(sq / n)), 1e-7 * std::max(1.0, static_cast<double>(std::sqrt(sq / n))));
        if (!codec::is_floating(spec.type)) {
          // Exact: the raw mean and standard deviation correctly rounded, then scaled.
          ASSERT_LT(boost::multiprecision::abs(isum), boost::multiprecision::cpp_int(1) << 53);
          const double raw_mean = static_cast<double>(isum) / static_cast<double>(n);  // both exact: one IEEE rounding
          EXPECT_EQ(mean[i], raw_mean * spec.scale + spec.offset);
          const boost::multiprecision::cpp_int dd = isquares * n - isum * isum;
          EXPECT_EQ(stddev[i], exact_std(dd, n) * std::fabs(spec.scale));
          ++exact_windows;
        }
      } else {
        EXPECT_TRUE(std::isnan(mean[i]));
      }
      // Nominal instants from the stream's first sample, counted one by one.
      std::int64_t e = 0;
      if (spec.rate_nhz > 0) {
        const std::int64_t a = std::max(k * minute, lo), b = std::min((k + 1) * minute, hi + 1);
        for (std::int64_t idx = codec::first_index_at_or_after(lo, spec.rate_nhz, a);; ++idx) {
          if (codec::sample_time(lo, spec.rate_nhz, idx) >= b) break;
          ++e;
        }
      }
      EXPECT_EQ(expected[i], e);
      EXPECT_EQ(missing[i], std::max<std::int64_t>(0, e - present));
      std::int64_t c = 0;
      for (const auto& cb : report.corrupted) c += (cb.stream == s && cb.first_ns < (k + 1) * minute && cb.last_ns >= k * minute);
      EXPECT_EQ(corrupt_col[i], c);
      windows_with_gaps += g > 0;
      windows_with_flags += (nan + oor + dup + c) > 0;
    }
    first_block += gen.block_count(s);
  }
  EXPECT_EQ(row, static_cast<std::int64_t>(count.size()));
  EXPECT_GT(windows_with_gaps, 0) << "the store should have gaps to check";
  EXPECT_GT(exact_windows, 0) << "the store should have integer streams to check exactly";
  EXPECT_GT(windows_with_flags, 0) << "the store should have NaNs, spikes, duplicates and corrupt blocks to check";
  fs::remove_all(dir);
  world.barrier();
}

}  // namespace
}  // namespace tsweep::job
