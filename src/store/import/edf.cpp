#include "tsweep/store/import/edf.hpp"

#include "tsweep/core/time.hpp"

#include <edflib.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store::import {
namespace {

__extension__ typedef __int128 Int128;

std::string open_error(int code) {
  switch (code) {
    case EDFLIB_MALLOC_ERROR:
      return "out of memory while reading the header";
    case EDFLIB_NO_SUCH_FILE_OR_DIRECTORY:
      return "cannot be opened";
    case EDFLIB_FILE_CONTAINS_FORMAT_ERRORS:
      return "is not a valid EDF/BDF file (header format errors, or truncated)";
    case EDFLIB_MAXFILES_REACHED:
      return "cannot be opened: too many EDF files open";
    case EDFLIB_FILE_READ_ERROR:
      return "read error (truncated file?)";
    case EDFLIB_FILE_ALREADY_OPENED:
      return "is already open";
    case EDFLIB_FILETYPE_ERROR:
      return "is not an EDF/BDF file";
    case EDFLIB_NUMBER_OF_SIGNALS_INVALID:
      return "has an invalid number of signals";
    case EDFLIB_FILE_IS_DISCONTINUOUS:
      return "is EDF+D/BDF+D (discontinuous), which is not supported: convert it to EDF+C";
    default:
      return "cannot be read by EDFlib (error " + std::to_string(code) + ")";
  }
}

// An open EDFlib handle, closed on scope exit.
class EdfHandle {
 public:
  explicit EdfHandle(int handle) : m_handle(handle) {}
  EdfHandle(const EdfHandle&) = delete;
  EdfHandle& operator=(const EdfHandle&) = delete;
  ~EdfHandle() { edfclose_file(m_handle); }
  [[nodiscard]] int get() const noexcept { return m_handle; }

 private:
  int m_handle;
};

const char* type_name(int filetype) {
  switch (filetype) {
    case EDFLIB_FILETYPE_EDF:
      return "EDF";
    case EDFLIB_FILETYPE_EDFPLUS:
      return "EDF+C";
    case EDFLIB_FILETYPE_BDF:
      return "BDF";
    case EDFLIB_FILETYPE_BDFPLUS:
      return "BDF+C";
    default:
      return "EDF?";
  }
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// The text fields of the ordinary signals, straight from the header bytes.
struct RawSignal {
  std::string label, unit, transducer, prefilter;
};

struct RawHeader {
  std::string bytes;  // the whole header, 256 * (signals + 1) bytes
  std::vector<RawSignal> signals;
  bool non_ascii = false;
};

RawHeader read_raw_header(const std::string& path) {
  RawHeader h;
  std::ifstream in(path, std::ios::binary);
  std::string head(256, '\0');
  if (!in.read(head.data(), 256)) return h;
  int ns = 0;
  try {
    ns = std::stoi(head.substr(252, 4));
  } catch (...) {
    return h;
  }
  if (ns <= 0 || ns > 4096) return h;
  h.bytes = head;
  h.bytes.resize(static_cast<std::size_t>(256) * (ns + 1));
  if (!in.read(h.bytes.data() + 256, static_cast<std::streamsize>(256) * ns)) return {};
  auto field = [&](std::size_t before, std::size_t width, int i) {
    return h.bytes.substr(256 + before * static_cast<std::size_t>(ns) + width * static_cast<std::size_t>(i), width);
  };
  for (int i = 0; i < ns; ++i) {
    RawSignal r{clean_text(field(0, 16, i)), clean_text(field(96, 8, i)), clean_text(field(16, 80, i)),
                clean_text(field(136, 80, i))};
    if (r.label != "EDF Annotations" && r.label != "BDF Annotations") h.signals.push_back(r);
  }
  for (std::size_t i = 0; i < h.bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(h.bytes[i]);
    // BDF's first byte is 0xff by definition.
    if ((c < 32 || c > 126) && i != 0) h.non_ascii = true;
  }
  return h;
}

// A copy of the file whose header's non-ASCII bytes are replaced, for EDFlib,
// which rejects them; removed at scope exit.
class SanitizedCopy {
 public:
  SanitizedCopy(const std::string& path, const RawHeader& raw) {
    std::random_device rd;
    m_path = (std::filesystem::temp_directory_path() /
              ("tsweep-edf-" + std::to_string(rd()) + std::filesystem::path(path).extension().string()))
                 .string();
    std::filesystem::copy_file(path, m_path, std::filesystem::copy_options::overwrite_existing);
    std::string header = raw.bytes;
    for (std::size_t i = 1; i < header.size(); ++i) {
      const auto c = static_cast<unsigned char>(header[i]);
      if (c < 32 || c > 126) header[i] = '_';
    }
    std::fstream f(m_path, std::ios::binary | std::ios::in | std::ios::out);
    f.write(header.data(), static_cast<std::streamsize>(header.size()));
    if (!f) throw IoError(path, "cannot make a cleaned copy of the header in " + m_path);
  }
  SanitizedCopy(const SanitizedCopy&) = delete;
  SanitizedCopy& operator=(const SanitizedCopy&) = delete;
  ~SanitizedCopy() {
    std::error_code ec;
    std::filesystem::remove(m_path, ec);
  }
  [[nodiscard]] const std::string& path() const noexcept { return m_path; }

 private:
  std::string m_path;
};

}  // namespace

ImportedFile read_edf(const std::string& path, const EdfOptions& options) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "does not exist or is not a file");
  auto hdr = std::make_unique<edf_hdr_struct>();
  const int annotation_mode = options.annotations ? EDFLIB_READ_ALL_ANNOTATIONS : EDFLIB_READ_ANNOTATIONS;
  const RawHeader raw = read_raw_header(path);
  std::unique_ptr<SanitizedCopy> copy;
  if (edfopen_file_readonly(path.c_str(), hdr.get(), annotation_mode) != 0) {
    const int code = hdr->filetype;
    // EDFlib refuses headers with non-ASCII bytes ("°" or "µ" in Latin-1 units):
    // read a copy whose header has them replaced, and take the texts from the original.
    if (code != EDFLIB_FILE_CONTAINS_FORMAT_ERRORS || !raw.non_ascii) throw IoError(path, open_error(code));
    copy = std::make_unique<SanitizedCopy>(path, raw);
    if (edfopen_file_readonly(copy->path().c_str(), hdr.get(), annotation_mode) != 0) {
      throw IoError(path, open_error(hdr->filetype));
    }
  }
  const EdfHandle file(hdr->handle);
  const bool use_raw = copy && static_cast<int>(raw.signals.size()) == hdr->edfsignals;
  const bool bdf = hdr->filetype == EDFLIB_FILETYPE_BDF || hdr->filetype == EDFLIB_FILETYPE_BDFPLUS;
  const std::string prefix = options.prefix.empty() ? file_stem(path) : options.prefix;

  ImportedFile out;
  out.path = path;
  out.format = bdf ? "bdf" : "edf";
  if (copy) out.notes.push_back("the header holds non-ASCII bytes; read as Latin-1");
  if (hdr->startdate_month < 1 || hdr->startdate_month > 12 || hdr->startdate_day < 1 || hdr->startdate_day > 31) {
    throw IoError(path, "header has an invalid start date");
  }
  // EDF start times are local clock times without a zone: taken as UTC.
  const std::int64_t start_ns = tsweep::civil_to_ns(hdr->startdate_year, hdr->startdate_month, hdr->startdate_day,
                                            hdr->starttime_hour, hdr->starttime_minute, hdr->starttime_second) +
                                hdr->starttime_subsecond * 100;
  if (hdr->datarecord_duration <= 0) throw IoError(path, "data records have no duration");

  std::set<std::string> names;
  std::vector<int> buffer;
  for (int i = 0; i < hdr->edfsignals; ++i) {
    const edf_param_struct& p = hdr->signalparam[i];
    const RawSignal text = use_raw ? raw.signals[static_cast<std::size_t>(i)]
                                   : RawSignal{clean_text(p.label), clean_text(p.physdimension),
                                               clean_text(p.transducer), clean_text(p.prefilter)};
    std::string label = text.label;
    if (label.empty()) label = "signal" + std::to_string(i);
    ImportedSignal sig;
    StreamSpec& spec = sig.spec;
    spec.name = fit(prefix + "/" + label, kMaxNameBytes - 4);
    if (!names.insert(spec.name).second) spec.name += "#" + std::to_string(i);
    names.insert(spec.name);
    spec.unit = fit(text.unit, kMaxUnitBytes);
    spec.type = bdf ? codec::SampleType::int32 : codec::SampleType::int16;
    if (p.dig_max == p.dig_min) throw IoError(path, "signal '" + label + "': digital minimum equals maximum");
    // physical = (digital - dig_min) * gain + phys_min; a negative gain is fine.
    spec.scale = (p.phys_max - p.phys_min) / static_cast<double>(p.dig_max - p.dig_min);
    spec.offset = p.phys_min - spec.scale * p.dig_min;
    if (!std::isfinite(spec.scale) || spec.scale == 0.0 || !std::isfinite(spec.offset)) {
      throw IoError(path, "signal '" + label + "': physical minimum equals maximum");
    }
    if (p.smp_in_datarecord <= 0) {
      out.notes.push_back("signal '" + label + "' has no samples per record; skipped");
      continue;
    }
    // rate = samples per record / record duration (100 ns units), exactly where it can be.
    const Int128 num = static_cast<Int128>(p.smp_in_datarecord) * 10'000'000'000'000'000LL;
    spec.rate_nhz = static_cast<std::int64_t>((num + hdr->datarecord_duration / 2) / hdr->datarecord_duration);
    if (!codec::is_regular_rate(spec.rate_nhz)) throw IoError(path, "signal '" + label + "': sample rate out of range");
    spec.attributes = {{"source_format", type_name(hdr->filetype)},
                       {"source_file", fit(std::filesystem::path(path).filename().string(), kMaxAttrValueBytes)},
                       {"label", fit(text.label, kMaxAttrValueBytes)},
                       {"physical_min", number(p.phys_min)},
                       {"physical_max", number(p.phys_max)},
                       {"digital_min", std::to_string(p.dig_min)},
                       {"digital_max", std::to_string(p.dig_max)}};
    if (!text.transducer.empty()) spec.attributes.emplace_back("transducer", fit(text.transducer, kMaxAttrValueBytes));
    if (!text.prefilter.empty()) spec.attributes.emplace_back("prefilter", fit(text.prefilter, kMaxAttrValueBytes));

    Series& s = sig.series;
    s.type = spec.type;
    s.rate_nhz = spec.rate_nhz;
    const std::int64_t n = p.smp_in_file;
    s.values.reserve(static_cast<std::size_t>(n) * codec::sample_size(s.type));
    constexpr int kChunk = 1 << 20;
    buffer.resize(kChunk);
    for (std::int64_t at = 0; at < n;) {
      const int want = static_cast<int>(std::min<std::int64_t>(kChunk, n - at));
      const int got = edfread_digital_samples(file.get(), i, want, buffer.data());
      if (got <= 0) {
        throw IoError(path, "signal '" + label + "': only " + std::to_string(at) + " of " + std::to_string(n) +
                                " samples could be read (truncated file?)");
      }
      for (int k = 0; k < got; ++k) {
        if (bdf) {
          s.push<std::int32_t>(buffer[static_cast<std::size_t>(k)]);
        } else {
          s.push<std::int16_t>(static_cast<std::int16_t>(buffer[static_cast<std::size_t>(k)]));
        }
      }
      at += got;
    }
    if (n > 0) s.segments.push_back({start_ns, 0, n});
    out.signals.push_back(std::move(sig));
  }

  const long long annotations = hdr->annotations_in_file;
  if (annotations > 0 && !options.annotations) {
    out.notes.push_back(std::to_string(annotations) + " annotations skipped (--annotations events stores them)");
  } else if (annotations > 0) {
    ImportedSignal sig;
    sig.spec.name = fit(prefix, kMaxNameBytes - 12) + "/annotations";
    sig.spec.unit = "s";
    sig.spec.type = codec::SampleType::float64;
    sig.spec.attributes = {{"source_format", type_name(hdr->filetype)},
                           {"values", "annotation duration in seconds (NaN: none); texts in text.N"}};
    sig.series.type = codec::SampleType::float64;
    edf_annotation_struct a{};
    for (long long k = 0; k < annotations; ++k) {
      if (edf_get_annotation(file.get(), static_cast<int>(k), &a) != 0)
        throw IoError(path, "unreadable annotation " + std::to_string(k));
      sig.series.push<double>(a.duration_l < 0 ? std::nan("") : static_cast<double>(a.duration_l) * 1e-7);
      sig.series.times.push_back(start_ns + a.onset * 100);
      if (k < 50)
        sig.spec.attributes.emplace_back("text." + std::to_string(k),
                                         fit(clean_text(a.annotation), kMaxAttrValueBytes));
    }
    out.signals.push_back(std::move(sig));
  }
  return out;
}

}  // namespace tsweep::store::import
