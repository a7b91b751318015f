// Does an existing results file belong to this job? The checks --resume runs.

#include <algorithm>
#include <sstream>
#include <utility>

#include "hdf5_io.hpp"
#include "layout.hpp"
#include "tsweep/core/error.hpp"

namespace tsweep::output::detail {

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  return lines;
}

// Indentation (list markers count as indentation) and key of one YAML line; key "" when the line has none.
std::pair<std::size_t, std::string> indent_and_key(const std::string& line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || (line[i] == '-' && i + 1 < line.size() && line[i + 1] == ' '))) ++i;
  const std::size_t colon = line.find(':', i);
  if (colon == std::string::npos || line[i] == '"' || line[i] == '\'' || line[i] == '#') return {i, ""};
  if (colon + 1 < line.size() && line[colon + 1] != ' ') return {i, ""};  // "a:b" is a value, not a key
  std::string key = line.substr(i, colon - i);
  while (!key.empty() && key.back() == ' ') key.pop_back();
  return {i, key};
}

class KeyPath {
 public:
  void visit(const std::string& line) {
    const auto [indent, key] = indent_and_key(line);
    if (line.find_first_not_of(' ') == std::string::npos) return;
    while (!m_stack.empty() && m_stack.back().first >= indent) m_stack.pop_back();
    if (!key.empty()) m_stack.emplace_back(indent, key);
  }
  // The dotted path a line would have, without visiting it.
  [[nodiscard]] std::string of(const std::string& line) const {
    const auto [indent, key] = indent_and_key(line);
    std::string path;
    for (const auto& [level, name] : m_stack) {
      if (level >= indent) break;
      path += (path.empty() ? "" : ".") + name;
    }
    if (!key.empty()) path += (path.empty() ? "" : ".") + key;
    return path;
  }

 private:
  std::vector<std::pair<std::size_t, std::string>> m_stack;
};

[[noreturn]] void refuse(const std::string& path, const std::string& what) {
  throw ConfigError(path + " " + what + ": rerun without --resume and with --force to start over");
}

}  // namespace

std::string first_differing_key(const std::string& a, const std::string& b) {
  const auto la = lines_of(a);
  const auto lb = lines_of(b);
  KeyPath keys;
  const std::size_t n = std::max(la.size(), lb.size());
  for (std::size_t i = 0; i < n; ++i) {
    if (i < la.size() && i < lb.size() && la[i] == lb[i]) {
      keys.visit(la[i]);
      continue;
    }
    std::string ka = i < la.size() ? keys.of(la[i]) : "";
    std::string kb = i < lb.size() ? keys.of(lb[i]) : "";
    // In canonical (sorted) YAML a key present on one side only sorts first at the line where they part.
    if (ka.empty()) return kb.empty() ? "(top level)" : kb;
    if (kb.empty()) return ka;
    return std::min(ka, kb);
  }
  return "";
}

void check_identity(hid_t file, const plan::Plan& plan, const JobIdentity& identity, const std::string& path) {
  const h5::Handle root(H5Gopen2(file, "/", H5P_DEFAULT), path, "opening /");
  if (!has_attribute(root.get(), "tsweep_format", path))
    refuse(path, "is not a tsweep results file (no tsweep_format)");
  const std::string format = read_string_attribute(root.get(), "tsweep_format", path);
  if (format != format_name) refuse(path, "is not a tsweep results file (tsweep_format is '" + format + "')");
  const std::int64_t version = read_int64_attribute(root.get(), "tsweep_format_version", path);
  if (version != format_version) {
    refuse(path, "has results format version " + std::to_string(version) + ", this tsweep writes version " +
                     std::to_string(format_version));
  }

  const std::string uuid = read_string_attribute(root.get(), "store_uuid", path);
  if (uuid != identity.store_uuid) {
    refuse(path, "was made from a different store (uuid " + uuid + ", now " + identity.store_uuid + ")");
  }
  const std::int64_t blocks = read_int64_attribute(root.get(), "store_blocks", path);
  const std::int64_t streams = read_int64_attribute(root.get(), "store_streams", path);
  if (blocks != identity.store_blocks || streams != identity.store_streams) {
    refuse(path, "was made when the store held " + std::to_string(blocks) + " blocks in " + std::to_string(streams) +
                     " streams, it now holds " + std::to_string(identity.store_blocks) + " in " +
                     std::to_string(identity.store_streams));
  }

  const std::string config = read_string_attribute(root.get(), "config", path);
  if (config != identity.config) {
    const std::string key = first_differing_key(config, identity.config);
    refuse(path, "was made from a different config (key " + key + ")");
  }
  const std::string analyses = read_string_attribute(root.get(), "analyses", path);
  if (analyses != analyses_text(identity)) {
    refuse(path, "was made with analyses " + analyses + ", this job runs " + analyses_text(identity));
  }
  // Files from before analyses took parameters have none: stats and quality take none.
  const std::string parameters = has_attribute(root.get(), "analysis_parameters", path)
                                     ? read_string_attribute(root.get(), "analysis_parameters", path)
                                     : parameters_text(identity);
  if (parameters != parameters_text(identity)) {
    refuse(path, "was made with other analysis parameters (" + parameters + "; this job has " +
                     parameters_text(identity) + ")");
  }
  const std::int64_t window = read_int64_attribute(root.get(), "window_ns", path);
  if (window != plan.window_ns) {
    refuse(path, "was made with windows of " + std::to_string(window) + " ns, this job uses " +
                     std::to_string(plan.window_ns) + " ns");
  }
  const std::uint64_t digest = read_uint64_attribute(root.get(), "plan_digest", path);
  if (digest != plan::plan_digest(plan)) {
    refuse(path, "was made for a different plan (digest " + std::to_string(digest) + ", now " +
                     std::to_string(plan::plan_digest(plan)) + ") from the same store and config");
  }
}

}  // namespace tsweep::output::detail
