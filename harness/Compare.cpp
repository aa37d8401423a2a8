#include "harness/Compare.hpp"

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
  throw std::invalid_argument("unknown metric '" + m + "' (total, stage:NAME, ns_per_day, ms_per_step, gflops:STAGE, peak_rss)");
}

std::optional<double> metricValue(const Json& run, const std::string& m) {
  if (run.value("status", "") != "ok" || !run.contains("measurements")) return std::nullopt;
  const Json& ms = run["measurements"];
  auto stage = [&](const std::string& s) -> std::optional<double> {
    if (ms.contains("stages") && ms["stages"].contains(s)) return ms["stages"][s]["median_ms"].get<double>();
    return std::nullopt;
  };
  if (m == "total") return stage("total");
  if (m.rfind("stage:", 0) == 0) return stage(m.substr(6));
  if (m == "ns_per_day" && ms.contains("md")) return ms["md"]["ns_per_day"].get<double>();
  if (m == "ms_per_step" && ms.contains("md")) return ms["md"]["ms_per_step"]["median"].get<double>();
  if (m.rfind("gflops:", 0) == 0 && ms.contains("gflops_per_s") && ms["gflops_per_s"].contains(m.substr(7)))
    return ms["gflops_per_s"][m.substr(7)].get<double>();
  if (m == "peak_rss" && ms.contains("peak_memory_bytes") && ms["peak_memory_bytes"].contains("host_peak_rss"))
    return ms["peak_memory_bytes"]["host_peak_rss"].get<double>() / (1024.0 * 1024.0);
  return std::nullopt;
}

std::string rowKey(const Json& run) {
  const Json& sys = run["system"];
  return sys.value("name", std::string("?")) + " | " + run["model"].value("name", std::string("?")) + " | " +
         run["model"].value("flavor", std::string("?")) + " | " + run.value("engine", std::string("?")) + " | " +
         run.value("configuration", std::string("?"));
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

}  // namespace

std::string deviceLabel(const Json& report, const Json& run) {
  const std::string dev = run.value("device", "cpu");
  const Json& env = report["environment"];
  if (dev.rfind("cuda", 0) == 0 && env.contains("gpus") && !env["gpus"].empty()) {
    size_t idx = 0;
    if (auto p = dev.find(':'); p != std::string::npos) idx = std::stoul(dev.substr(p + 1));
    if (idx >= env["gpus"].size()) idx = 0;
    return env["gpus"][idx].value("name", std::string("GPU"));
  }
  return env.value("cpu_model", std::string("CPU")) + " (" + std::to_string(env.value("cpu_cores", 0)) + " cores)";
}

std::string compareReports(const std::vector<std::pair<std::string, Json>>& reports, const CompareOptions& o) {
  if (reports.empty()) throw std::invalid_argument("compare needs at least one report");
  const MetricInfo info = metricInfo(o.metric);
  if (o.format != "md" && o.format != "csv" && o.format != "json")
    throw std::invalid_argument("unknown format '" + o.format + "' (md, csv, json)");
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
