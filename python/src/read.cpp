#include "read.hpp"

#include <algorithm>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include "block_decode.hpp"
#include "tsweep/codec/sample_type.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::python {

std::size_t StreamSelection::capacity() const noexcept {
  std::size_t n = 0;
  for (const auto& b : blocks) n += b.count;
  return n;
}

StreamSelection find_blocks(const store::Reader& reader, std::int64_t id, const TimeRange& range) {
  StreamSelection s;
  s.stream = reader.stream(id);
  s.blocks = reader.blocks(id, range.begin, range.end);
  return s;
}

namespace {

// Encoded bytes fetched in one call: enough to keep the decoding threads
// busy while the next part is read, few enough that the calls cost nothing.
constexpr std::size_t kFetchBytes = std::size_t{2} << 20;

// Consecutive blocks of one selection whose bytes are fetched together, and the first of their tasks.
struct FetchUnit {
  std::size_t selection = 0;
  std::size_t first_block = 0;
  std::size_t blocks = 0;
  std::size_t first_task = 0;
  store::BlockBytes bytes;
};

// One block to decode: its selection, its place there, its fetch unit, and
// where its samples start in the buffers.
struct Task {
  std::size_t selection = 0;
  std::size_t block = 0;
  std::size_t unit = 0;
  std::size_t slot = 0;
};

// What decoding one block left in its slot.
struct TaskOutcome {
  std::size_t kept = 0;
  std::string failure;  ///< why the block was left out; empty when it was not
};

// Every block of every selection as a task, in sample order within each
// selection (block b starts where the samples of the blocks before it end),
// and the fetch units that hold them, in task order.
struct Work {
  std::vector<Task> tasks;
  std::vector<FetchUnit> units;
};

Work plan_work(const std::vector<StreamSelection>& selections) {
  Work w;
  for (std::size_t s = 0; s < selections.size(); ++s) {
    const std::vector<store::BlockRef>& blocks = selections[s].blocks;
    std::size_t slot = 0, unit_bytes = 0;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (b == 0 || unit_bytes >= kFetchBytes) {
        w.units.push_back({s, b, 0, w.tasks.size(), {}});
        unit_bytes = 0;
      }
      ++w.units.back().blocks;
      unit_bytes += blocks[b].length;
      w.tasks.push_back({s, b, w.units.size() - 1, slot});
      slot += blocks[b].count;
    }
  }
  return w;
}

// Hands out tasks in order, each once its bytes are fetched.
class TaskQueue {
 public:
  explicit TaskQueue(std::size_t count) : m_count(count) {}
  /// The next task, once it may run; nullopt when none is left or the fetching failed.
  std::optional<std::size_t> next() {
    std::unique_lock<std::mutex> lock(m_lock);
    if (m_next >= m_count) return std::nullopt;
    const std::size_t task = m_next++;
    m_changed.wait(lock, [&] { return task < m_ready || m_abandoned; });
    if (m_abandoned) return std::nullopt;
    return task;
  }
  /// Tasks [0, ready) may run.
  void fetched(std::size_t ready) {
    update([&] { m_ready = ready; });
  }
  /// The fetching failed: no more tasks.
  void abandon() {
    update([&] { m_abandoned = true; });
  }

 private:
  template <class F>
  void update(const F& f) {
    {
      const std::lock_guard<std::mutex> lock(m_lock);
      f();
    }
    m_changed.notify_all();
  }

  std::mutex m_lock;
  std::condition_variable m_changed;
  std::size_t m_count;
  std::size_t m_next = 0;
  std::size_t m_ready = 0;
  bool m_abandoned = false;
};

// Up to `count` threads running f, joined however the scope is left. Where
// the system refuses a thread, the ones started do the work.
class ThreadGroup {
 public:
  template <class F>
  ThreadGroup(std::size_t count, const F& f) {
    for (std::size_t t = 0; t < count; ++t) {
      try {
        m_threads.emplace_back(f);
      } catch (const std::system_error&) {
        break;
      }
    }
  }
  ~ThreadGroup() {
    for (auto& t : m_threads) t.join();
  }
  ThreadGroup(const ThreadGroup&) = delete;
  ThreadGroup& operator=(const ThreadGroup&) = delete;

 private:
  std::vector<std::thread> m_threads;
};

// Decodes every task as its bytes arrive, on options.threads - 1 helpers
// while the calling thread fetches, then on the calling thread too.
std::vector<TaskOutcome> run(const std::vector<StreamSelection>& selections, const std::vector<Buffers>& buffers,
                             const ReadOptions& options, const FetchBytes& fetch, Work& work) {
  std::vector<TaskOutcome> outcomes(work.tasks.size());
  std::exception_ptr unexpected;
  std::mutex unexpected_lock;
  TaskQueue queue(work.tasks.size());
  auto decode_tasks = [&] {
    Scratch scratch;
    while (const std::optional<std::size_t> i = queue.next()) {
      const Task& task = work.tasks[*i];
      const FetchUnit& unit = work.units[task.unit];
      const StreamSelection& s = selections[task.selection];
      try {
        outcomes[*i].kept =
            decode_block(s.stream, s.blocks[task.block], unit.bytes.block(task.block - unit.first_block),
                         buffers[task.selection], task.slot, options, scratch);
      } catch (const CodecError& e) {  // a corrupt block: reported, and the read goes on
        outcomes[*i] = {0, e.what()};
      } catch (...) {  // no exception may leave a thread
        const std::lock_guard<std::mutex> lock(unexpected_lock);
        if (!unexpected) unexpected = std::current_exception();
      }
    }
  };
  {
    const std::size_t threads = std::min<std::size_t>(static_cast<std::size_t>(std::max(options.threads, 1)),
                                                      std::max<std::size_t>(work.tasks.size(), 1));
    const ThreadGroup helpers(threads - 1, decode_tasks);
    try {
      for (FetchUnit& unit : work.units) {
        const std::vector<store::BlockRef>& blocks = selections[unit.selection].blocks;
        fetch(Span<const store::BlockRef>(blocks.data() + unit.first_block, unit.blocks), unit.bytes);
        queue.fetched(unit.first_task + unit.blocks);
      }
    } catch (...) {
      queue.abandon();
      throw;
    }
    decode_tasks();
  }
  if (unexpected) std::rethrow_exception(unexpected);
  return outcomes;
}

// Closes the gaps that left-out samples and corrupt blocks leave between the
// blocks' slots, so the stream's samples are packed in order at the front.
std::size_t pack(const StreamSelection& s, const Buffers& out, const std::vector<Task>& tasks,
                 const std::vector<TaskOutcome>& outcomes, std::size_t first_task, bool physical) {
  const std::size_t width = physical ? sizeof(double) : codec::sample_size(s.stream.type);
  auto* values = static_cast<std::byte*>(out.values);
  std::size_t at = 0;
  for (std::size_t k = first_task; k < first_task + s.blocks.size(); ++k) {
    const std::size_t kept = outcomes[k].kept;
    const std::size_t slot = tasks[k].slot;
    if (kept > 0 && slot != at) {
      std::memmove(values + at * width, values + slot * width, kept * width);
      if (out.times) std::memmove(out.times + at, out.times + slot, kept * sizeof(std::int64_t));
    }
    at += kept;
  }
  return at;
}

}  // namespace

std::vector<StreamRead> decode(const std::vector<StreamSelection>& selections, const std::vector<Buffers>& buffers,
                               const ReadOptions& options, const FetchBytes& fetch) {
  if (buffers.size() != selections.size()) throw InternalError("decode: one buffer pair per selection is needed");
  Work work = plan_work(selections);
  const std::vector<TaskOutcome> outcomes = run(selections, buffers, options, fetch, work);
  std::vector<StreamRead> reads(selections.size());
  std::size_t first_task = 0;
  for (std::size_t s = 0; s < selections.size(); ++s) {
    const StreamSelection& sel = selections[s];
    reads[s].samples = pack(sel, buffers[s], work.tasks, outcomes, first_task, options.physical);
    for (std::size_t b = 0; b < sel.blocks.size(); ++b) {
      const TaskOutcome& o = outcomes[first_task + b];
      const store::BlockRef& r = sel.blocks[b];
      if (!o.failure.empty()) reads[s].corrupt.push_back({r.block, r.first_ns, r.last_ns, o.failure});
    }
    first_task += sel.blocks.size();
  }
  return reads;
}

}  // namespace tsweep::python
