#include "tsweep/store/ingest.hpp"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "detail/probe.hpp"
#include "detail/uuid.hpp"
#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/store/import/edf.hpp"
#include "tsweep/store/import/mseed.hpp"
#include "tsweep/store/import/wfdb.hpp"
#include "tsweep/core/time.hpp"
#include "tsweep/store/reader.hpp"
#include "tsweep/store/writer.hpp"

namespace tsweep::store {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string lower_extension(const std::string& path) {
  std::string e = fs::path(path).extension().string();
  std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return e;
}

// A WFDB record's header for any of its files (100.hea, 100.dat, 100.atr).
std::string wfdb_header(const std::string& path) {
  return (fs::path(path).parent_path() / (fs::path(path).stem().string() + ".hea")).string();
}

InputFormat sniff(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".hea") return InputFormat::wfdb;
  if ((ext == ".dat" || ext == ".atr") && fs::exists(wfdb_header(path))) return InputFormat::wfdb;
  if (ext == ".edf" || ext == ".bdf" || ext == ".rec") return InputFormat::edf;
  if (ext == ".mseed" || ext == ".mseed2" || ext == ".miniseed" || ext == ".ms" || ext == ".seed")
    return InputFormat::mseed;
  if (ext == ".csv" || ext == ".tsv") return InputFormat::csv;
  if (ext == ".h5" || ext == ".hdf5" || ext == ".he5") return InputFormat::hdf5;
  // By content: HDF5 signature, EDF/BDF version field, miniSEED fixed header.
  if (detail::looks_like_hdf5(path)) return InputFormat::hdf5;
  std::ifstream in(path, std::ios::binary);
  char head[8] = {};
  in.read(head, sizeof head);
  if (in.gcount() == 8) {
    if (std::string(head, 8) == "0       " ||
        (static_cast<unsigned char>(head[0]) == 0xff && std::string(head + 1, 7) == "BIOSEMI")) {
      return InputFormat::edf;
    }
    if (std::all_of(head, head + 6, [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == ' '; }) &&
        std::string("DRQM").find(head[6]) != std::string::npos) {
      return InputFormat::mseed;
    }
  }
  throw ConfigError(path + ": cannot tell the file's format from its name or content; pass --format");
}

// Records without a base date start at the epoch; the time of day alone is kept.
std::int64_t wfdb_start(const import::WfdbRecord& rec) {
  return rec.start_ns().value_or(rec.base_time_of_day_ns.value_or(0));
}

// True when `path`, a file of the record whose header is `header`, is an
// annotation file: neither the header nor one of the signal files it names.
// A .dat file the header does not name is an error, never silently skipped.
bool is_wfdb_annotation_file(const std::string& path, const std::string& header) {
  if (lower_extension(path) == ".hea") return false;
  const import::WfdbRecord rec = import::read_wfdb_header(header);
  std::error_code ec;
  const fs::path self = fs::weakly_canonical(path, ec);
  for (const auto& s : rec.signals) {
    if (fs::weakly_canonical(fs::path(header).parent_path() / s.file_name, ec) == self) return false;
  }
  if (lower_extension(path) == ".dat") {
    throw IoError(path, "is not a signal file of record " + rec.name + " (" + fs::path(header).filename().string() +
                            " does not name it)");
  }
  return true;
}

// An annotation file of a WFDB record as its event stream. (`ImportedFile`
// unqualified: clang-format takes a line that starts with `import` for a C++20
// module import.)
using import::ImportedFile;
ImportedFile from_wfdb_annotations(const std::string& path, const std::string& header,
                                   const std::string& prefix_option) {
  const import::WfdbRecord rec = import::read_wfdb_header(header);
  ImportedFile out;
  out.path = path;
  out.format = "wfdb";
  const std::string prefix = prefix_option.empty() ? rec.name : prefix_option;
  out.signals.push_back(
      import::wfdb_annotation_stream(import::read_wfdb_annotations(path), rec, wfdb_start(rec), prefix));
  return out;
}

import::ImportedFile from_wfdb(const import::WfdbRecord& rec,
                               const std::string& prefix_option){import::ImportedFile out;
out.path = rec.header_path;
out.format = "wfdb";
const std::string prefix = prefix_option.empty() ? rec.name : prefix_option;
const std::int64_t start = wfdb_start(rec);
if (!rec.start_ns()) out.notes.push_back(rec.name + ": the header gives no base date; the record starts at 1970-01-01");
std::set<std::string> names;
std::string comments;
for (const auto& c : rec.comments) comments += (comments.empty() ? "" : " | ") + import::clean_text(c);
for (std::size_t i = 0; i < rec.signals.size(); ++i) {
  const import::WfdbSignal& s = rec.signals[i];
  import::ImportedSignal sig;
  std::string label = import::clean_text(s.description);
  if (label.empty()) label = "signal" + std::to_string(i);
  sig.spec.name = import::fit(prefix + "/" + label, kMaxNameBytes - 4);
  if (!names.insert(sig.spec.name).second) sig.spec.name += "#" + std::to_string(i);
  names.insert(sig.spec.name);
  sig.spec.unit = import::fit(import::clean_text(s.units), kMaxUnitBytes);
  sig.spec.type =
      s.format == 212 || s.format == 16 || s.format == 80 ? codec::SampleType::int16 : codec::SampleType::int32;
  sig.spec.scale = s.scale();
  sig.spec.offset = s.offset();
  sig.spec.rate_nhz = s.rate_nhz;
  sig.spec.attributes = {{"source_format", "WFDB"},
                         {"record", import::fit(rec.name, kMaxAttrValueBytes)},
                         {"signal_file", import::fit(s.file_name, kMaxAttrValueBytes)},
                         {"wfdb_format", std::to_string(s.format)},
                         {"adc_resolution", std::to_string(s.adc_resolution)},
                         {"adc_zero", std::to_string(s.adc_zero)},
                         {"baseline", std::to_string(s.baseline)},
                         {"gain", std::to_string(s.gain)}};
  if (!s.gain_given) sig.spec.attributes.emplace_back("uncalibrated", "the header gives no gain");
  if (!comments.empty()) sig.spec.attributes.emplace_back("comments", import::fit(comments, kMaxAttrValueBytes));
  Series& series = sig.series;
  series.type = sig.spec.type;
  series.rate_nhz = s.rate_nhz;
  // Missing samples are left out: each one ends a segment, so the gap is real.
  const auto n = static_cast<std::int64_t>(s.samples.size());
  std::int64_t seg_begin = -1;
  for (std::int64_t k = 0; k <= n; ++k) {
    const bool present = k < n && (s.missing.empty() || !s.missing[static_cast<std::size_t>(k)]);
    if (present) {
      if (seg_begin < 0) seg_begin = k;
      continue;
    }
    if (seg_begin >= 0) {
      // The record's grid goes on across missing samples: the segment starts on it.
      const codec::RegularTimes first = codec::advance({start, s.rate_nhz, 0}, seg_begin);
      series.segments.push_back({first.first_ns, series.count(), k - seg_begin, first.phase});
      for (std::int64_t j = seg_begin; j < k; ++j) {
        const std::int32_t v = s.samples[static_cast<std::size_t>(j)];
        if (series.type == codec::SampleType::int16) {
          series.push<std::int16_t>(static_cast<std::int16_t>(v));
        } else {
          series.push<std::int32_t>(v);
        }
      }
      seg_begin = -1;
    }
  }
  sig.missing = static_cast<std::int64_t>(s.missing_count);
  out.signals.push_back(std::move(sig));
}
return out;
}  // namespace

}  // namespace tsweep::store

namespace {

// Earliest and latest sample time of a series; nullopt when it is empty.
std::optional<std::pair<std::int64_t, std::int64_t>> series_span(const Series& series) {
  if (series.count() == 0) return std::nullopt;
  if (!series.times.empty()) {
    const auto [lo, hi] = std::minmax_element(series.times.begin(), series.times.end());
    return std::make_pair(*lo, *hi);
  }
  std::int64_t lo = INT64_MAX;
  std::int64_t hi = INT64_MIN;
  for (const auto& seg : series.segments) {
    if (seg.count == 0) continue;
    lo = std::min(lo, seg.first_ns);
    hi = std::max(hi, codec::sample_time(seg.first_ns, series.rate_nhz, seg.count - 1));
  }
  if (lo > hi) return std::nullopt;
  return std::make_pair(lo, hi);
}

// Samples of one stream never overlap in time: a file ingested twice (or two
// recordings of one signal that overlap) would otherwise count its samples
// twice. New data may fill a gap or extend a stream, never cover committed
// samples. Throws ConfigError naming the stream, the store and the input.
void refuse_overlaps(const std::string& store, const std::vector<import::ImportedFile>& files) {
  const Reader reader = Reader::open(store);
  for (const auto& f : files) {
    for (const auto& s : f.signals) {
      const auto id = reader.find_stream(s.spec.name);
      const auto span = series_span(s.series);
      // A stream of another kind is refused with its own message when written.
      if (!id || !span || !same_signal(reader.stream(*id).spec(), s.spec)) continue;
      const auto hit = reader.blocks(*id, span->first, span->second + 1);
      if (hit.empty()) continue;
      std::int64_t lo = INT64_MAX;
      std::int64_t hi = INT64_MIN;
      for (const auto& b : hit) {
        lo = std::min(lo, b.first_ns);
        hi = std::max(hi, b.last_ns);
      }
      throw ConfigError(store + ": stream '" + s.spec.name + "' already holds samples from " +
                        format_iso8601(std::max(lo, span->first)) + " to " +
                        format_iso8601(std::min(hi, span->second)) + " that " + f.path +
                        " gives again (ingested twice?); samples of a stream may not overlap in time");
    }
  }
}

}  // namespace

InputFormat parse_input_format(std::string_view name) {
  if (name == "auto") return InputFormat::automatic;
  if (name == "wfdb") return InputFormat::wfdb;
  if (name == "edf" || name == "bdf") return InputFormat::edf;
  if (name == "mseed" || name == "miniseed") return InputFormat::mseed;
  if (name == "csv") return InputFormat::csv;
  if (name == "hdf5" || name == "h5") return InputFormat::hdf5;
  throw ConfigError("--format '" + std::string(name) + "': expected auto, wfdb, edf, mseed, csv or hdf5");
}

import::ImportedFile read_input(const std::string& path, const IngestOptions& o){std::error_code ec;
if (!fs::exists(path, ec)) throw IoError(path, "does not exist");
if (fs::is_directory(path, ec)) throw IoError(path, "is a directory; name the files to ingest");
const InputFormat format = o.format == InputFormat::automatic ? sniff(path) : o.format;
switch (format) {
  case InputFormat::wfdb: {
    const std::string header = lower_extension(path) == ".hea" ? path : wfdb_header(path);
    const bool annotations = is_wfdb_annotation_file(path, header);
    ImportedFile out = from_wfdb(import::read_wfdb(header), o.prefix);
    if (annotations) out.signals.push_back(std::move(from_wfdb_annotations(path, header, o.prefix).signals.front()));
    return out;
  }
  case InputFormat::edf: {
    import::EdfOptions e;
    e.prefix = o.prefix;
    e.annotations = o.edf_annotations;
    return import::read_edf(path, e);
  }
  case InputFormat::mseed: {
    import::MseedOptions m;
    m.prefix = o.prefix;
    return import::read_mseed(path, m);
  }
  case InputFormat::csv: {
    import::CsvOptions c = o.csv;
    c.prefix = o.prefix;
    return import::read_csv(path, c);
  }
  case InputFormat::hdf5: {
    import::DenseOptions d = o.dense;
    d.prefix = o.prefix;
    return import::read_hdf5_dense(path, d);
  }
  case InputFormat::automatic:
    break;
}
throw InternalError("unhandled input format");
}

IngestReport ingest(const std::string& store, const std::vector<std::string>& inputs, const IngestOptions& o) {
  if (inputs.empty()) throw ConfigError("ingest needs at least one input file");
  IngestReport report;
  report.store = store;
  const auto t0 = Clock::now();

  // 1. Read everything first: a bad input fails before the store is touched.
  std::vector<import::ImportedFile> files;
  std::set<std::string> seen_records, named_annotations;
  auto add = [&](ImportedFile f) {
    for (const auto& n : f.notes) report.notes.push_back(f.path + ": " + n);
    files.push_back(std::move(f));
  };
  for (const auto& path : inputs) {
    const InputFormat f = o.format == InputFormat::automatic ? sniff(path) : o.format;
    if (f != InputFormat::wfdb) {
      add(read_input(path, o));
      continue;
    }
    // 100.hea, 100.dat and 100.atr are one record: its signals are read once;
    // each annotation file named adds its event stream.
    std::error_code ec;
    if (!fs::exists(path, ec)) throw IoError(path, "does not exist");
    const std::string header = lower_extension(path) == ".hea" ? path : wfdb_header(path);
    const bool annotations = is_wfdb_annotation_file(path, header);
    if (seen_records.insert(fs::weakly_canonical(header).string()).second) {
      add(from_wfdb(import::read_wfdb(header), o.prefix));
    }
    if (annotations) {
      named_annotations.insert(fs::weakly_canonical(path).string());
      add(from_wfdb_annotations(path, header, o.prefix));
    }
  }
  // Annotations beside a record are read only when named; say so rather than leave them out unseen.
  for (const auto& header : seen_records) {
    const std::string atr = (fs::path(header).parent_path() / (fs::path(header).stem().string() + ".atr")).string();
    std::error_code ec;
    if (fs::is_regular_file(atr, ec) && !named_annotations.count(fs::weakly_canonical(atr, ec).string())) {
      report.notes.push_back(header + ": annotations in " + fs::path(atr).filename().string() +
                             " not ingested (name the file to ingest them)");
    }
  }
  std::set<std::string> names;
  for (const auto& f : files) {
    for (const auto& s : f.signals) {
      validate(s.spec);
      if (!names.insert(s.spec.name).second) {
        throw ConfigError("two inputs make a stream named '" + s.spec.name + "'; use --prefix to tell them apart");
      }
    }
  }
  report.read_seconds = std::chrono::duration<double>(Clock::now() - t0).count();

  // 2. Write in one transaction.
  const auto t1 = Clock::now();
  std::error_code ec;
  report.created_store = !fs::exists(store, ec);
  if (!report.created_store) refuse_overlaps(store, files);
  const std::string target = report.created_store ? store + ".partial-" + detail::random_uuid().substr(0, 8) : store;
  try {
    Writer w = report.created_store ? Writer::create(target) : Writer::open(store);
    codec::Encoder encoder(o.encode);
    for (const auto& f : files) {
      for (const auto& s : f.signals) {
        IngestedStream row;
        row.name = s.spec.name;
        row.source = f.path;
        row.missing = s.missing;
        std::int64_t id;
        if (const auto existing = w.find_stream(s.spec.name)) {
          id = *existing;
          if (!same_signal(w.stream(id).spec(), s.spec)) {
            throw ConfigError(store + ": stream '" + s.spec.name +
                              "' exists with a different unit, type, scale, "
                              "offset, rate or valid range than " +
                              f.path + " gives");
          }
        } else {
          id = w.add_stream(s.spec);
          row.created = true;
        }
        const codec::RawRange range = raw_range(w.stream(id));
        const std::size_t sample_bytes = codec::sample_size(s.series.type);
        row.blocks = encode_series(
            s.series, o.block_samples, encoder, [&](Span<const std::byte> block, Span<const std::byte> values) {
              // The summary the block's index row keeps, from the samples just encoded.
              w.append(id, block, codec::summarize(s.series.type, values.data(), values.size() / sample_bytes, range));
              row.bytes += static_cast<std::int64_t>(block.size());
            });
        row.samples = s.series.count();
        report.samples += row.samples;
        report.blocks += row.blocks;
        report.bytes += row.bytes;
        report.streams.push_back(std::move(row));
      }
    }
    w.commit();
    w.close();
    if (report.created_store) {
      fs::rename(target, store, ec);
      if (ec) throw IoError(store, "cannot move the new store into place: " + ec.message());
    }
  } catch (...) {
    if (report.created_store) fs::remove(target, ec);
    throw;
  }
  report.write_seconds = std::chrono::duration<double>(Clock::now() - t1).count();
  return report;
}

std::string ingest_report_json(const IngestReport& r) {
  nlohmann::json j{{"store", r.store},
                   {"created_store", r.created_store},
                   {"samples", r.samples},
                   {"blocks", r.blocks},
                   {"bytes", r.bytes},
                   {"read_seconds", r.read_seconds},
                   {"write_seconds", r.write_seconds},
                   {"notes", r.notes}};
  j["streams"] = nlohmann::json::array();
  for (const auto& s : r.streams) {
    j["streams"].push_back({{"name", s.name},
                            {"source", s.source},
                            {"samples", s.samples},
                            {"blocks", s.blocks},
                            {"bytes", s.bytes},
                            {"missing", s.missing},
                            {"created", s.created}});
  }
  return j.dump(2);
}

}  // namespace tsweep::store
