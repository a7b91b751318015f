#include "tsweep/store/import/mseed.hpp"

#include <libmseed.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store::import {
namespace {

// libmseed reports details through its log; keep the last message for our error.
thread_local std::string g_last_message;
void capture(char* message) {
  g_last_message = message ? message : "";
  while (!g_last_message.empty() && (g_last_message.back() == '\n' || g_last_message.back() == ' '))
    g_last_message.pop_back();
}

class TraceGroup {
 public:
  TraceGroup() = default;
  TraceGroup(const TraceGroup&) = delete;
  TraceGroup& operator=(const TraceGroup&) = delete;
  ~TraceGroup() {
    if (m_group) mst_freegroup(&m_group);
  }
  MSTraceGroup** out() noexcept { return &m_group; }
  [[nodiscard]] MSTraceGroup* get() const noexcept { return m_group; }

 private:
  MSTraceGroup* m_group = nullptr;
};

std::string trace_id(const MSTrace& t) {
  return std::string(t.network) + "." + t.station + "." + t.location + "." + t.channel;
}

}  // namespace

ImportedFile read_mseed(const std::string& path, const MseedOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "does not exist or is not a file");
  static std::once_flag once;
  std::call_once(once, [] { ms_loginit(capture, nullptr, capture, nullptr); });
  g_last_message.clear();

  TraceGroup group;
  *group.out() = mst_initgroup(nullptr);
  // Record by record, so that a file cut inside a record is noticed (libmseed
  // stops quietly at a short last record).
  MSRecord* msr = nullptr;
  off_t fpos = 0;
  int last = 0;
  std::int64_t end = 0;
  int rc;
  while ((rc = ms_readmsr(&msr, path.c_str(), 0, &fpos, &last, 1, 1, 0)) == MS_NOERROR) {
    end = static_cast<std::int64_t>(fpos) + msr->reclen;
    if (!mst_addmsrtogroup(group.get(), msr, 0, -1.0, -1.0)) {
      ms_readmsr(&msr, nullptr, 0, nullptr, nullptr, 0, 0, 0);
      throw IoError(path, "cannot add a miniSEED record at byte " + std::to_string(fpos) + " to its trace");
    }
  }
  ms_readmsr(&msr, nullptr, 0, nullptr, nullptr, 0, 0, 0);  // closes the file, frees the record
  if (rc != MS_ENDOFFILE) {
    std::string why = ms_errorstr(rc) ? ms_errorstr(rc) : "error";
    if (!g_last_message.empty()) why += ": " + g_last_message;
    throw IoError(path, "is not readable miniSEED (" + why + ")");
  }
  if (!group.get() || group.get()->numtraces == 0) throw IoError(path, "holds no miniSEED data records");
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(path, ec));
  if (!ec && end != size) {
    throw IoError(path, "is truncated or has trailing bytes: the last whole record ends at byte " +
                            std::to_string(end) + " of " + std::to_string(size));
  }
  // Records in any order: join traces that continue each other, then order by id and time.
  mst_groupheal(group.get(), -1.0, -1.0);
  mst_groupsort(group.get(), 0);

  ImportedFile out;
  out.path = path;
  out.format = "mseed";
  std::map<std::string, std::size_t> by_name;
  for (const MSTrace* t = group.get()->traces; t; t = t->next) {
    const std::string id = trace_id(*t);
    if (t->sampletype == 'a' || t->numsamples == 0) {
      if (t->sampletype == 'a') out.notes.push_back(id + ": text (log) records skipped");
      continue;
    }
    codec::SampleType type;
    switch (t->sampletype) {
      case 'i':
        type = codec::SampleType::int32;
        break;
      case 'f':
        type = codec::SampleType::float32;
        break;
      case 'd':
        type = codec::SampleType::float64;
        break;
      default:
        throw IoError(path, id + ": unknown sample type '" + std::string(1, t->sampletype) + "'");
    }
    const std::int64_t rate_nhz = codec::rate_nhz_from_hz(t->samprate);
    if (!codec::is_regular_rate(rate_nhz))
      throw IoError(path, id + ": sample rate " + std::to_string(t->samprate) + " Hz is not usable");
    std::string name = options.prefix.empty() ? id : options.prefix + "/" + id;
    // A channel recorded at two rates becomes two streams.
    auto it = by_name.find(name);
    if (it != by_name.end()) {
      const auto& existing = out.signals[it->second];
      if (existing.spec.rate_nhz != rate_nhz || existing.spec.type != type) {
        name += "@" + std::to_string(rate_nhz) + "nHz";
        it = by_name.find(name);
      }
    }
    if (it == by_name.end()) {
      ImportedSignal sig;
      sig.spec.name = fit(name, kMaxNameBytes);
      sig.spec.unit = "counts";
      sig.spec.type = type;
      sig.spec.rate_nhz = rate_nhz;
      sig.spec.attributes = {{"source_format", "miniSEED"},
                             {"source_file", fit(std::filesystem::path(path).filename().string(), kMaxAttrValueBytes)},
                             {"network", t->network},
                             {"station", t->station},
                             {"location", t->location},
                             {"channel", t->channel}};
      sig.series.type = type;
      sig.series.rate_nhz = rate_nhz;
      it = by_name.emplace(name, out.signals.size()).first;
      out.signals.push_back(std::move(sig));
    }
    Series& s = out.signals[it->second].series;
    const std::size_t bytes = static_cast<std::size_t>(t->numsamples) * codec::sample_size(type);
    const std::int64_t begin = s.count();
    const auto* p = static_cast<const std::byte*>(t->datasamples);
    s.values.insert(s.values.end(), p, p + bytes);
    // libmseed keeps times in microseconds.
    s.segments.push_back(
        {static_cast<std::int64_t>(t->starttime) * (1'000'000'000 / HPTMODULUS), begin, t->numsamples});
  }
  if (out.signals.empty()) throw IoError(path, "holds no data samples");
  return out;
}

}  // namespace tsweep::store::import
