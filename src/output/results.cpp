#include "tsweep/output/results.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>
#include <numeric>

#include "hdf5_io.hpp"
#include "layout.hpp"
#include "output_file.hpp"
#include "provenance.hpp"
#include "tsweep/core/error.hpp"
#include "tsweep/exec/agree.hpp"
#include "tsweep/exec/hold.hpp"
#include "tsweep/h5/h5.hpp"

namespace tsweep::output {

namespace {

using detail::exists;
using detail::partial_name;

constexpr detail::OutputKind results_kind{"results", "results file", "output", "results", "a wider window"};

bool is_results_file(const std::string& path) { return detail::is_tsweep_file(path, detail::format_name); }
void prepare_paths(const std::string& path, bool force, std::uint64_t needed) {
  detail::prepare_paths(path, force, needed, results_kind);
}

// The state of an open results file (ResultsFile::Impl, reachable from the helpers below).
struct State {
  exec::Comm comm;
  std::string path;     ///< the finished file's name
  std::string partial;  ///< the name while it is written
  std::int64_t window_ns = 0;
  std::vector<plan::Unit> units;
  std::vector<bool> committed;
  JobIdentity identity;  ///< the layout points into its columns
  // Declared before the datasets: members are destroyed in reverse order, and
  // the MPI-IO driver refuses to close a file whose datasets are still open.
  h5::Handle file;
  detail::OpenLayout layout;
  h5::Handle dxpl;
  bool finished = false;
};

std::vector<std::int64_t> allgather_ids(const exec::Comm& comm, const std::vector<std::int64_t>& mine) {
  const int count = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(comm.size()));
  exec::check_mpi(MPI_Allgather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, comm.get()), "MPI_Allgather");
  std::vector<int> displs(counts.size(), 0);
  std::exclusive_scan(counts.begin(), counts.end(), displs.begin(), 0);
  std::vector<std::int64_t> all(static_cast<std::size_t>(displs.back() + counts.back()));
  exec::check_mpi(MPI_Allgatherv(mine.data(), count, MPI_INT64_T, all.data(), counts.data(), displs.data(), MPI_INT64_T,
                                 comm.get()),
                  "MPI_Allgatherv");
  return all;
}

// Collective: opens a complete `.partial`, checks it belongs to this job and reads its commit record.
void open_partial(State* m, exec::Comm comm, const std::string& path, const plan::Plan& plan,
                  const JobIdentity& identity) {
  m->comm = std::move(comm);
  m->path = path;
  m->partial = partial_name(path);
  m->window_ns = plan.window_ns;
  m->units = plan.units;
  const std::string& name = m->partial;

  exec::agreed(m->comm, [&] {
    // Opening for writing would write into whatever the file is: look first.
    if (m->comm.is_root() && !is_results_file(name)) {
      throw ConfigError(name +
                        " is not a tsweep results file (empty, damaged or foreign); rerun without --resume "
                        "and with --force to start over");
    }
  });
  m->file = exec::agreed(m->comm, [&] {
    const auto fapl = detail::parallel_access(m->comm.get(), name);
    return h5::Handle(H5Fopen(name.c_str(), H5F_ACC_RDWR, fapl.get()), name,
                      "cannot be opened as a results file; rerun without --resume and with --force");
  });
  exec::agreed(m->comm, [&] {
    detail::check_identity(m->file.get(), plan, identity, name);
    m->identity = identity;
    m->layout = detail::open_layout(m->file.get(), plan, m->identity, name);
    m->dxpl = detail::collective_transfer(name);
    std::vector<std::uint8_t> record(plan.units.size());
    detail::read_all(m->layout.committed.get(), H5T_NATIVE_UINT8, record.data(), m->dxpl.get(), name,
                     "units/committed");
    m->committed.assign(record.size(), false);
    for (std::size_t i = 0; i < record.size(); ++i) m->committed[i] = record[i] != 0;
  });
}

// Rank-local checks of one rank's epoch input: run before any collective transfer.
void validate_epoch(const State& m, const std::vector<FinishedUnit>& mine) {
  std::vector<std::int64_t> ids;
  ids.reserve(mine.size());
  for (const FinishedUnit& f : mine) {
    const std::string unit = "write_epoch: unit " + std::to_string(f.unit);
    if (f.unit < 0 || static_cast<std::size_t>(f.unit) >= m.units.size()) {
      throw InternalError(unit + " is not in the plan (" + std::to_string(m.units.size()) + " units)");
    }
    const plan::Unit& u = m.units[static_cast<std::size_t>(f.unit)];
    if (m.committed[static_cast<std::size_t>(f.unit)]) throw InternalError(unit + " is already committed");
    if (static_cast<std::int64_t>(f.rows.size()) != u.windows) {
      throw InternalError(unit + " has " + std::to_string(f.rows.size()) + " rows, the plan gives it " +
                          std::to_string(u.windows) + " windows");
    }
    for (std::size_t i = 0; i < f.rows.size(); ++i) {
      const std::int64_t start = (u.first_window + static_cast<std::int64_t>(i)) * m.window_ns;
      if (f.rows[i].stream != u.stream || f.rows[i].start != start) {
        throw InternalError(unit + ": row " + std::to_string(i) + " is stream " + std::to_string(f.rows[i].stream) +
                            " at " + std::to_string(f.rows[i].start) + ", the plan puts stream " +
                            std::to_string(u.stream) + " at " + std::to_string(start) + " there");
      }
    }
    if (f.cells.size() != m.layout.analyses.size()) {
      throw InternalError(unit + " has values of " + std::to_string(f.cells.size()) + " analyses, the file has " +
                          std::to_string(m.layout.analyses.size()));
    }
    for (std::size_t a = 0; a < f.cells.size(); ++a) {
      if (f.cells[a].size() != static_cast<std::size_t>(u.windows) * m.layout.analyses[a]->cells) {
        throw InternalError(unit + ": analysis " + m.layout.analyses[a]->name + " has " +
                            std::to_string(f.cells[a].size()) + " values for " + std::to_string(u.windows) + " windows");
      }
    }
    ids.push_back(f.unit);
  }
  std::sort(ids.begin(), ids.end());
  const auto twice = std::adjacent_find(ids.begin(), ids.end());
  if (twice != ids.end()) throw InternalError("write_epoch: unit " + std::to_string(*twice) + " is given twice");
}

}  // namespace

std::vector<AnalysisColumns> columns_of(const std::vector<analysis::Configured>& configured) {
  std::vector<AnalysisColumns> out;
  auto add = [&](const analysis::Configured& c) {
    out.push_back({c.name, c.parameters, c.params.values(), c.fields, c.offsets, c.cells, c.kernel()});
  };
  for (const char* name : {"stats", "quality"}) {  // in this order, as the `analyses` attribute has them
    for (const auto& c : configured) {
      if (c.name == name) add(c);
    }
  }
  for (const auto& c : configured) {
    if (!c.kernel()) add(c);  // the others in the config's order
  }
  return out;
}

struct ResultsFile::Impl : State {};

ResultsFile::ResultsFile(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ResultsFile::ResultsFile(ResultsFile&&) noexcept = default;
ResultsFile& ResultsFile::operator=(ResultsFile&&) noexcept = default;
ResultsFile::~ResultsFile() = default;

ResultsFile ResultsFile::create(const exec::Comm& comm, const std::string& path, const plan::Plan& plan,
                                const JobIdentity& identity, bool force) {
  h5::init_library();
  exec::Comm own = exec::Comm::duplicate(comm.get());
  exec::agreed(own, [&] {
    detail::validate_plan(plan);
    if (!own.is_root()) return;
    check_output_path(path, identity.store_path);
    prepare_paths(path, force, detail::estimated_bytes(plan, identity, own.size()));
  });
  detail::create_partial(own, path, results_kind, [&](hid_t file, hid_t dxpl, const std::string& name) {
    detail::build_layout(own, file, plan, identity, dxpl, name);
  });
  auto impl = std::make_unique<Impl>();
  open_partial(impl.get(), std::move(own), path, plan, identity);
  return ResultsFile(std::move(impl));
}

void check_output_path(const std::string& path, const std::string& store) {
  detail::refuse_store_paths(path, store, results_kind);
}

ResultsState results_state(const exec::Comm& comm, const std::string& path, const std::string& store) {
  switch (detail::stage(comm, path, store, results_kind)) {
    case detail::Stage::none: return ResultsState::none;
    case detail::Stage::partial: return ResultsState::partial;
    case detail::Stage::complete: return ResultsState::complete;
  }
  return ResultsState::none;
}

ResultsFile ResultsFile::resume(const exec::Comm& comm, const std::string& path, const plan::Plan& plan,
                                const JobIdentity& identity) {
  h5::init_library();
  exec::Comm own = exec::Comm::duplicate(comm.get());
  exec::agreed(own, [&] {
    detail::validate_plan(plan);
    if (!own.is_root()) return;
    check_output_path(path, identity.store_path);
    if (exists(partial_name(path))) return;
    if (exists(path)) {
      throw ConfigError(path +
                        " is already complete, there is nothing to resume; rerun without --resume and with "
                        "--force to redo it");
    }
    throw ConfigError("no partial results at " + partial_name(path) + " to resume; rerun without --resume");
  });
  auto impl = std::make_unique<Impl>();
  open_partial(impl.get(), std::move(own), path, plan, identity);
  return ResultsFile(std::move(impl));
}

const std::vector<bool>& ResultsFile::committed() const {
  if (!m_impl) throw InternalError("ResultsFile: use after move");
  return m_impl->committed;
}

const std::string& ResultsFile::path() const {
  if (!m_impl) throw InternalError("ResultsFile: use after move");
  return m_impl->path;
}

EpochReport ResultsFile::write_epoch(const std::vector<FinishedUnit>& mine) {
  if (!m_impl) throw InternalError("ResultsFile: use after move");
  Impl& m = *m_impl;
  exec::agreed(m.comm, [&] {
    if (m.finished) throw InternalError("write_epoch: " + m.path + " is already finished");
    validate_epoch(m, mine);
  });

  std::vector<std::int64_t> ids;
  ids.reserve(mine.size());
  for (const FinishedUnit& f : mine) ids.push_back(f.unit);
  std::vector<std::int64_t> all = allgather_ids(m.comm, ids);
  std::sort(all.begin(), all.end());
  exec::agreed(m.comm, [&] {
    const auto twice = std::adjacent_find(all.begin(), all.end());
    if (twice != all.end()) {
      throw InternalError("write_epoch: unit " + std::to_string(*twice) + " was finished by two ranks");
    }
  });

  // HDF5 pairs memory elements with the file selection in ascending file order:
  // pack the rows in plan-row order, whatever order the units finished in.
  std::vector<const FinishedUnit*> order;
  order.reserve(mine.size());
  std::size_t total_rows = 0;
  for (const FinishedUnit& f : mine) {
    order.push_back(&f);
    total_rows += f.rows.size();
  }
  std::sort(order.begin(), order.end(), [&](const FinishedUnit* a, const FinishedUnit* b) {
    return m.units[static_cast<std::size_t>(a->unit)].row < m.units[static_cast<std::size_t>(b->unit)].row;
  });
  std::vector<analysis::WindowRow> rows;
  rows.reserve(total_rows);
  std::vector<detail::Range> row_ranges;
  std::vector<detail::Range> unit_ranges;
  row_ranges.reserve(order.size());
  unit_ranges.reserve(order.size());
  for (const FinishedUnit* f : order) {
    const plan::Unit& u = m.units[static_cast<std::size_t>(f->unit)];
    rows.insert(rows.end(), f->rows.begin(), f->rows.end());
    row_ranges.push_back({static_cast<hsize_t>(u.row), static_cast<hsize_t>(u.windows)});
    unit_ranges.push_back({static_cast<hsize_t>(f->unit), 1});
  }
  detail::merge_ranges(row_ranges);
  detail::merge_ranges(unit_ranges);

  bool collective = true;
  std::uint32_t cause = 0;
  auto note = [&](const detail::TransferMode& mode) {
    collective = collective && mode.collective && mode.global_cause == 0;
    cause |= mode.global_cause;
  };
  // One collective write per column: HDF5 1.10 has no multi-dataset write.
  // Every column has plan.rows elements: one selection serves them all.
  h5::Handle selection;
  if (!m.layout.columns.empty()) {
    selection = exec::agreed(
        m.comm, [&] { return detail::select_ranges(m.layout.columns.front().get(), row_ranges, m.partial); });
  }
  std::vector<unsigned char> column;
  for (std::size_t c = 0; c < m.layout.fields.size(); ++c) {
    const analysis::FieldInfo& field = m.layout.fields[c];
    analysis::gather_column(rows, field, column);
    note(exec::agreed(m.comm, [&] {
      return detail::write_selection(m.layout.columns[c].get(), detail::memory_type(field.kind), selection.get(),
                                     column.data(), m.dxpl.get(), m.partial, "windows/" + std::string(field.name));
    }));
    if (c + 1 == (m.layout.fields.size() + 1) / 2) exec::test_hooks::hold("results.write", m.comm.rank());
  }
  // Each analysis's fields, from the units' cells in the same row order.
  std::vector<std::uint64_t> cells;
  for (std::size_t a = 0; a < m.layout.analyses.size(); ++a) {
    const AnalysisColumns& spec = *m.layout.analyses[a];
    for (std::size_t k = 0; k < spec.fields.size(); ++k) {
      const analysis::Field& field = spec.fields[k];
      const std::size_t width = field.width(), at = spec.offsets[k];
      cells.clear();
      cells.reserve(total_rows * width);
      for (const FinishedUnit* f : order) {
        const std::vector<std::uint64_t>& v = f->cells[a];
        for (std::size_t r = 0; r < f->rows.size(); ++r) {
          const std::uint64_t* row = v.data() + r * spec.cells + at;
          cells.insert(cells.end(), row, row + width);
        }
      }
      const hid_t dataset = m.layout.analysis_columns[a][k].get();
      const std::string what = "analyses/" + spec.name + "/" + field.name;
      h5::Handle wide;
      if (width > 1) wide = exec::agreed(m.comm, [&] { return detail::select_ranges(dataset, row_ranges, m.partial); });
      note(exec::agreed(m.comm, [&] {
        return detail::write_selection(dataset, detail::memory_type(field.kind), width > 1 ? wide.get() : selection.get(),
                                       cells.data(), m.dxpl.get(), m.partial, what);
      }));
    }
  }
  exec::agreed(m.comm, [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing rows"); });
  exec::test_hooks::hold("results.commit", m.comm.rank());

  // Only now, with the rows on disk, are the units marked committed.
  const std::vector<std::uint8_t> ones(ids.size(), 1);
  note(exec::agreed(m.comm, [&] {
    return detail::write_ranges(m.layout.committed.get(), H5T_NATIVE_UINT8, unit_ranges, ones.data(), m.dxpl.get(),
                                m.partial, "units/committed");
  }));
  exec::agreed(m.comm,
               [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing the commit record"); });

  EpochReport report;
  for (const std::int64_t u : all) {
    m.committed[static_cast<std::size_t>(u)] = true;
    report.rows += m.units[static_cast<std::size_t>(u)].windows;
  }
  report.units = static_cast<std::int64_t>(all.size());
  int everywhere = collective ? 1 : 0;
  exec::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &everywhere, 1, MPI_INT, MPI_MIN, m.comm.get()), "MPI_Allreduce");
  exec::check_mpi(MPI_Allreduce(MPI_IN_PLACE, &cause, 1, MPI_UINT32_T, MPI_BOR, m.comm.get()), "MPI_Allreduce");
  report.all_collective = everywhere == 1;
  report.no_collective_cause = cause;
  return report;
}

void ResultsFile::write_provenance(const std::string& json) {
  if (!m_impl) throw InternalError("ResultsFile: use after move");
  Impl& m = *m_impl;
  const hsize_t capacity = m.layout.provenance_capacity;
  std::vector<unsigned char> record;
  exec::agreed(m.comm, [&] {
    if (m.finished) throw InternalError("write_provenance: " + m.path + " is already finished");
    if (!m.comm.is_root()) return;
    const std::string text = detail::fit_provenance(json, capacity);
    if (text.size() != json.size()) {
      spdlog::warn("{}: provenance of {} bytes truncated to fit its {}-byte record", m.partial, json.size(), capacity);
    }
    record.assign(capacity, 0);  // NUL-padded: a shorter text leaves nothing of a longer one behind
    std::memcpy(record.data(), text.data(), text.size());
  });
  std::vector<detail::Range> ranges;
  if (m.comm.is_root() && capacity > 0) ranges.push_back({0, capacity});
  exec::agreed(m.comm, [&] {
    detail::write_ranges(m.layout.provenance.get(), H5T_NATIVE_UINT8, ranges, record.data(), m.dxpl.get(), m.partial,
                         "provenance/json");
  });
  exec::agreed(m.comm, [&] { h5::check(H5Fflush(m.file.get(), H5F_SCOPE_GLOBAL), m.partial, "flushing provenance"); });
}

void ResultsFile::finish() {
  if (!m_impl) throw InternalError("ResultsFile: use after move");
  Impl& m = *m_impl;
  exec::agreed(m.comm, [&] {
    if (m.finished) throw InternalError("finish: " + m.path + " is already finished");
    const auto open = std::count(m.committed.begin(), m.committed.end(), false);
    if (open > 0) {
      throw InternalError("finish: " + std::to_string(open) + " of " + std::to_string(m.committed.size()) +
                          " units of " + m.partial + " are not committed");
    }
  });
  m.layout = detail::OpenLayout{};
  m.dxpl.reset();
  detail::finish(m.comm, m.file, m.path);
  m.finished = true;
}

}  // namespace tsweep::output
