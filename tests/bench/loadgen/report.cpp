#include "report.hpp"

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <stdexcept>

namespace psm::loadgen {

namespace json = boost::json;

std::optional<double> ScenarioResult::ratio() const {
  if (!ceiling || *ceiling <= 0 || value <= 0) return std::nullopt;
  return higher_is_better ? value / *ceiling : *ceiling / value;
}

namespace {

std::string number(double v) {
  char buffer[64];
  if (v >= 1000) {
    std::snprintf(buffer, sizeof buffer, "%.0f", v);
    std::string digits = buffer, out;
    for (std::size_t i = 0; i < digits.size(); ++i) {
      if (i && (digits.size() - i) % 3 == 0) out += ',';
      out += digits[i];
    }
    return out;
  }
  if (v == static_cast<double>(static_cast<long long>(v))) {
    std::snprintf(buffer, sizeof buffer, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(buffer, sizeof buffer, v >= 10 ? "%.1f" : "%.2f", v);
  }
  return buffer;
}

}  // namespace

void Report::write_json(const std::filesystem::path& path) const {
  json::object root;
  json::array c;
  for (const auto& x : ceilings) c.push_back(json::object{{"name", x.name}, {"value", x.value}, {"unit", x.unit}});
  root["ceilings"] = std::move(c);
  json::array r;
  for (const auto& x : results) {
    json::object o{{"scenario", x.scenario}, {"size", x.size}, {"value", x.value}, {"unit", x.unit},
                   {"target", x.target},     {"met", x.met},   {"note", x.note}};
    if (x.ceiling) o["ceiling"] = *x.ceiling;
    if (auto q = x.ratio()) o["ratio"] = *q;
    r.push_back(std::move(o));
  }
  root["results"] = std::move(r);
  json::array g;
  for (const auto& x : growth) {
    g.push_back(
        json::object{{"series", x.series}, {"x", x.x}, {"value", x.value}, {"unit", x.unit}, {"extra", x.extra}});
  }
  root["growth"] = std::move(g);
  std::ofstream out(path);
  out << json::serialize(root) << "\n";
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void Report::write_markdown(const std::filesystem::path& path) const {
  std::ofstream out(path);
  out << "### Ceilings (same machine, same run)\n\n| ceiling | value | how |\n|---|---|---|\n";
  for (const auto& c : ceilings)
    out << "| " << c.name << " | " << number(c.value) << " " << c.unit << " | " << c.how << " |\n";
  out << "\n### Scenarios\n\n| scenario | size | result | ceiling | ratio | target | met "
         "|\n|---|---|---|---|---|---|---|\n";
  for (const auto& r : results) {
    out << "| " << r.scenario << " | " << r.size << " | " << number(r.value) << " " << r.unit << " | ";
    if (r.ceiling)
      out << number(*r.ceiling) << " " << r.unit << " (" << r.ceiling_name << ")";
    else
      out << "—";
    out << " | ";
    if (auto q = r.ratio())
      out << number(*q);
    else
      out << "—";
    out << " | " << r.target << " | " << (r.met ? "yes" : "**no**") << " |\n";
  }
  bool any_note = false;
  for (const auto& r : results) {
    if (r.note.empty()) continue;
    if (!any_note) out << "\n";
    any_note = true;
    out << "- *" << r.scenario << "*: " << r.note << "\n";
  }
  for (const auto& series : {std::string("initial sync"), std::string("delta sync"), std::string("server memory")}) {
    bool header = false;
    for (const auto& g : growth) {
      if (g.series != series) continue;
      if (!header) {
        out << "\n### Growth: " << series << "\n\n| size | result | detail |\n|---|---|---|\n";
        header = true;
      }
      out << "| " << number(g.x) << " | " << number(g.value) << " " << g.unit << " | " << g.extra << " |\n";
    }
  }
  if (!notes.empty()) {
    out << "\n";
    for (const auto& n : notes) out << "- " << n << "\n";
  }
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace psm::loadgen
