#include "provenance.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>
#include <vector>

namespace tsweep::output::detail {

namespace {

std::string note(const std::vector<std::string>& dropped, std::size_t size, std::size_t capacity) {
  std::string keys;
  for (const auto& k : dropped) keys += (keys.empty() ? "" : ", ") + k;
  return "provenance of " + std::to_string(size) + " bytes did not fit the file's " + std::to_string(capacity) +
         "-byte record; dropped: " + (keys.empty() ? "everything" : keys);
}

}  // namespace

std::string fit_provenance(const std::string& json, std::size_t capacity) {
  if (json.size() <= capacity) return json;

  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> dropped;
  if (doc.is_object()) {
    // Stage 1: top-level arrays (per-rank details), largest first.
    std::vector<std::pair<std::size_t, std::string>> arrays;
    for (const auto& [key, value] : doc.items()) {
      if (value.is_array()) arrays.emplace_back(value.dump().size(), key);
    }
    std::sort(arrays.begin(), arrays.end(), [](const auto& a, const auto& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    });
    for (const auto& [bytes, key] : arrays) {
      doc.erase(key);
      dropped.push_back(key);
      doc["truncated"] = note(dropped, json.size(), capacity);
      std::string text = doc.dump();
      if (text.size() <= capacity) return text;
    }
    // Stage 2: keep the scalars only.
    std::vector<std::string> nested;
    for (const auto& [key, value] : doc.items()) {
      if (key != "truncated" && value.is_structured()) nested.push_back(key);
    }
    for (const auto& key : nested) {
      doc.erase(key);
      dropped.push_back(key);
    }
    doc["truncated"] = note(dropped, json.size(), capacity);
    std::string text = doc.dump();
    if (text.size() <= capacity) return text;
  }
  // Stage 3: the note alone.
  nlohmann::json only;
  only["truncated"] = note({}, json.size(), capacity);
  std::string text = only.dump();
  return text.size() <= capacity ? text : std::string();
}

}  // namespace tsweep::output::detail
