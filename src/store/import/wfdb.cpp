#include "tsweep/store/import/wfdb.hpp"

#include "tsweep/core/time.hpp"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string_view>
#include <system_error>

#include "tsweep/codec/time.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::store::import {
namespace {

struct Token {
  std::string_view text;
  std::size_t pos;  // offset in the line
};

std::vector<Token> tokenize(std::string_view line) {
  std::vector<Token> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
    if (i > start) out.push_back({line.substr(start, i - start), start});
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

/// Header parsing state: names the file and line in every error.
class HeaderParser {
 public:
  explicit HeaderParser(std::string path) : m_path(std::move(path)) {}

  [[noreturn]] void error(const std::string& what) const {
    throw IoError(m_path, m_line ? "line " + std::to_string(m_line) + ": " + what : what);
  }
  void at_line(std::size_t line) { m_line = line; }

  template <class I>
  I integer(std::string_view s, const char* what) const {
    I v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      error(std::string(what) + " '" + std::string(s) + "' is not an integer");
    }
    return v;
  }

  double real(std::string_view s, const char* what) const {
    double v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) {
      error(std::string(what) + " '" + std::string(s) + "' is not a number");
    }
    return v;
  }

  void record_line(std::string_view line, WfdbRecord& rec) const;
  void signal_line(std::string_view line, const WfdbRecord& rec, WfdbSignal& sig) const;

 private:
  std::string m_path;
  std::size_t m_line = 0;
};

void HeaderParser::record_line(std::string_view line, WfdbRecord& rec) const {
  const std::vector<Token> t = tokenize(line);
  if (t.size() < 2) error("record line needs a name and a number of signals");
  if (t[0].text.find('/') != std::string_view::npos) {
    error("record '" + std::string(t[0].text) + "' has segments; multi-segment records are not supported");
  }
  rec.name = std::string(t[0].text);
  const int nsig = integer<int>(t[1].text, "number of signals");
  if (nsig < 0 || nsig > 100000) error("number of signals " + std::to_string(nsig) + " is out of range");
  rec.signals.resize(static_cast<std::size_t>(nsig));
  if (t.size() > 2) {
    // freq[/counterfreq[(basecounter)]]
    std::string_view f = t[2].text;
    const std::size_t slash = f.find('/');
    std::string_view freq = f.substr(0, slash);
    rec.frame_frequency_hz = real(freq, "sampling frequency");
    if (slash != std::string_view::npos) {
      std::string_view cf = f.substr(slash + 1);
      const std::size_t paren = cf.find('(');
      rec.counter_frequency_hz = real(cf.substr(0, paren), "counter frequency");
      if (paren != std::string_view::npos) {
        if (cf.back() != ')') error("base counter value '" + std::string(cf) + "' lacks ')'");
        rec.base_counter = real(cf.substr(paren + 1, cf.size() - paren - 2), "base counter value");
      }
    }
    const auto exact = codec::parse_rate_nhz(freq);
    rec.frame_rate_nhz = exact ? *exact : codec::rate_nhz_from_hz(rec.frame_frequency_hz);
    if (rec.frame_rate_nhz == 0) error("sampling frequency '" + std::string(freq) + "' is not a positive rate");
  } else {
    rec.frame_rate_nhz = 250 * codec::kNanohertzPerHertz;
  }
  if (t.size() > 3) {
    rec.frames = integer<std::int64_t>(t[3].text, "number of samples per signal");
    if (rec.frames < 0) error("negative number of samples per signal");
  }
  if (t.size() > 4) {
    // [[HH:]MM:]SS[.frac]
    std::string_view s = t[4].text;
    std::int64_t parts[3] = {0, 0, 0};
    int n = 0;
    std::size_t start = 0;
    std::string_view seconds;
    while (true) {
      const std::size_t colon = s.find(':', start);
      if (colon == std::string_view::npos) {
        seconds = s.substr(start);
        break;
      }
      if (n == 2) error("base time '" + std::string(s) + "' is not HH:MM:SS");
      parts[n++] = integer<std::int64_t>(s.substr(start, colon - start), "base time");
      start = colon + 1;
    }
    const double sec = real(seconds, "base time seconds");
    if (sec < 0 || sec >= 61 || parts[0] < 0 || parts[1] < 0 || parts[1] > 59 || (n == 2 && parts[0] > 23)) {
      error("base time '" + std::string(s) + "' is out of range");
    }
    const std::int64_t hours = n == 2 ? parts[0] : 0;
    const std::int64_t minutes = n == 2 ? parts[1] : (n == 1 ? parts[0] : 0);
    rec.base_time_of_day_ns =
        (hours * 3600 + minutes * 60) * 1'000'000'000LL + static_cast<std::int64_t>(std::llround(sec * 1e9));
  }
  if (t.size() > 5) {
    std::string_view d = t[5].text;
    const std::size_t a = d.find('/');
    const std::size_t b = a == std::string_view::npos ? a : d.find('/', a + 1);
    if (b == std::string_view::npos) error("base date '" + std::string(d) + "' is not DD/MM/YYYY");
    const int day = integer<int>(d.substr(0, a), "base date day");
    const int month = integer<int>(d.substr(a + 1, b - a - 1), "base date month");
    const int year = integer<int>(d.substr(b + 1), "base date year");
    if (day < 1 || day > 31 || month < 1 || month > 12) error("base date '" + std::string(d) + "' is out of range");
    rec.base_date_ns = tsweep::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) *
                       86400LL * 1'000'000'000LL;
  }
}

void HeaderParser::signal_line(std::string_view line, const WfdbRecord& rec, WfdbSignal& sig) const {
  const std::vector<Token> t = tokenize(line);
  if (t.size() < 2) error("signal line needs a file name and a format");
  sig.file_name = std::string(t[0].text);
  if (sig.file_name == "-") error("signals on standard input are not supported");
  // format[xspf][:skew][+offset]
  std::string_view f = t[1].text;
  std::size_t i = 0;
  while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
  sig.format = integer<int>(f.substr(0, i), "signal format");
  auto number_after = [&](char c) -> std::optional<std::int64_t> {
    if (i >= f.size() || f[i] != c) return std::nullopt;
    const std::size_t start = ++i;
    while (i < f.size() && f[i] >= '0' && f[i] <= '9') ++i;
    return integer<std::int64_t>(f.substr(start, i - start), "signal format modifier");
  };
  if (auto spf = number_after('x')) sig.samples_per_frame = static_cast<int>(*spf);
  if (auto skew = number_after(':')) sig.skew = static_cast<int>(*skew);
  if (auto off = number_after('+')) sig.byte_offset = *off;
  if (i != f.size()) error("signal format '" + std::string(f) + "' is not format[xN][:skew][+offset]");
  if (sig.format != 212 && sig.format != 16 && sig.format != 80) {
    error("signal format " + std::to_string(sig.format) + " is not supported (212, 16 and 80 are)");
  }
  if (sig.samples_per_frame < 1 || sig.samples_per_frame > 1000) error("samples per frame out of range");
  if (sig.skew < 0 || sig.byte_offset < 0) error("negative skew or byte offset");
  sig.adc_resolution = sig.format == 212 ? 12 : (sig.format == 16 ? 16 : 8);
  bool baseline_given = false;
  if (t.size() > 2) {
    // gain[(baseline)][/units]
    std::string_view g = t[2].text;
    const std::size_t slash = g.find('/');
    if (slash != std::string_view::npos) {
      sig.units = std::string(g.substr(slash + 1));
      g = g.substr(0, slash);
    }
    const std::size_t paren = g.find('(');
    if (paren != std::string_view::npos) {
      if (g.back() != ')') error("baseline in '" + std::string(t[2].text) + "' lacks ')'");
      sig.baseline = integer<std::int32_t>(g.substr(paren + 1, g.size() - paren - 2), "baseline");
      baseline_given = true;
      g = g.substr(0, paren);
    }
    const double gain = real(g, "ADC gain");
    sig.gain_given = gain != 0.0;
    if (gain < 0) error("negative ADC gain");
    if (sig.gain_given) sig.gain = gain;
  }
  if (t.size() > 3) sig.adc_resolution = integer<int>(t[3].text, "ADC resolution");
  if (t.size() > 4) sig.adc_zero = integer<std::int32_t>(t[4].text, "ADC zero");
  if (!baseline_given) sig.baseline = sig.adc_zero;
  if (t.size() > 5) sig.initial_value = integer<std::int32_t>(t[5].text, "initial value");
  if (t.size() > 6) sig.checksum = integer<std::int32_t>(t[6].text, "checksum");
  if (t.size() > 7) sig.block_size = integer<int>(t[7].text, "block size");
  if (t.size() > 8) sig.description = std::string(trim(line.substr(t[8].pos)));
  sig.rate_nhz = rec.frame_rate_nhz * sig.samples_per_frame;
}

std::vector<char> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw IoError(path, "cannot open: " + std::generic_category().message(errno));
  const std::streamoff size = in.tellg();
  if (size < 0) throw IoError(path, "cannot tell its size");
  std::vector<char> data(static_cast<std::size_t>(size));
  in.seekg(0);
  if (size > 0 && !in.read(data.data(), size)) throw IoError(path, "read failed");
  return data;
}

/// Samples a signal file of `format` holds in `bytes` bytes.
std::int64_t samples_in(int format, std::int64_t bytes) {
  if (format == 212) return bytes / 3 * 2 + (bytes % 3 == 2 ? 1 : 0);
  if (format == 16) return bytes / 2;
  return bytes;
}

std::int64_t bytes_for(int format, std::int64_t samples) {
  if (format == 212) return samples / 2 * 3 + (samples % 2 ? 2 : 0);
  if (format == 16) return samples * 2;
  return samples;
}

constexpr std::int32_t invalid_value(int format) {
  return format == 212 ? -2048 : (format == 16 ? -32768 : -128);
}

/// Sample k of a format's byte stream (k < samples_in(format, size)).
inline std::int32_t sample_at(int format, const unsigned char* p, std::int64_t k) {
  if (format == 212) {
    const unsigned char* g = p + (k / 2) * 3;
    const int v = (k % 2 == 0) ? (g[0] | ((g[1] & 0x0F) << 8)) : (g[2] | ((g[1] & 0xF0) << 4));
    return (v & 0x800) ? v - 0x1000 : v;
  }
  if (format == 16) return static_cast<std::int16_t>(static_cast<std::uint16_t>(p[2 * k] | (p[2 * k + 1] << 8)));
  return static_cast<std::int32_t>(p[k]) - 128;  // format 80: offset binary
}

/// Reads the signals [first, last) that share one file.
void read_group(const WfdbRecord& rec, std::size_t first, std::size_t last, const std::string& dir,
                const WfdbOptions& options, std::vector<WfdbSignal>& signals) {
  const WfdbSignal& head = signals[first];
  const std::string path = (std::filesystem::path(dir) / head.file_name).string();
  std::int64_t frame_samples = 0;
  for (std::size_t s = first; s < last; ++s) {
    if (signals[s].format != head.format || signals[s].byte_offset != head.byte_offset) {
      throw IoError(rec.header_path, "signals in " + head.file_name + " disagree on format or byte offset");
    }
    frame_samples += signals[s].samples_per_frame;
  }
  const std::vector<char> data = read_file(path);
  if (head.byte_offset > static_cast<std::int64_t>(data.size())) {
    throw IoError(path, "truncated: shorter than its byte offset " + std::to_string(head.byte_offset));
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(data.data()) + head.byte_offset;
  const std::int64_t available = samples_in(head.format, static_cast<std::int64_t>(data.size()) - head.byte_offset);
  const std::int64_t file_frames = frame_samples ? available / frame_samples : 0;
  const std::int64_t frames = rec.frames > 0 ? rec.frames : file_frames;
  if (file_frames < frames) {
    throw IoError(path, "truncated: the header gives " + std::to_string(frames) + " frames (" +
                            std::to_string(bytes_for(head.format, frames * frame_samples) + head.byte_offset) +
                            " bytes), the file holds " + std::to_string(file_frames) + " (" +
                            std::to_string(data.size()) + " bytes)");
  }
  const std::int32_t invalid = invalid_value(head.format);
  std::int64_t in_frame = 0;  // offset of the signal's first sample within a frame
  for (std::size_t s = first; s < last; ++s) {
    WfdbSignal& sig = signals[s];
    const std::int64_t spf = sig.samples_per_frame;
    const auto n = static_cast<std::size_t>(frames * spf);
    sig.samples.assign(n, 0);
    sig.missing.assign(n, 0);
    sig.missing_count = 0;
    std::int64_t sum = 0;
    for (std::int64_t f = 0; f < frames; ++f) {
      const std::int64_t src_frame = f + sig.skew;
      for (std::int64_t j = 0; j < spf; ++j) {
        const auto out = static_cast<std::size_t>(f * spf + j);
        if (src_frame >= file_frames) {  // skewed past the end of the file
          sig.missing[out] = 1;
          ++sig.missing_count;
          continue;
        }
        const std::int32_t v = sample_at(head.format, bytes, src_frame * frame_samples + in_frame + j);
        sum += v;
        if (v == invalid) {
          sig.missing[out] = 1;
          ++sig.missing_count;
        } else {
          sig.samples[out] = v;
        }
      }
    }
    if (options.verify_checksums && sig.checksum && rec.frames > 0 && sig.skew == 0 &&
        ((sum - *sig.checksum) & 0xFFFF) != 0) {
      throw IoError(path, "checksum mismatch for signal " + std::to_string(s) + " ('" + sig.description +
                              "'): header says " + std::to_string(*sig.checksum) + ", samples sum to " +
                              std::to_string(static_cast<std::int16_t>(sum & 0xFFFF)) + " (mod 2^16)");
    }
    in_frame += spf;
  }
}

}  // namespace

WfdbRecord read_wfdb_header(const std::string& header_path) {
  HeaderParser p(header_path);
  std::ifstream in(header_path, std::ios::binary);
  if (!in) throw IoError(header_path, "cannot open: " + std::generic_category().message(errno));
  WfdbRecord rec;
  rec.header_path = header_path;
  std::string raw;
  std::size_t line_no = 0;
  bool have_record = false;
  std::size_t next_signal = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    p.at_line(line_no);
    const std::string_view line = trim(raw);
    if (line.empty()) continue;
    if (line.front() == '#') {
      rec.comments.emplace_back(trim(line.substr(1)));
      continue;
    }
    if (!have_record) {
      p.record_line(line, rec);
      have_record = true;
    } else if (next_signal < rec.signals.size()) {
      p.signal_line(line, rec, rec.signals[next_signal++]);
    } else {
      p.error("unexpected line after the " + std::to_string(rec.signals.size()) + " signal lines");
    }
  }
  p.at_line(0);
  if (!have_record) p.error("no record line: not a WFDB header");
  if (next_signal < rec.signals.size()) {
    p.error("truncated: " + std::to_string(rec.signals.size()) + " signals announced, " + std::to_string(next_signal) +
            " described");
  }
  return rec;
}

WfdbRecord read_wfdb(const std::string& header_path, const WfdbOptions& options) {
  WfdbRecord rec = read_wfdb_header(header_path);
  const std::string dir = std::filesystem::path(header_path).parent_path().string();
  std::size_t first = 0;
  while (first < rec.signals.size()) {
    std::size_t last = first + 1;
    while (last < rec.signals.size() && rec.signals[last].file_name == rec.signals[first].file_name) ++last;
    read_group(rec, first, last, dir, options, rec.signals);
    first = last;
  }
  if (rec.frames == 0 && !rec.signals.empty()) {
    rec.frames = static_cast<std::int64_t>(rec.signals[0].samples.size()) / rec.signals[0].samples_per_frame;
  }
  return rec;
}

namespace {

// annot(5): a word is a 6-bit code above a 10-bit field; codes 59 ... 63 are
// pseudo-annotations that change the annotation before them (or, for SKIP,
// the time of the next one).
constexpr int kSkip = 59, kNum = 60, kSub = 61, kChn = 62, kAux = 63;
constexpr int kNote = 22;
constexpr std::string_view kResolutionNote = "## time resolution: ";

// Mnemonics of the standard codes 0 ... 41 (WFDB's ecgcodes.h).
constexpr const char* kMnemonics[] = {" ", "N", "L", "R", "a", "V", "F", "J", "A",  "S", "E", "j", "/", "Q",
                                      "~", "",  "|", "",  "s", "T", "*", "D", "\"", "=", "p", "B", "^", "t",
                                      "+", "u", "?", "!", "[", "]", "e", "n", "@",  "x", "f", "(", ")", "r"};

class AnnotationDecoder {
 public:
  AnnotationDecoder(const std::string& path, const std::vector<char>& bytes) : m_path(path), m_bytes(bytes) {}

  [[noreturn]] void error(std::size_t at, const std::string& what) const {
    throw IoError(m_path, "byte " + std::to_string(at) + ": " + what);
  }
  [[nodiscard]] std::size_t pos() const noexcept { return m_pos; }
  [[nodiscard]] std::size_t left() const noexcept { return m_bytes.size() - m_pos; }

  std::uint16_t word(const char* what) {
    if (left() < 2) error(m_pos, std::string("truncated inside ") + what);
    const auto* p = reinterpret_cast<const unsigned char*>(m_bytes.data() + m_pos);
    m_pos += 2;
    return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
  }
  // A SKIP's interval: two words, the high one first (PDP-11 order), signed.
  std::int64_t skip() {
    const std::uint32_t hi = word("a SKIP interval"), lo = word("a SKIP interval");
    return static_cast<std::int32_t>((hi << 16) | lo);
  }
  std::string text(std::size_t length) {
    const std::size_t padded = length + (length & 1);  // words stay aligned
    if (left() < padded) error(m_pos, "truncated inside an aux text of " + std::to_string(length) + " bytes");
    std::string out(m_bytes.data() + m_pos, length);
    m_pos += padded;
    while (!out.empty() && out.back() == '\0') out.pop_back();
    return out;
  }

 private:
  const std::string& m_path;
  const std::vector<char>& m_bytes;
  std::size_t m_pos = 0;
};

}  // namespace

std::string wfdb_annotation_mnemonic(int code) {
  if (code >= 0 && code < static_cast<int>(std::size(kMnemonics)) && *kMnemonics[code]) return kMnemonics[code];
  return "[" + std::to_string(code) + "]";
}

WfdbAnnotations read_wfdb_annotations(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw IoError(path, "does not exist or is not a file");
  const std::vector<char> bytes = read_file(path);
  WfdbAnnotations out;
  out.path = path;
  out.annotator = std::filesystem::path(path).extension().string();
  if (!out.annotator.empty()) out.annotator.erase(0, 1);
  AnnotationDecoder in(path, bytes);
  std::int64_t time = 0;
  int chan = 0, num = 0;  // carried from one annotation to the next, as getann() does
  bool ended = false;
  while (in.left() > 0) {
    const std::size_t at = in.pos();
    const std::uint16_t w = in.word("an annotation word");
    if (w == 0) {
      ended = true;
      break;
    }
    const int code = w >> 10, field = w & 0x3ff;
    if (code == kSkip) {
      time += in.skip();
    } else if (code < kSkip) {
      time += field;
      WfdbAnnotation a;
      a.sample = time;
      a.code = code;
      a.chan = chan;
      a.num = num;
      out.annotations.push_back(std::move(a));
    } else if (out.annotations.empty()) {
      in.error(at, "a pseudo-annotation (code " + std::to_string(code) + ") before the first annotation");
    } else {
      WfdbAnnotation& a = out.annotations.back();
      // WFDB keeps these fields in 8-bit chars: subtype and num signed, chan unsigned.
      const auto low = static_cast<std::uint8_t>(field & 0xff);
      if (code == kSub) a.subtype = static_cast<std::int8_t>(low);
      if (code == kChn) a.chan = chan = low;
      if (code == kNum) a.num = num = static_cast<std::int8_t>(low);
      if (code == kAux) a.aux = in.text(low);
    }
    if (time < 0) in.error(at, "an annotation time before the start of the record");
  }
  if (!ended)
    throw IoError(path, "truncated: ends without the end-of-file word (" + std::to_string(bytes.size()) + " bytes)");
  for (std::size_t k = in.pos(); k < bytes.size(); ++k) {
    if (bytes[k] != 0) in.error(k, "data after the end-of-file word");
  }
  // A declared time resolution (high-resolution annotation files).
  for (const WfdbAnnotation& a : out.annotations) {
    if (a.sample != 0) break;
    if (a.code != kNote || a.aux.compare(0, kResolutionNote.size(), kResolutionNote) != 0) continue;
    const auto rate = codec::parse_rate_nhz(trim(std::string_view(a.aux).substr(kResolutionNote.size())));
    if (!rate)
      throw IoError(path, "time resolution '" + a.aux.substr(kResolutionNote.size()) + "' is not a rate in Hz");
    out.resolution_nhz = *rate;
  }
  return out;
}

ImportedSignal wfdb_annotation_stream(const WfdbAnnotations& file, const WfdbRecord& record, std::int64_t start_ns,
                                      const std::string& prefix) {
  ImportedSignal sig;
  const std::string suffix = file.annotator == "atr" ? "/annotations" : "/annotations." + file.annotator;
  sig.spec.name = fit(fit(prefix, kMaxNameBytes - 12) + suffix, kMaxNameBytes);
  sig.spec.unit = "";
  sig.spec.type = codec::SampleType::float64;
  sig.spec.attributes = {
      {"source_format", "WFDB"},
      {"record", fit(record.name, kMaxAttrValueBytes)},
      {"annotation_file", fit(std::filesystem::path(file.path).filename().string(), kMaxAttrValueBytes)},
      {"values",
       "WFDB annotation code (anntyp), mnemonics in code.N; non-zero subtype.K, chan.K, num.K and aux.K "
       "texts by annotation index K"}};
  Series& s = sig.series;
  s.type = codec::SampleType::float64;
  const std::int64_t rate = file.resolution_nhz ? file.resolution_nhz : record.frame_rate_nhz;
  if (!codec::is_regular_rate(rate)) throw IoError(file.path, "no usable sampling frequency for the annotation times");
  bool used[64] = {};
  std::vector<std::pair<std::string, std::string>> fields;
  for (std::size_t k = 0; k < file.annotations.size(); ++k) {
    const WfdbAnnotation& a = file.annotations[k];
    s.push<double>(static_cast<double>(a.code));
    s.times.push_back(codec::sample_time(start_ns, rate, a.sample));
    used[a.code & 63] = true;
    const std::string key = "." + std::to_string(k);
    if (a.subtype) fields.emplace_back("subtype" + key, std::to_string(a.subtype));
    if (a.chan) fields.emplace_back("chan" + key, std::to_string(a.chan));
    if (a.num) fields.emplace_back("num" + key, std::to_string(a.num));
    if (!a.aux.empty()) fields.emplace_back("aux" + key, fit(clean_text(a.aux), kMaxAttrValueBytes));
  }
  for (int c = 0; c < 64; ++c) {
    if (used[c]) sig.spec.attributes.emplace_back("code." + std::to_string(c), wfdb_annotation_mnemonic(c));
  }
  sig.spec.attributes.insert(sig.spec.attributes.end(), fields.begin(), fields.end());
  return sig;
}

}  // namespace tsweep::store::import
