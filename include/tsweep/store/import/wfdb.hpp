#pragma once
/// \file
/// Reading PhysioNet WFDB records (a .hea header and its signal files) into
/// memory, for `tsweep ingest`. Pure C++: no HDF5. Supports single-segment
/// records with signal formats 212, 16 and 80, several signals per file,
/// samples per frame > 1, skew and byte offsets; samples holding the format's
/// invalid value are flagged as missing rather than returned as numbers.
/// Annotation files (100.atr) in the MIT format of annot(5) become an event
/// stream.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tsweep/store/import/signal.hpp"

namespace tsweep::store::import {

/// One signal of a record: its header line and, once read, its samples.
struct WfdbSignal {
  std::string file_name;  ///< signal file, relative to the header's folder
  int format = 0;         ///< 212, 16 or 80
  int samples_per_frame = 1;
  int skew = 0;                  ///< frames by which the signal lags the others
  std::int64_t byte_offset = 0;  ///< bytes to skip at the start of the file
  double gain = 200.0;           ///< ADC units per physical unit
  bool gain_given = false;       ///< false: the header gave no (or zero) gain: uncalibrated
  std::int32_t baseline = 0;     ///< ADC value of physical zero (adc_zero unless given)
  std::string units = "mV";
  int adc_resolution = 0;  ///< bits (12, 16 or 8 unless given)
  std::int32_t adc_zero = 0;
  std::int32_t initial_value = 0;
  std::optional<std::int32_t> checksum;  ///< 16-bit sum of all samples, as the header gives it
  int block_size = 0;
  std::string description;
  std::int64_t rate_nhz = 0;  ///< this signal's rate: frame rate x samples per frame

  std::vector<std::int32_t> samples;  ///< digital values, frames x samples_per_frame; 0 where missing
  std::vector<std::uint8_t> missing;  ///< 1 where the file holds the format's invalid value
  std::size_t missing_count = 0;

  /// physical = digital * scale() + offset(), i.e. (digital - baseline) / gain.
  [[nodiscard]] double scale() const noexcept { return 1.0 / gain; }
  [[nodiscard]] double offset() const noexcept { return -static_cast<double>(baseline) / gain; }
};

/// A record: the header's record line, comments and signals.
struct WfdbRecord {
  std::string name;
  std::string header_path;
  double frame_frequency_hz = 250.0;  ///< frames per second (WFDB's default 250)
  std::int64_t frame_rate_nhz = 0;    ///< the same, exactly, in nanohertz
  double counter_frequency_hz = 0.0;  ///< 0 when not given
  double base_counter = 0.0;
  std::int64_t frames = 0;                          ///< samples per signal per sample-per-frame
  std::optional<std::int64_t> base_time_of_day_ns;  ///< HH:MM:SS[.s] when given
  std::optional<std::int64_t> base_date_ns;         ///< midnight UTC of DD/MM/YYYY when given
  std::vector<std::string> comments;                ///< '#' lines, without the '#'
  std::vector<WfdbSignal> signals;

  /// Start of the record in ns since the epoch (UTC), when both date and time are given.
  [[nodiscard]] std::optional<std::int64_t> start_ns() const noexcept {
    if (!base_date_ns || !base_time_of_day_ns) return std::nullopt;
    return *base_date_ns + *base_time_of_day_ns;
  }
};

struct WfdbOptions {
  /// Compare each signal's 16-bit sample sum with the header's checksum and
  /// throw on a mismatch (the file was damaged or belongs to another header).
  bool verify_checksums = true;
};

/// Parses the header only (no signal file is opened; samples stay empty, and
/// frames is 0 when the header does not give it). Throws tsweep::IoError
/// naming the file, the line and what is wrong.
WfdbRecord read_wfdb_header(const std::string& header_path);

/// Parses the header and reads every signal's samples. Throws tsweep::IoError
/// for a missing, malformed or truncated header or signal file, an unsupported
/// format, or a checksum mismatch.
WfdbRecord read_wfdb(const std::string& header_path, const WfdbOptions& options = {});

/// One annotation of an MIT-format annotation file, as WFDB's getann()
/// returns it: `chan` and `num` carry over from the annotation before unless
/// a CHN or NUM pseudo-annotation changes them; `subtype` and `aux` do not.
struct WfdbAnnotation {
  std::int64_t sample = 0;  ///< time in samples (frames) from the record's start
  int code = 0;             ///< anntyp, 0 ... 58: 1 = N, 5 = V, 8 = A, 28 = + (rhythm change), ...
  int subtype = 0;          ///< subtyp, -128 ... 127
  int chan = 0;             ///< signal number, 0 ... 255
  int num = 0;              ///< num, -128 ... 127
  std::string aux;          ///< auxiliary text (e.g. "(N" for a rhythm), empty when none
};

/// An annotation file: every annotation in file order.
struct WfdbAnnotations {
  std::string path;
  std::string annotator;  ///< the file name's extension without the dot ("atr")
  /// Samples per second of the annotation times when the file declares one (a
  /// NOTE at sample 0 with aux "## time resolution: F"); 0: the record's frame rate.
  std::int64_t resolution_nhz = 0;
  std::vector<WfdbAnnotation> annotations;
};

/// The standard mnemonic of an annotation code ("N", "V", "+", ...), "[n]"
/// for codes without one.
std::string wfdb_annotation_mnemonic(int code);

/// Decodes an MIT-format annotation file (annot(5): 16-bit little-endian
/// words of a 6-bit code and a 10-bit interval, with SKIP, NUM, SUB, CHN and
/// AUX pseudo-annotations, ending with a zero word). Every length is checked:
/// a truncated or malformed file, or one with data after its end word, throws
/// IoError naming the file and the byte offset.
WfdbAnnotations read_wfdb_annotations(const std::string& path);

/// The annotations of `record` (whose samples start at `start_ns`) as an
/// irregular float64 event stream `prefix/annotations` (`prefix/annotations.X`
/// for an annotator X other than atr): one sample per annotation, at the
/// record's start + its sample number at the annotation time resolution; the
/// value is the annotation code. The attributes hold the mnemonic of every code
/// used (`code.N`) and, by annotation index K, every non-zero subtype, chan and
/// num and every aux text (`subtype.K`, `chan.K`, `num.K`, `aux.K`).
ImportedSignal wfdb_annotation_stream(const WfdbAnnotations& annotations, const WfdbRecord& record,
                                      std::int64_t start_ns, const std::string& prefix);

}  // namespace tsweep::store::import
