#include "harness/Compare.hpp"

#include "core/Errors.hpp"
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

namespace mlffb {
namespace {

struct MetricInfo {
  std::string unit;
  bool higherIsBetter;
};

MetricInfo metricInfo(const std::string& m) {
  if (m == "total" || m.rfind("stage:", 0) == 0 || m == "ms_per_step") return {"ms", false};
  if (m == "ns_per_day") return {"ns/day", true};
  if (m.rfind("gflops:", 0) == 0) return {"GFLOP/s", true};
  if (m == "peak_rss") return {"MiB", false};
  throw UsageError("--metric: unknown metric '" + m + "' (total, stage:NAME, ns_per_day, ms_per_step, gflops:STAGE, peak_rss)");
}

/// The value at a path of keys, or nullptr where one is missing (a const Json's operator[] on a
/// missing key is undefined behaviour: fuzzing found compare doing that on hand-edited reports).
const Json* lookup(const Json& j, std::initializer_list<std::string> path) {
  const Json* at = &j;
  for (const auto& k : path) {
    if (!at->is_object() || !at->contains(k)) return nullptr;
    at = &(*at)[k];
  }
  return at;
}

std::optional<double> number(const Json* v) {
  if (v && v->is_number()) return v->get<double>();
  return std::nullopt;
}

std::optional<double> metricValue(const Json& run, const std::string& m) {
  if (run.value("status", "") != "ok") return std::nullopt;
  if (m == "total") return number(lookup(run, {"measurements", "stages", "total", "median_ms"}));
  if (m.rfind("stage:", 0) == 0) return number(lookup(run, {"measurements", "stages", m.substr(6), "median_ms"}));
  if (m == "ns_per_day") return number(lookup(run, {"measurements", "md", "ns_per_day"}));
  if (m == "ms_per_step") return number(lookup(run, {"measurements", "md", "ms_per_step", "median"}));
  if (m.rfind("gflops:", 0) == 0) return number(lookup(run, {"measurements", "gflops_per_s", m.substr(7)}));
  if (m == "peak_rss") {
    const auto b = number(lookup(run, {"measurements", "peak_memory_bytes", "host_peak_rss"}));
    if (b) return *b / (1024.0 * 1024.0);
  }
  return std::nullopt;
}

std::string text(const Json& run, std::initializer_list<std::string> path) {
  const Json* v = lookup(run, path);
  return v && v->is_string() ? v->get<std::string>() : "?";
}

std::string rowKey(const Json& run) {
  return text(run, {"system", "name"}) + " | " + text(run, {"model", "name"}) + " | " + text(run, {"model", "flavor"}) + " | " +
         text(run, {"engine"}) + " | " + text(run, {"configuration"});
}

std::string fmt(double v) {
  char b[64];
  std::snprintf(b, sizeof b, std::abs(v) >= 100 ? "%.1f" : "%.3g", v);
  return b;
}

std::string csvField(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

enum class Kind { Object, Array, String, Number, Integer };

const char* kindName(Kind k) {
  switch (k) {
    case Kind::Object: return "an object";
    case Kind::Array: return "a list";
    case Kind::String: return "text";
    case Kind::Number: return "a number";
    case Kind::Integer: return "an integer";
  }
  return "?";
}

bool isKind(const Json& j, Kind k) {
  switch (k) {
    case Kind::Object: return j.is_object();
    case Kind::Array: return j.is_array();
    case Kind::String: return j.is_string();
    case Kind::Number: return j.is_number();
    case Kind::Integer: return j.is_number_integer();
  }
  return false;
}

/// The field `key` of `parent` (at `path`) when present, checked to be of kind `k`; throws naming it.
const Json* field(const std::string& file, const Json& parent, const std::string& path, const std::string& key, Kind k,
                  bool required) {
  if (!parent.contains(key)) {
    if (required) throw std::invalid_argument(file + ": " + path + key + ": missing (" + kindName(k) + " expected)");
    return nullptr;
  }
  const Json& v = parent[key];
  if (!isKind(v, k)) {
    std::string found = v.dump();
    if (found.size() > 40) found = found.substr(0, 40) + "…";
    throw std::invalid_argument(file + ": " + path + key + ": expected " + kindName(k) + ", found " + found);
  }
  return &v;
}

}  // namespace

void checkReportShape(const std::string& file, const Json& doc) {
  if (!doc.is_object()) throw std::invalid_argument(file + ": not an mlff-bench report (not a JSON object)");
  if (!doc.contains("schema_version") || !doc.contains("runs"))
    throw std::invalid_argument(file + ": not an mlff-bench report (no schema_version or runs)");
  field(file, doc, "", "schema_version", Kind::Integer, true);
  const Json& env = *field(file, doc, "", "environment", Kind::Object, true);
  field(file, env, "environment.", "cpu_model", Kind::String, false);
  field(file, env, "environment.", "cpu_cores", Kind::Integer, false);
  if (const Json* gpus = field(file, env, "environment.", "gpus", Kind::Array, false))
    for (size_t g = 0; g < gpus->size(); ++g) {
      const std::string at = "environment.gpus[" + std::to_string(g) + "]";
      if (!(*gpus)[g].is_object()) throw std::invalid_argument(file + ": " + at + ": expected an object");
      field(file, (*gpus)[g], at + ".", "name", Kind::String, false);
    }
  const Json& runs = *field(file, doc, "", "runs", Kind::Array, true);
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string at = "runs[" + std::to_string(i) + "].";
    const Json& run = runs[i];
    if (!run.is_object()) throw std::invalid_argument(file + ": runs[" + std::to_string(i) + "]: expected an object");
    field(file, run, at, "id", Kind::String, true);
    field(file, run, at, "status", Kind::String, true);
    for (const char* k : {"device", "engine", "configuration", "mode"}) field(file, run, at, k, Kind::String, false);
    if (const Json* m = field(file, run, at, "model", Kind::Object, false))
      for (const char* k : {"name", "flavor"}) field(file, *m, at + "model.", k, Kind::String, false);
    if (const Json* sys = field(file, run, at, "system", Kind::Object, false)) {
      field(file, *sys, at + "system.", "name", Kind::String, false);
      field(file, *sys, at + "system.", "atoms", Kind::Integer, false);
    }
    const Json* m = field(file, run, at, "measurements", Kind::Object, false);
    if (!m) continue;
    const std::string mat = at + "measurements.";
    if (const Json* stages = field(file, *m, mat, "stages", Kind::Object, false))
      for (auto& [name, t] : stages->items()) {
        if (!t.is_object()) throw std::invalid_argument(file + ": " + mat + "stages." + name + ": expected an object");
        field(file, t, mat + "stages." + name + ".", "median_ms", Kind::Number, true);
      }
    if (const Json* md = field(file, *m, mat, "md", Kind::Object, false)) {
      field(file, *md, mat + "md.", "ns_per_day", Kind::Number, false);
      if (const Json* ms = field(file, *md, mat + "md.", "ms_per_step", Kind::Object, false))
        field(file, *ms, mat + "md.ms_per_step.", "median", Kind::Number, true);
    }
    if (const Json* g = field(file, *m, mat, "gflops_per_s", Kind::Object, false))
      for (auto& [name, v] : g->items()) field(file, *g, mat + "gflops_per_s.", name, Kind::Number, true);
    if (const Json* p = field(file, *m, mat, "peak_memory_bytes", Kind::Object, false))
      field(file, *p, mat + "peak_memory_bytes.", "host_peak_rss", Kind::Number, false);
  }
}

Json parseReportText(const std::string& text, const std::string& file) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::exception& e) {
    throw std::invalid_argument(file + ": not a JSON report (" + std::string(e.what()).substr(0, 80) + ")");
  }
  checkReportShape(file, j);
  return j;
}

std::string deviceLabel(const Json& report, const Json& run) {
  const std::string dev = run.value("device", "cpu");
  static const Json kNone = Json::object();
  const Json& env = report.contains("environment") && report["environment"].is_object() ? report["environment"] : kNone;
  if (dev.rfind("cuda", 0) == 0 && env.contains("gpus") && !env["gpus"].empty()) {
    size_t idx = 0;
    if (auto p = dev.find(':'); p != std::string::npos) {
      try {
        idx = std::stoul(dev.substr(p + 1));
      } catch (const std::exception&) {
        idx = 0;  // "cuda:?" in a foreign report: the first GPU
      }
    }
    if (idx >= env["gpus"].size()) idx = 0;
    return env["gpus"][idx].value("name", std::string("GPU"));
  }
  return env.value("cpu_model", std::string("CPU")) + " (" + std::to_string(env.value("cpu_cores", 0)) + " cores)";
}

std::string compareReports(const std::vector<std::pair<std::string, Json>>& reports, const CompareOptions& o) {
  if (reports.empty()) throw std::invalid_argument("compare needs at least one report");
  const MetricInfo info = metricInfo(o.metric);
  if (o.format != "md" && o.format != "csv" && o.format != "json")
    throw UsageError("--format: unknown format '" + o.format + "' (md, csv, json)");
  // Columns: one per (report, device label); labels that repeat get the file name.
  struct Column {
    std::string label, file;
  };
  std::vector<Column> columns;
  std::map<std::string, std::map<std::string, double>> cells;  // row → column label → value
  std::map<std::string, std::set<std::string>> present;        // column → rows with a record (any status)
  std::vector<std::string> rows;
  std::map<std::string, int> labelCount;
  std::vector<std::vector<std::pair<std::string, const Json*>>> perReport(reports.size());
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& run : reports[r].second["runs"]) {
      const std::string label = deviceLabel(reports[r].second, run);
      perReport[r].push_back({label, &run});
    }
  std::set<std::pair<std::string, std::string>> seenColumns;
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& [label, run] : perReport[r])
      if (seenColumns.insert({label, reports[r].first}).second) labelCount[label]++;
  seenColumns.clear();
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& [label, run] : perReport[r]) {
      const std::string col = labelCount[label] > 1 ? label + " [" + std::filesystem::path(reports[r].first).filename().string() + "]" : label;
      if (seenColumns.insert({col, reports[r].first}).second) columns.push_back({col, reports[r].first});
      const std::string row = rowKey(*run);
      if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
      present[col].insert(row);
      if (auto v = metricValue(*run, o.metric)) cells[row][col] = *v;
    }
  // Rows without this metric anywhere (e.g. MD points for a single-point metric) are not compared.
  size_t without = 0;
  std::vector<std::string> kept;
  for (const auto& row : rows) {
    if (cells[row].empty()) {
      ++without;
      continue;
    }
    kept.push_back(row);
  }
  rows.swap(kept);
  if (rows.empty()) throw std::invalid_argument("no run in these reports has the metric '" + o.metric + "'");
  // Baseline column: the first column of the baseline report.
  std::string baseCol = columns.front().label;
  if (!o.baseline.empty()) {
    bool found = false;
    for (const auto& c : columns)
      if (c.file == o.baseline || std::filesystem::path(c.file).filename() == std::filesystem::path(o.baseline).filename()) {
        baseCol = c.label;
        found = true;
        break;
      }
    if (!found) throw std::invalid_argument("--baseline " + o.baseline + " is not one of the compared reports");
  }
  auto speedup = [&](double v, double base) { return info.higherIsBetter ? v / base : base / v; };
  std::vector<std::string> mismatched;
  for (const auto& row : rows)
    for (const auto& c : columns)
      if (!present[c.label].count(row)) mismatched.push_back(row + " — missing in " + c.label);

  std::ostringstream out;
  if (o.format == "json") {
    Json j;
    j["metric"] = o.metric;
    j["unit"] = info.unit;
    j["baseline"] = baseCol;
    j["columns"] = Json::array();
    for (const auto& c : columns) j["columns"].push_back(c.label);
    j["rows"] = Json::array();
    for (const auto& row : rows) {
      Json r;
      r["row"] = row;
      for (const auto& c : columns) {
        if (!cells[row].count(c.label)) {
          r["values"][c.label] = nullptr;
          continue;
        }
        r["values"][c.label] = cells[row][c.label];
        if (cells[row].count(baseCol) && cells[row][c.label] > 0)
          r["speedup_vs_baseline"][c.label] = speedup(cells[row][c.label], cells[row][baseCol]);
      }
      j["rows"].push_back(r);
    }
    j["mismatched"] = mismatched;
    out << j.dump(2) << "\n";
    return out.str();
  }
  if (o.format == "csv") {
    out << "system,model,flavor,engine,configuration";
    for (const auto& c : columns) out << "," << csvField(c.label + " (" + info.unit + ")") << "," << csvField(c.label + " speedup");
    out << "\n";
    for (const auto& row : rows) {
      std::string r = row;
      for (size_t p; (p = r.find(" | ")) != std::string::npos;) r.replace(p, 3, ",");
      out << r;
      for (const auto& c : columns) {
        if (!cells[row].count(c.label)) {
          out << ",,";
          continue;
        }
        out << "," << cells[row][c.label] << ",";
        if (cells[row].count(baseCol)) out << speedup(cells[row][c.label], cells[row][baseCol]);
      }
      out << "\n";
    }
    return out.str();
  }
  out << "Metric: " << o.metric << " (" << info.unit << "); speed-up against " << baseCol << " in parentheses ("
      << (info.higherIsBetter ? "value / baseline" : "baseline / value") << ").\n\n";
  out << "| system | model | flavour | engine | configuration |";
  for (const auto& c : columns) out << " " << c.label << " |";
  out << "\n|---|---|---|---|---|";
  for (size_t i = 0; i < columns.size(); ++i) out << "---:|";
  out << "\n";
  for (const auto& row : rows) {
    out << "| " << row << " |";
    for (const auto& c : columns) {
      if (!cells[row].count(c.label)) {
        out << " — |";
        continue;
      }
      out << " " << fmt(cells[row][c.label]);
      if (cells[row].count(baseCol) && c.label != baseCol) out << " (×" << fmt(speedup(cells[row][c.label], cells[row][baseCol])) << ")";
      out << " |";
    }
    out << "\n";
  }
  if (without) out << "\n" << without << " other points have no value for this metric.\n";
  if (!mismatched.empty()) {
    out << "\nMismatched points (no record in every report):\n";
    for (const auto& m : mismatched) out << "- " << m << "\n";
  }
  return out.str();
}

}  // namespace mlffb
