#include "tsweep/store/import/mseed.hpp"

#include <libmseed.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>
#include <vector>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store::import {
namespace {

__extension__ typedef __int128 Int128;

// libmseed reports details through its log; keep the last message for our error.
thread_local std::string g_last_message;
void capture(char* message) {
  g_last_message = message ? message : "";
  while (!g_last_message.empty() && (g_last_message.back() == '\n' || g_last_message.back() == ' '))
    g_last_message.pop_back();
}

// ms_readmsr's reading state (the open file, the last record), released however reading ends.
class RecordReader {
 public:
  explicit RecordReader(std::string path) : m_path(std::move(path)) {}
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;
  ~RecordReader() { ms_readmsr(&m_msr, nullptr, 0, nullptr, nullptr, 0, 0, 0); }

  /// The next record, its samples decoded: MS_NOERROR, MS_ENDOFFILE or an error code.
  int next() { return ms_readmsr(&m_msr, m_path.c_str(), 0, &m_fpos, &m_last, 1, 1, 0); }
  [[nodiscard]] const MSRecord* record() const noexcept { return m_msr; }
  [[nodiscard]] std::int64_t position() const noexcept { return static_cast<std::int64_t>(m_fpos); }

 private:
  std::string m_path;
  MSRecord* m_msr = nullptr;
  off_t m_fpos = 0;
  int m_last = 0;
};

std::string record_id(const MSRecord& r) {
  return std::string(r.network) + "." + r.station + "." + r.location + "." + r.channel;
}

// One data record, decoded: its header's start time and its samples.
struct Record {
  std::int64_t start_ns = 0;
  std::int64_t order = 0;  // position in the file, to keep equal start times in file order
  std::int64_t count = 0;
  std::vector<std::byte> values;
};

// The records of one channel at one rate and sample type.
struct Channel {
  std::string id;
  std::string network, station, location, channel;
  codec::SampleType type = codec::SampleType::int32;
  std::int64_t rate_nhz = 0;
  std::int64_t first_ns = 0;  // earliest record start: the channel's first rate keeps the plain name
  std::vector<Record> records;
};

// True when sample `n` of a regular series falls on a whole nanosecond, so
// that the samples after it are exactly where a segment starting there puts
// them: floor((n + j) * P) == floor(n * P) + floor(j * P) for every j.
bool on_whole_ns(std::int64_t n, std::int64_t rate_nhz) {
  return static_cast<Int128>(n) * 1'000'000'000'000'000'000 % rate_nhz == 0;
}

codec::SampleType sample_type(const std::string& path, const std::string& id, char code) {
  switch (code) {
    case 'i':
      return codec::SampleType::int32;
    case 'f':
      return codec::SampleType::float32;
    case 'd':
      return codec::SampleType::float64;
    default:
      throw IoError(path, id + ": unknown sample type '" + std::string(1, code) + "'");
  }
}

}  // namespace

ImportedFile read_mseed(const std::string& path, const MseedOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "does not exist or is not a file");
  static std::once_flag once;
  std::call_once(once, [] { ms_loginit(capture, nullptr, capture, nullptr); });
  g_last_message.clear();

  ImportedFile out;
  out.path = path;
  out.format = "mseed";

  // Record by record, so that every record keeps its own header start time
  // (libmseed's traces would put merged records on one grid from the first
  // record's start, moving later samples by up to its time tolerance), and a
  // file cut inside a record is noticed (libmseed stops quietly at a short
  // last record).
  std::map<std::tuple<std::string, std::int64_t, int>, Channel> channels;
  std::map<std::string, std::int64_t> text_records;
  std::int64_t end = 0, order = 0;
  int rc;
  RecordReader reader(path);
  while ((rc = reader.next()) == MS_NOERROR) {
    const MSRecord* msr = reader.record();
    end = reader.position() + msr->reclen;
    const std::string id = record_id(*msr);
    const std::string where = " (record at byte " + std::to_string(reader.position()) + ")";
    if (msr->sampletype == 'a') {
      ++text_records[id];
      continue;
    }
    if (msr->numsamples != msr->samplecnt) {
      throw IoError(path, id + ": " + std::to_string(msr->numsamples) + " samples decoded where the header gives " +
                              std::to_string(msr->samplecnt) + where);
    }
    if (msr->numsamples == 0) continue;
    const codec::SampleType type = sample_type(path, id, msr->sampletype);
    const std::int64_t rate_nhz = codec::rate_nhz_from_hz(msr->samprate);
    if (!codec::is_regular_rate(rate_nhz)) {
      throw IoError(path, id + ": sample rate " + std::to_string(msr->samprate) + " Hz is not usable" + where);
    }
    // libmseed keeps times in microseconds (HPTMODULUS per second).
    const std::int64_t start_ns = static_cast<std::int64_t>(msr->starttime) * (1'000'000'000 / HPTMODULUS);
    Channel& c = channels[{id, rate_nhz, static_cast<int>(type)}];
    if (c.records.empty()) {
      c.id = id;
      c.network = msr->network;
      c.station = msr->station;
      c.location = msr->location;
      c.channel = msr->channel;
      c.type = type;
      c.rate_nhz = rate_nhz;
      c.first_ns = start_ns;
    }
    c.first_ns = std::min(c.first_ns, start_ns);
    Record r;
    r.start_ns = start_ns;
    r.order = order++;
    r.count = msr->numsamples;
    const auto* p = static_cast<const std::byte*>(msr->datasamples);
    r.values.assign(p, p + static_cast<std::size_t>(msr->numsamples) * codec::sample_size(type));
    c.records.push_back(std::move(r));
  }
  if (rc != MS_ENDOFFILE) {
    std::string why = ms_errorstr(rc) ? ms_errorstr(rc) : "error";
    if (!g_last_message.empty()) why += ": " + g_last_message;
    throw IoError(path, "is not readable miniSEED (" + why + ")");
  }
  if (channels.empty() && text_records.empty()) throw IoError(path, "holds no miniSEED data records");
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  if (!ec && end != size) {
    throw IoError(path, "is truncated or has trailing bytes: the last whole record ends at byte " +
                            std::to_string(end) + " of " + std::to_string(size));
  }
  for (const auto& [id, n] : text_records)
    out.notes.push_back(id + ": " + std::to_string(n) + " text (log) records skipped");

  // A channel recorded at two rates (or sample types) becomes two streams; the
  // one that starts first keeps the plain name.
  std::vector<Channel*> order_by_name;
  for (auto& [key, c] : channels) order_by_name.push_back(&c);
  std::stable_sort(order_by_name.begin(), order_by_name.end(), [](const Channel* a, const Channel* b) {
    return std::tie(a->id, a->first_ns) < std::tie(b->id, b->first_ns);
  });
  std::map<std::string, int> named;
  for (Channel* c : order_by_name) {
    std::string name = options.prefix.empty() ? c->id : options.prefix + "/" + c->id;
    if (named[c->id]++ > 0) name += "@" + std::to_string(c->rate_nhz) + "nHz";
    ImportedSignal sig;
    sig.spec.name = fit(name, kMaxNameBytes);
    sig.spec.unit = "counts";
    sig.spec.type = c->type;
    sig.spec.rate_nhz = c->rate_nhz;
    sig.spec.attributes = {{"source_format", "miniSEED"},
                           {"source_file", fit(std::filesystem::path(path).filename().string(), kMaxAttrValueBytes)},
                           {"network", c->network},
                           {"station", c->station},
                           {"location", c->location},
                           {"channel", c->channel}};
    Series& s = sig.series;
    s.type = c->type;
    s.rate_nhz = c->rate_nhz;
    // Records in any order: by start time (ties in file order). A record
    // continues the segment before it only when its header time is exactly
    // the time the segment gives its next sample, and that time is a whole
    // nanosecond of the grid (so the record's j-th sample stays at header time
    // + floor(j / rate)); otherwise (a gap, an overlap, or the few
    // microseconds of jitter that real records carry) it starts a segment of
    // its own at its own header time.
    std::sort(c->records.begin(), c->records.end(), [](const Record& a, const Record& b) {
      return std::tie(a.start_ns, a.order) < std::tie(b.start_ns, b.order);
    });
    for (const Record& r : c->records) {
      const std::int64_t begin = s.count();
      s.values.insert(s.values.end(), r.values.begin(), r.values.end());
      if (!s.segments.empty()) {
        Segment& back = s.segments.back();
        if (back.begin + back.count == begin && on_whole_ns(back.count, c->rate_nhz) &&
            codec::sample_time(back.first_ns, c->rate_nhz, back.count) == r.start_ns) {
          back.count += r.count;
          continue;
        }
      }
      s.segments.push_back({r.start_ns, begin, r.count});
    }
    out.signals.push_back(std::move(sig));
  }
  if (out.signals.empty()) throw IoError(path, "holds no data samples");
  return out;
}

}  // namespace tsweep::store::import
