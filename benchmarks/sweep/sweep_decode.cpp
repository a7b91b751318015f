// Decode-only ceiling for `tsweep run`: the same blocks a job selects, read
// with the public Reader and decoded with codec::Decoder into reused buffers,
// nothing else (no conversion to physical values, no windows, no results).
// Also writes a dense copy of those samples (.npy) for the numpy baselines.
//
//   sweep_decode STORE [--streams GLOB]... [--batch-samples N] [--export DIR]
//
// Streams are read one after another in batches of about --batch-samples
// samples (default 4 M, the default unit_samples of a job). Each batch is
// read once, then decoded three ways, each timed on its own:
//   values        values only, checksum verified (what any reader must do);
//   values+times  values and the sample times (what `tsweep run` decoded
//                 before regular blocks stopped materialising times);
// and the read itself (Reader::read_bytes, from the page cache once warm).
// Prints one JSON object on stdout. Rank-local: no MPI.

#include <fnmatch.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tsweep/codec/decoder.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/store/reader.hpp"

namespace {

using namespace tsweep;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct Args {
  std::string store;
  std::vector<std::string> patterns;
  std::int64_t batch_samples = 4'000'000;
  std::string export_dir;
};

[[noreturn]] void usage(const std::string& why) {
  std::cerr << "sweep_decode: " << why
            << "\nusage: sweep_decode STORE [--streams GLOB]... [--batch-samples N] [--export DIR]\n";
  std::exit(2);
}

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--streams") {
      a.patterns.push_back(value());
    } else if (arg == "--batch-samples") {
      a.batch_samples = std::stoll(value());
      if (a.batch_samples <= 0) usage("--batch-samples must be positive");
    } else if (arg == "--export") {
      a.export_dir = value();
    } else if (!arg.empty() && arg[0] == '-') {
      usage("unknown option " + arg);
    } else if (a.store.empty()) {
      a.store = arg;
    } else {
      usage("one store only");
    }
  }
  if (a.store.empty()) usage("no store given");
  return a;
}

bool selected(const std::string& name, const std::vector<std::string>& patterns) {
  if (patterns.empty()) return true;
  for (const auto& p : patterns) {
    if (::fnmatch(p.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

const char* npy_descr(codec::SampleType t) {
  switch (t) {
    case codec::SampleType::int16:
      return "<i2";
    case codec::SampleType::int32:
      return "<i4";
    case codec::SampleType::int64:
      return "<i8";
    case codec::SampleType::float32:
      return "<f4";
    case codec::SampleType::float64:
      return "<f8";
  }
  return "?";
}

// A version 1.0 .npy file of a 1-D array of `n` elements; the caller appends the data.
void write_npy_header(std::ofstream& out, const char* descr, std::int64_t n) {
  std::string dict =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + std::to_string(n) + ",), }";
  const std::size_t fixed = 10;  // magic (6) + version (2) + header length (2)
  std::size_t total = fixed + dict.size() + 1;
  dict.append((64 - total % 64) % 64, ' ');
  dict.push_back('\n');
  const auto len = static_cast<std::uint16_t>(dict.size());
  out.write("\x93NUMPY\x01\x00", 8);
  const char le[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
  out.write(le, 2);
  out.write(dict.data(), static_cast<std::streamsize>(dict.size()));
}

std::string json_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string json_number(double x) {
  if (x != x) return "null";  // NaN: no valid bound
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

}  // namespace

int main(int argc, char** argv) try {
  const Args args = parse(argc, argv);
  const auto t_open = Clock::now();
  const store::Reader reader = store::Reader::open(args.store);
  const double open_seconds = since(t_open);

  std::vector<const store::StreamInfo*> streams;
  std::int64_t total_samples = 0;
  for (const auto& s : reader.streams()) {
    if (!selected(s.name, args.patterns)) continue;
    streams.push_back(&s);
    total_samples += s.sample_count;
  }
  if (streams.empty()) usage("no stream matches the patterns");

  const bool exporting = !args.export_dir.empty();
  std::ofstream values_out, times_out;
  if (exporting) {
    for (const auto* s : streams) {
      if (s->type != streams.front()->type) usage("--export needs streams of one sample type");
    }
    values_out.open(args.export_dir + "/values.npy", std::ios::binary | std::ios::trunc);
    times_out.open(args.export_dir + "/times.npy", std::ios::binary | std::ios::trunc);
    if (!values_out || !times_out) usage("cannot write into " + args.export_dir);
    write_npy_header(values_out, npy_descr(streams.front()->type), total_samples);
    write_npy_header(times_out, "<i8", total_samples);
  }

  codec::Decoder decoder;  // checksums verified (the default)
  std::vector<std::byte> values;
  std::vector<std::int64_t> times;
  std::int64_t samples = 0, blocks = 0, bytes = 0;
  double read_seconds = 0, index_seconds = 0, decode_seconds = 0, decode_times_seconds = 0;
  std::string stream_json;

  for (const auto* s : streams) {
    const std::size_t width = codec::sample_size(s->type);
    auto t0 = Clock::now();
    const std::vector<store::BlockRef> refs = reader.blocks(s->id);
    index_seconds += since(t0);
    const std::int64_t stream_begin = samples;
    for (std::size_t first = 0; first < refs.size();) {
      std::size_t last = first;
      std::int64_t batch = 0;
      while (last < refs.size() && (batch == 0 || batch + refs[last].count <= args.batch_samples)) {
        batch += refs[last].count;
        ++last;
      }
      const Span<const store::BlockRef> part(refs.data() + first, last - first);
      t0 = Clock::now();
      const store::BlockBytes got = reader.read_bytes(part);
      read_seconds += since(t0);

      t0 = Clock::now();
      for (std::size_t b = 0; b < got.size(); ++b) {
        const std::size_t n = part[b].count;
        if (values.size() < n * width) values.resize(n * width);
        const codec::BlockInfo info = decoder.decode(got.block(b), Span<std::byte>(values.data(), n * width));
        if (info.count != n)
          throw std::runtime_error("block " + std::to_string(part[b].block) + ": count differs from its index row");
      }
      decode_seconds += since(t0);

      t0 = Clock::now();
      for (std::size_t b = 0; b < got.size(); ++b) {
        const std::size_t n = part[b].count;
        if (times.size() < n) times.resize(n);
        decoder.decode(got.block(b), Span<std::byte>(values.data(), n * width), Span<std::int64_t>(times.data(), n));
      }
      decode_times_seconds += since(t0);

      if (exporting) {  // untimed: decoded once more, block by block, into the dense files
        for (std::size_t b = 0; b < got.size(); ++b) {
          const std::size_t n = part[b].count;
          decoder.decode(got.block(b), Span<std::byte>(values.data(), n * width), Span<std::int64_t>(times.data(), n));
          values_out.write(reinterpret_cast<const char*>(values.data()), static_cast<std::streamsize>(n * width));
          times_out.write(reinterpret_cast<const char*>(times.data()),
                          static_cast<std::streamsize>(n * sizeof(std::int64_t)));
        }
      }

      for (std::size_t b = 0; b < got.size(); ++b) bytes += static_cast<std::int64_t>(part[b].length);
      blocks += static_cast<std::int64_t>(got.size());
      samples += batch;
      first = last;
    }
    if (exporting) {
      if (!stream_json.empty()) stream_json += ",\n";
      stream_json +=
          "  {\"name\": \"" + json_escape(s->name) + "\", \"begin\": " + std::to_string(stream_begin) +
          ", \"count\": " + std::to_string(samples - stream_begin) + ", \"scale\": " + json_number(s->scale) +
          ", \"offset\": " + json_number(s->offset) + ", \"rate_nhz\": " + std::to_string(s->rate_nhz) +
          ", \"valid_min\": " + json_number(s->valid_min) + ", \"valid_max\": " + json_number(s->valid_max) +
          ", \"first_ns\": " + std::to_string(s->first_ns) + ", \"last_ns\": " + std::to_string(s->last_ns) + "}";
    }
  }
  if (samples != total_samples) throw std::runtime_error("the blocks hold another sample count than the stream table");
  if (exporting) {
    values_out.close();
    times_out.close();
    std::ofstream meta(args.export_dir + "/streams.json", std::ios::trunc);
    meta << "{\"store\": \"" << json_escape(args.store) << "\", \"samples\": " << samples << ", \"streams\": [\n"
         << stream_json << "\n]}\n";
    if (!values_out || !times_out || !meta)
      throw std::runtime_error("writing the dense copy into " + args.export_dir + " failed");
  }

  auto rate = [&](double seconds) { return seconds > 0 ? static_cast<double>(samples) / seconds : 0.0; };
  std::cout << "{\"streams\": " << streams.size() << ", \"blocks\": " << blocks << ", \"samples\": " << samples
            << ", \"encoded_bytes\": " << bytes << ", \"open_seconds\": " << json_number(open_seconds)
            << ", \"index_seconds\": " << json_number(index_seconds)
            << ", \"read_seconds\": " << json_number(read_seconds)
            << ", \"decode_seconds\": " << json_number(decode_seconds)
            << ", \"decode_times_seconds\": " << json_number(decode_times_seconds)
            << ", \"decode_samples_per_second\": " << json_number(rate(decode_seconds))
            << ", \"decode_times_samples_per_second\": " << json_number(rate(decode_times_seconds))
            << ", \"read_decode_samples_per_second\": "
            << json_number(rate(index_seconds + read_seconds + decode_seconds))
            << ", \"exported\": " << (exporting ? "true" : "false") << "}" << std::endl;
  return 0;
} catch (const std::exception& e) {
  std::cerr << "sweep_decode: " << e.what() << '\n';
  return 1;
}
