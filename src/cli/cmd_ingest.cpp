// `tsweep ingest STORE FILE...`: WFDB, EDF/BDF, miniSEED, CSV and HDF5 arrays
// (any number of datasets per file) into a new or existing store, in one
// transaction.

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <iostream>

#include "context.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/store/ingest.hpp"

namespace tsweep::cli {
namespace {
struct IngestArgs {
  std::string store;
  std::vector<std::string> inputs;
  std::string format = "auto";
  std::string prefix;
  std::uint32_t block_samples = 0;
  std::string annotations = "skip";
  std::string csv_time_column;
  std::string csv_time_format = "auto";
  std::vector<std::string> csv_columns;
  std::string rate;
  std::string unit;
  std::vector<std::string> datasets;
  std::string start;
  std::optional<double> scale;
  std::optional<double> offset;
  std::string entropy = "auto";
  bool json = false;
};

store::IngestOptions to_options(const IngestArgs& a) {
  store::IngestOptions o;
  o.format = store::parse_input_format(a.format);
  o.prefix = a.prefix;
  if (a.block_samples) o.block_samples = a.block_samples;
  if (a.annotations != "skip" && a.annotations != "events") {
    throw ConfigError("--annotations '" + a.annotations + "': expected skip or events");
  }
  o.edf_annotations = a.annotations == "events";
  if (a.entropy != "off" && a.entropy != "auto" && a.entropy != "always") {
    throw ConfigError("--entropy-coding '" + a.entropy + "': expected off, auto or always");
  }
  o.encode.entropy = codec::parse_entropy_coding(a.entropy);
  std::int64_t rate = 0;
  if (!a.rate.empty()) {
    const auto r = codec::parse_rate_nhz(a.rate);
    if (!r) throw ConfigError("--rate '" + a.rate + "' is not a rate in hertz (e.g. 360, 62.5)");
    rate = *r;
  }
  o.csv.time_column = a.csv_time_column;
  o.csv.time_format = store::import::parse_csv_time_format(a.csv_time_format);
  o.csv.columns = a.csv_columns;
  o.csv.rate_nhz = rate;
  o.csv.unit = a.unit;
  o.dense.datasets = a.datasets;
  o.dense.rate_nhz = rate;
  o.dense.unit = a.unit;
  o.dense.scale = a.scale;
  o.dense.offset = a.offset;
  if (!a.start.empty()) {
    const auto t = parse_iso8601(a.start);
    if (!t) throw ConfigError("--start '" + a.start + "' is not an ISO-8601 time");
    o.dense.start_ns = *t;
  }
  return o;
}
}  // namespace

void add_ingest_command(CLI::App& app, CommandList& commands) {
  auto a = std::make_shared<IngestArgs>();
  auto* sub =
      app.add_subcommand("ingest", "Import WFDB, EDF/BDF, miniSEED, CSV or HDF5 arrays into a store (one transaction)");
  sub->add_option("store", a->store, "Store to create or extend")->required();
  sub->add_option("inputs", a->inputs, "Files: WFDB .hea (or its .dat/.atr), .edf/.bdf, .mseed, .csv, .h5")->required();
  sub->add_option("--format", a->format, "auto, wfdb, edf, mseed, csv or hdf5")->capture_default_str();
  sub->add_option("--prefix", a->prefix, "Stream names are PREFIX/signal (default: record or file name)");
  sub->add_option("--block-samples", a->block_samples, "Samples per block (default 32768)");
  sub->add_option("--annotations", a->annotations, "EDF+ annotations: skip, or events (an event stream)")
      ->capture_default_str();
  sub->add_option("--csv-time-column", a->csv_time_column, "CSV: the time column (default: the first)");
  sub->add_option("--csv-time-format", a->csv_time_format, "CSV: auto, iso, s, ms, us or ns")->capture_default_str();
  sub->add_option("--csv-columns", a->csv_columns, "CSV: value columns to import (default: all)")->delimiter(',');
  sub->add_option("--rate", a->rate, "HDF5: sample rate in Hz (required); CSV: nominal rate to record");
  sub->add_option("--unit", a->unit, "Unit for CSV columns or an HDF5 array that name none");
  sub->add_option("--dataset", a->datasets,
                  "HDF5: arrays to import (required): paths (/rec/ecg) or patterns ('/signals/*': * ? [..] stay "
                  "in one group); repeat, or separate by commas")
      ->delimiter(',')
      ->allow_extra_args(false);
  sub->add_option("--start", a->start, "HDF5: time of the first sample (ISO-8601, required)");
  sub->add_option("--scale", a->scale, "HDF5: physical = raw * scale + offset");
  sub->add_option("--offset", a->offset, "HDF5: see --scale");
  sub->add_option("--entropy-coding", a->entropy,
                  "Rice-code integer residuals: auto (where smaller), off (fastest decode) or always")
      ->capture_default_str();
  sub->add_flag("--json", a->json, "Print a JSON report on stdout");

  commands.push_back({sub, [a](Context& ctx) {
                        // One process writes; under mpiexec the other ranks wait for its verdict.
                        exec::agreed(ctx.world(), [&] {
                          if (!ctx.world().is_root()) return;
                          const store::IngestReport r = store::ingest(a->store, a->inputs, to_options(*a));
                          for (const auto& n : r.notes) spdlog::warn("{}", n);
                          if (a->json) {
                            std::cout << store::ingest_report_json(r) << std::endl;
                            return;
                          }
                          for (const auto& s : r.streams) {
                            std::cout << fmt::format("{} {:<32} {:>10} samples {:>6} blocks {:>10} bytes{}  from {}",
                                                     s.created ? "new   " : "append", s.name, s.samples, s.blocks,
                                                     s.bytes, s.missing ? fmt::format(" ({} missing)", s.missing) : "",
                                                     s.source)
                                      << '\n';
                          }
                          const double secs = r.read_seconds + r.write_seconds;
                          std::cout << fmt::format(
                                           "ingested {} samples into {} ({} blocks, {:.1f} MiB) in {:.2f} s "
                                           "({:.3g} samples/s)",
                                           r.samples, r.store, r.blocks, static_cast<double>(r.bytes) / (1 << 20), secs,
                                           secs > 0 ? static_cast<double>(r.samples) / secs : 0.0)
                                    << std::endl;
                        });
                        return 0;
                      }});
}

}  // namespace tsweep::cli
