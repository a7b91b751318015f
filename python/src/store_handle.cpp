#include "store_handle.hpp"

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <chrono>
#include <mutex>
#include <utility>

#include "read.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/plan/plan.hpp"

namespace py = pybind11;

namespace tsweep::python {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::mutex& hdf5_mutex() {
  static std::mutex m;
  return m;
}

// Runs f() holding the HDF5 lock, without the GIL. f must not touch Python objects.
template <class F>
auto with_hdf5(F&& f) -> decltype(f()) {
  const py::gil_scoped_release nogil;
  const std::lock_guard<std::mutex> lock(hdf5_mutex());
  return f();
}

// Store strings are UTF-8; a byte that is not still reads, as U+FFFD.
py::str text(const std::string& s) {
  return py::reinterpret_steal<py::str>(PyUnicode_DecodeUTF8(s.data(), static_cast<Py_ssize_t>(s.size()), "replace"));
}

template <class T, class Get>
py::array_t<T> column(const std::vector<store::StreamInfo>& streams, Get get) {
  py::array_t<T> out(static_cast<py::ssize_t>(streams.size()));
  T* p = out.mutable_data();
  for (const auto& s : streams) *p++ = get(s);
  return out;
}

template <class Get>
py::list text_column(const std::vector<store::StreamInfo>& streams, Get get) {
  py::list out;
  for (const auto& s : streams) out.append(text(get(s)));
  return out;
}

py::dtype dtype_of(codec::SampleType type) {
  switch (type) {
    case codec::SampleType::int16:
      return py::dtype::of<std::int16_t>();
    case codec::SampleType::int32:
      return py::dtype::of<std::int32_t>();
    case codec::SampleType::int64:
      return py::dtype::of<std::int64_t>();
    case codec::SampleType::float32:
      return py::dtype::of<float>();
    case codec::SampleType::float64:
      return py::dtype::of<double>();
  }
  throw InternalError("unknown sample type");
}

// The arrays one stream's samples are decoded into, sized for every sample its blocks hold.
struct StreamArrays {
  py::array values;
  py::object times = py::none();
  Buffers buffers;
};

StreamArrays allocate(const StreamSelection& s, bool physical, bool times) {
  const auto n = static_cast<py::ssize_t>(s.capacity());
  StreamArrays a;
  a.values =
      physical ? py::array(py::array_t<double>(n)) : py::array(dtype_of(s.stream.type), std::vector<py::ssize_t>{n});
  a.buffers.values = a.values.mutable_data();
  if (times) {
    py::array_t<std::int64_t> t(n);
    a.buffers.times = t.mutable_data();
    a.times = std::move(t);
  }
  return a;
}

// The arrays cut to the samples kept, and the blocks left out, as the module returns them.
py::dict result(const StreamSelection& s, StreamArrays& a, const StreamRead& read) {
  const auto n = static_cast<py::ssize_t>(read.samples);
  if (a.values.shape(0) != n) a.values.resize({n}, false);
  if (!a.times.is_none()) {
    auto t = py::reinterpret_borrow<py::array>(a.times);
    if (t.shape(0) != n) t.resize({n}, false);
  }
  py::list corrupt;
  for (const auto& c : read.corrupt) corrupt.append(py::make_tuple(c.block, c.first_ns, c.last_ns, text(c.reason)));
  py::dict d;
  d["name"] = text(s.stream.name);
  d["unit"] = text(s.stream.unit);
  d["values"] = a.values;
  d["times"] = a.times;
  d["corrupt"] = corrupt;
  d["samples"] = read.samples;
  return d;
}

}  // namespace

StoreHandle::StoreHandle(const std::string& path) : m_path(path) {
  with_hdf5([&] { m_reader.emplace(store::Reader::open(path)); });
}

StoreHandle::~StoreHandle() {
  close();
}

void StoreHandle::close() noexcept {
  // No GIL needed: whoever holds the lock never waits for the GIL.
  const std::lock_guard<std::mutex> lock(hdf5_mutex());
  m_reader.reset();
}

void StoreHandle::check_open() const {
  if (!m_reader) throw py::value_error(m_path + ": the store is closed");
}

const store::Reader& StoreHandle::reader() const {
  check_open();
  return *m_reader;
}

void StoreHandle::check_id(std::int64_t id) const {
  const auto n = static_cast<std::int64_t>(reader().streams().size());
  if (id < 0 || id >= n) {
    throw py::index_error(m_path + ": no stream with id " + std::to_string(id) + " (ids 0 to " + std::to_string(n - 1) +
                          ")");
  }
}

py::dict StoreHandle::stream_table() const {
  const std::vector<store::StreamInfo> streams = with_hdf5([&] { return reader().streams(); });
  using S = store::StreamInfo;
  py::dict t;
  t["id"] = column<std::int64_t>(streams, [](const S& s) { return s.id; });
  t["name"] = text_column(streams, [](const S& s) { return s.name; });
  t["unit"] = text_column(streams, [](const S& s) { return s.unit; });
  t["sample_type"] = text_column(streams, [](const S& s) { return std::string(codec::sample_type_name(s.type)); });
  t["scale"] = column<double>(streams, [](const S& s) { return s.scale; });
  t["offset"] = column<double>(streams, [](const S& s) { return s.offset; });
  t["rate_nhz"] = column<std::int64_t>(streams, [](const S& s) { return s.rate_nhz; });
  t["valid_min"] = column<double>(streams, [](const S& s) { return s.valid_min; });
  t["valid_max"] = column<double>(streams, [](const S& s) { return s.valid_max; });
  t["blocks"] = column<std::int64_t>(streams, [](const S& s) { return s.block_count; });
  t["samples"] = column<std::int64_t>(streams, [](const S& s) { return s.sample_count; });
  t["first_ns"] = column<std::int64_t>(streams, [](const S& s) { return s.first_ns; });
  t["last_ns"] = column<std::int64_t>(streams, [](const S& s) { return s.last_ns; });
  t["encoded_bytes"] = column<std::int64_t>(streams, [](const S& s) { return s.encoded_bytes; });
  return t;
}

py::list StoreHandle::names() const {
  const std::vector<store::StreamInfo> streams = with_hdf5([&] { return reader().streams(); });
  return text_column(streams, [](const store::StreamInfo& s) { return s.name; });
}

std::optional<std::int64_t> StoreHandle::find(const std::string& name) const {
  return with_hdf5([&] { return reader().find_stream(name); });
}

std::vector<std::int64_t> StoreHandle::match(const std::string& pattern) const {
  return with_hdf5([&] {
    std::vector<std::int64_t> ids;
    for (const auto& s : reader().streams()) {
      if (plan::glob_match(pattern, s.name)) ids.push_back(s.id);
    }
    return ids;
  });
}

std::vector<StreamSelection> StoreHandle::find_all(const std::vector<std::int64_t>& ids, const TimeRange& range) const {
  return with_hdf5([&] {
    std::vector<StreamSelection> selections;
    for (const std::int64_t id : ids) {
      check_id(id);
      selections.push_back(find_blocks(reader(), id, range));
    }
    return selections;
  });
}

std::vector<StreamRead> StoreHandle::decode_all(const std::vector<StreamSelection>& selections,
                                                const std::vector<Buffers>& buffers, const ReadOptions& options,
                                                std::size_t& bytes) const {
  const FetchBytes fetch = [&](Span<const store::BlockRef> refs, store::BlockBytes& out) {
    const std::lock_guard<std::mutex> lock(hdf5_mutex());  // the GIL is released already
    reader().read_bytes(refs, out);
    bytes += out.bytes.size();
  };
  const py::gil_scoped_release nogil;
  return decode(selections, buffers, options, fetch);
}

py::tuple StoreHandle::read(const std::vector<std::int64_t>& ids, std::int64_t begin, std::int64_t end, bool physical,
                            bool times, int threads) const {
  if (end < begin) {
    throw py::value_error("end " + std::to_string(end) + " is before start " + std::to_string(begin) + " (ns)");
  }
  if (threads < 1) throw py::value_error("threads must be at least 1, not " + std::to_string(threads));
  const ReadOptions options{{begin, end}, physical, threads};
  const auto t0 = Clock::now();
  const std::vector<StreamSelection> selections = find_all(ids, options.range);
  const double index_seconds = since(t0);

  const auto t1 = Clock::now();
  std::vector<StreamArrays> arrays;
  std::vector<Buffers> buffers;
  for (const auto& s : selections) {
    arrays.push_back(allocate(s, physical, times));
    buffers.push_back(arrays.back().buffers);
  }
  std::size_t bytes = 0;
  const std::vector<StreamRead> reads = decode_all(selections, buffers, options, bytes);
  const double decode_seconds = since(t1);

  py::list out;
  std::size_t blocks = 0, samples = 0;
  for (std::size_t i = 0; i < selections.size(); ++i) {
    out.append(result(selections[i], arrays[i], reads[i]));
    blocks += selections[i].blocks.size();
    samples += reads[i].samples;
  }
  py::dict done;
  done["index_seconds"] = index_seconds;
  done["read_decode_seconds"] = decode_seconds;
  done["blocks"] = blocks;
  done["encoded_bytes"] = bytes;
  done["samples"] = samples;
  done["threads"] = threads;
  return py::make_tuple(out, done);
}

bool StoreHandle::refresh() {
  return with_hdf5([&] {
    check_open();
    return m_reader->refresh();
  });
}

py::dict StoreHandle::attributes(std::int64_t id) const {
  const auto pairs = with_hdf5([&] {
    check_id(id);
    return reader().attributes(id);
  });
  py::dict d;
  for (const auto& [key, value] : pairs) d[text(key)] = text(value);
  return d;
}

py::dict StoreHandle::identity() const {
  const store::StoreIdentity id = with_hdf5([&] { return reader().identity(); });
  py::dict d;
  d["uuid"] = id.uuid;
  d["format_version"] = id.format_version;
  d["blocks"] = id.blocks;
  d["streams"] = id.streams;
  d["samples"] = id.samples;
  return d;
}

bool StoreHandle::swmr() const {
  return with_hdf5([&] { return reader().swmr(); });
}

int StoreHandle::format_version() const {
  return with_hdf5([&] { return reader().format_version(); });
}

}  // namespace tsweep::python
