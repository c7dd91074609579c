// What one load-generator run measured, written as JSON (for tools) and as the
// Markdown tables of docs/performance.md.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace psm::loadgen {

struct ScenarioResult {
  std::string scenario;
  std::string size;  // what was run, e.g. "100,000 operations"
  double value = 0;
  std::string unit;               // "ops/s", "ms", "KiB/connection"...
  std::optional<double> ceiling;  // the same quantity for the hardware path alone
  std::string ceiling_name;
  std::string target;  // as written in the issue
  bool met = false;
  bool higher_is_better = true;
  std::string note;
  // value / ceiling when higher is better, ceiling / value when lower is better.
  std::optional<double> ratio() const;
};

struct GrowthRow {
  std::string series;  // "initial sync" or "server memory"
  double x = 0;        // records or connections
  double value = 0;
  std::string unit;
  std::string extra;
};

struct Ceiling {
  std::string name;
  double value = 0;
  std::string unit;
  std::string how;
};

struct Report {
  std::vector<Ceiling> ceilings;
  std::vector<ScenarioResult> results;
  std::vector<GrowthRow> growth;
  std::vector<std::string> notes;

  void write_json(const std::filesystem::path& path) const;
  void write_markdown(const std::filesystem::path& path) const;
};

}  // namespace psm::loadgen
