// `mlff-bench compare`: reports read into one table (rows = system, model, flavour, engine,
// configuration; columns = devices; cells = one metric with its speed-up against a baseline),
// printed as Markdown, CSV or JSON by printers over that table.
#include "harness/Compare.hpp"

#include "core/Errors.hpp"
#include "harness/Report.hpp"
#include <algorithm>
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
  if (m == "us_per_atom_step") return {"µs/atom/step", false};
  if (m == "atom_steps_per_s") return {"atom-steps/s", true};
  throw UsageError("--metric: unknown metric '" + m + "' (total, stage:NAME, ns_per_day, ms_per_step, us_per_atom_step, atom_steps_per_s, gflops:STAGE, peak_rss)");
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
  if (m == "us_per_atom_step" || m == "atom_steps_per_s") return number(lookup(run, {"measurements", "throughput", m}));
  if (m == "peak_rss") {
    const auto b = number(lookup(run, {"measurements", "peak_memory_bytes", "host_peak_rss"}));
    if (b) return *b / (1024.0 * 1024.0);
  }
  return std::nullopt;
}

/// The 95 % interval of a metric where the record has one (issue 29's `timing`): the total of a
/// single point and an MD point's ms/step (timing.ci95_ms), ns/day (md.ns_per_day_ci95), and the
/// per-atom figures scaled from the same interval. Older records have none.
std::optional<std::pair<double, double>> metricInterval(const Json& run, const std::string& m) {
  if (run.value("status", "") != "ok") return std::nullopt;
  const bool md = lookup(run, {"measurements", "md"}) != nullptr;
  const auto pair = [](const Json* v) -> std::optional<std::pair<double, double>> {
    if (v && v->is_array() && v->size() == 2 && (*v)[0].is_number() && (*v)[1].is_number()) return std::make_pair((*v)[0].get<double>(), (*v)[1].get<double>());
    return std::nullopt;
  };
  if (m == "ns_per_day") return pair(lookup(run, {"measurements", "md", "ns_per_day_ci95"}));
  if ((m == "total" && !md) || (m == "ms_per_step" && md)) return pair(lookup(run, {"measurements", "timing", "ci95_ms"}));
  if (m == "us_per_atom_step" || m == "atom_steps_per_s") {
    // The interval of the time per evaluation or step, scaled as the figure is (a ratio of the two).
    const auto ms = pair(lookup(run, {"measurements", "timing", "ci95_ms"}));
    const auto median = number(lookup(run, {"measurements", "timing", "median_ms"}));
    const auto v = metricValue(run, m);
    if (!ms || !median || !v || *median <= 0 || ms->first <= 0) return std::nullopt;
    if (m == "us_per_atom_step") return std::make_pair(*v * ms->first / *median, *v * ms->second / *median);
    return std::make_pair(*v * *median / ms->second, *v * *median / ms->first);
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

/// A run's value of a field that can tell two runs of one row and device apart ("" when absent).
std::string distinguishingValue(const Json& run, const std::string& field) {
  if (!run.contains(field)) return "";
  const Json& v = run[field];
  if (field == "ranks" && v.is_number_integer()) return "np" + std::to_string(v.get<long long>());
  return v.is_string() ? v.get<std::string>() : v.dump();
}

/// The fields (mode, precision, ranks) whose values differ between runs that share a row and a
/// device column: those runs would fall into one cell, so these fields join every row's key.
/// Fields that differ only across columns (cpu float32 against cuda tf32) keep rows together.
std::vector<std::string> distinguishingFields(const std::vector<std::pair<std::string, const Json*>>& runs) {
  std::vector<std::string> fields;
  for (const std::string f : {"mode", "precision", "ranks"}) {
    std::map<std::string, std::set<std::string>> values;  // device column + row → values
    for (const auto& [column, run] : runs) values[column + "\n" + rowKey(*run)].insert(distinguishingValue(*run, f));
    if (std::any_of(values.begin(), values.end(), [](const auto& kv) { return kv.second.size() > 1; })) fields.push_back(f);
  }
  return fields;
}

/// The row key with the distinguishing fields' values after the configuration: "mlff (float64)".
std::string rowKey(const Json& run, const std::vector<std::string>& fields) {
  std::string extra;
  for (const auto& f : fields)
    if (const std::string v = distinguishingValue(run, f); !v.empty()) extra += (extra.empty() ? "" : ", ") + v;
  return rowKey(run) + (extra.empty() ? "" : " (" + extra + ")");
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

/// A report this binary can read: schema_version from 1 to the version it writes.
void checkSchemaVersion(const std::string& file, const Json& version) {
  const double v = version.get<double>();
  if (v > kReportSchemaVersion)
    throw std::invalid_argument(file + ": schema_version " + version.dump() + " is newer than this mlff-bench reads (" +
                                std::to_string(kReportSchemaVersion) + "); read it with a newer mlff-bench");
  if (v < 1) throw std::invalid_argument(file + ": schema_version " + version.dump() + " is not a report version (1 to " + std::to_string(kReportSchemaVersion) + ")");
}

}  // namespace

void checkReportShape(const std::string& file, const Json& doc) {
  if (!doc.is_object()) throw std::invalid_argument(file + ": not an mlff-bench report (not a JSON object)");
  if (!doc.contains("schema_version") || !doc.contains("runs"))
    throw std::invalid_argument(file + ": not an mlff-bench report (no schema_version or runs)");
  field(file, doc, "", "schema_version", Kind::Integer, true);
  checkSchemaVersion(file, doc["schema_version"]);
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
  std::map<std::string, size_t> firstOf;  // run id → its index
  for (size_t i = 0; i < runs.size(); ++i) {
    const std::string at = "runs[" + std::to_string(i) + "].";
    const Json& run = runs[i];
    if (!run.is_object()) throw std::invalid_argument(file + ": runs[" + std::to_string(i) + "]: expected an object");
    field(file, run, at, "id", Kind::String, true);
    if (const auto [first, isNew] = firstOf.emplace(run["id"].get<std::string>(), i); !isNew)
      throw std::invalid_argument(file + ": " + at + "id: '" + first->first + "' is also runs[" + std::to_string(first->second) +
                                  "]'s (a report has one record per point: which one to compare?)");
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

namespace {

/// One model of the comparison that every printer reads (the Google Benchmark / nvbench habit of
/// reporters over one table): columns in order, rows with a value and a speed-up per column.
struct CompareTable {
  std::string metric;
  MetricInfo info;
  std::string baseline;  // the baseline column's label
  std::vector<std::string> columns;
  struct Cell {
    std::optional<double> value;
    std::optional<double> speedup;  // against the baseline column of the same row (1 in that column)
    /// false where both this cell and the baseline's have 95 % intervals and they overlap: the
    /// difference is within the two figures' noise, and no speed-up is claimed.
    std::optional<bool> significant;
  };
  std::vector<std::pair<std::string, std::vector<Cell>>> rows;  // row key → one cell per column
  size_t without = 0;                                          // rows with no value for the metric anywhere
  std::vector<std::string> mismatched;                         // "row — missing in column"
};

struct Column {
  std::string label, file;
};

/// Refuses a run id that a column already has from another file (the same report given twice):
/// its two records would fall into one cell, one of them silently.
void requireOnceInColumn(std::map<std::string, std::map<std::string, std::string>>& filesOf, const std::string& column, const Json& run,
                         const std::string& file) {
  const std::string id = run["id"].get<std::string>();
  const auto [it, isNew] = filesOf[column].emplace(id, file);
  if (!isNew)
    throw std::invalid_argument(file + ": run '" + id + "' is also in " + it->second + ", in the same column " + column +
                                " (the same report given twice?)");
}

/// Columns: one per (report, device label); labels that repeat get the file name. Also fills
/// every row's cells (row → column → value) and which rows each column has a record of.
using Intervals = std::map<std::string, std::map<std::string, std::pair<double, double>>>;  // row → column → interval
std::vector<Column> collect(const std::vector<std::pair<std::string, Json>>& reports, const std::string& metric, std::vector<std::string>& rows,
                            std::map<std::string, std::map<std::string, double>>& cells, std::map<std::string, std::set<std::string>>& present,
                            Intervals& intervals) {
  std::vector<std::vector<std::pair<std::string, const Json*>>> perReport(reports.size());
  std::map<std::string, int> labelCount;
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& run : reports[r].second["runs"]) {
      const std::string label = deviceLabel(reports[r].second, run);
      perReport[r].push_back({label, &run});
      if (seen.insert({label, reports[r].first}).second) labelCount[label]++;
    }
  seen.clear();
  std::vector<std::pair<std::string, const Json*>> byColumn;  // (column, run), to find the fields rows need
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& [label, run] : perReport[r])
      byColumn.push_back({labelCount[label] > 1 ? label + " [" + reports[r].first + "]" : label, run});
  const std::vector<std::string> fields = distinguishingFields(byColumn);
  std::map<std::string, std::map<std::string, std::string>> filesOf;  // column → run id → file
  std::map<std::string, std::map<std::string, std::string>> cellIds;  // column → row → the run id in that cell
  std::vector<Column> columns;
  for (size_t r = 0; r < reports.size(); ++r)
    for (const auto& [label, run] : perReport[r]) {
      const std::string col = labelCount[label] > 1 ? label + " [" + std::filesystem::path(reports[r].first).filename().string() + "]" : label;
      if (seen.insert({col, reports[r].first}).second) columns.push_back({col, reports[r].first});
      requireOnceInColumn(filesOf, col, *run, reports[r].first);
      const std::string row = rowKey(*run, fields);
      if (std::find(rows.begin(), rows.end(), row) == rows.end()) rows.push_back(row);
      present[col].insert(row);
      const auto [first, isNew] = cellIds[col].emplace(row, (*run)["id"].get<std::string>());
      if (!isNew)
        throw std::invalid_argument(reports[r].first + ": runs '" + first->second + "' and '" + (*run)["id"].get<std::string>() +
                                    "' fall into one cell (" + row + ", " + col + "); compare them in separate reports");
      if (auto v = metricValue(*run, metric)) cells[row][col] = *v;
      if (auto ci = metricInterval(*run, metric)) intervals[row][col] = *ci;
    }
  return columns;
}

/// The baseline column: the first column of the baseline report (default: the first column).
std::string baselineColumn(const std::vector<Column>& columns, const std::string& baseline) {
  if (baseline.empty()) return columns.front().label;
  for (const auto& c : columns)
    if (c.file == baseline || std::filesystem::path(c.file).filename() == std::filesystem::path(baseline).filename()) return c.label;
  throw std::invalid_argument("--baseline " + baseline + " is not one of the compared reports");
}

CompareTable buildTable(const std::vector<std::pair<std::string, Json>>& reports, const CompareOptions& o) {
  CompareTable t;
  t.metric = o.metric;
  t.info = metricInfo(o.metric);
  std::vector<std::string> rows;
  std::map<std::string, std::map<std::string, double>> cells;
  std::map<std::string, std::set<std::string>> present;
  Intervals intervals;
  const std::vector<Column> columns = collect(reports, o.metric, rows, cells, present, intervals);
  if (columns.empty()) {  // (a run killed before its first point finished leaves such a report)
    std::string names;
    for (const auto& [file, report] : reports) names += (names.empty() ? "" : ", ") + file;
    throw std::invalid_argument(names + ": no runs to compare (the report" + (reports.size() > 1 ? "s hold" : " holds") + " none)");
  }
  for (const auto& c : columns) t.columns.push_back(c.label);
  t.baseline = baselineColumn(columns, o.baseline);
  for (const auto& row : rows) {
    const auto& values = cells[row];
    if (values.empty()) {  // e.g. MD points for a single-point metric: not compared
      ++t.without;
      continue;
    }
    std::vector<CompareTable::Cell> out;
    const auto base = values.find(t.baseline);
    for (const auto& c : t.columns) {
      CompareTable::Cell cell;
      if (auto v = values.find(c); v != values.end()) {
        cell.value = v->second;
        if (base != values.end() && v->second > 0 && base->second > 0)
          cell.speedup = t.info.higherIsBetter ? v->second / base->second : base->second / v->second;
        const auto& ci = intervals[row];
        const auto mine = ci.find(c), theirs = ci.find(t.baseline);
        if (c != t.baseline && mine != ci.end() && theirs != ci.end())
          cell.significant = mine->second.second < theirs->second.first || theirs->second.second < mine->second.first;
      }
      if (!present[c].count(row)) t.mismatched.push_back(row + " — missing in " + c);
      out.push_back(cell);
    }
    t.rows.emplace_back(row, std::move(out));
  }
  if (t.rows.empty()) throw std::invalid_argument("no run in these reports has the metric '" + o.metric + "'");
  return t;
}

std::string printJson(const CompareTable& t) {
  Json j;
  j["metric"] = t.metric;
  j["unit"] = t.info.unit;
  j["baseline"] = t.baseline;
  j["columns"] = t.columns;
  j["rows"] = Json::array();
  for (const auto& [row, cells] : t.rows) {
    Json r;
    r["row"] = row;
    for (size_t c = 0; c < t.columns.size(); ++c) {
      r["values"][t.columns[c]] = cells[c].value ? Json(*cells[c].value) : Json(nullptr);
      if (cells[c].speedup) r["speedup_vs_baseline"][t.columns[c]] = *cells[c].speedup;
      if (cells[c].significant) r["significant_vs_baseline"][t.columns[c]] = *cells[c].significant;
    }
    j["rows"].push_back(r);
  }
  j["mismatched"] = t.mismatched;
  return j.dump(2) + "\n";
}

std::string printCsv(const CompareTable& t) {
  std::ostringstream out;
  out << "system,model,flavor,engine,configuration";
  for (const auto& c : t.columns) out << "," << csvField(c + " (" + t.info.unit + ")") << "," << csvField(c + " speedup");
  out << "\n";
  for (const auto& [row, cells] : t.rows) {
    for (size_t from = 0, at; from != std::string::npos; from = at == std::string::npos ? at : at + 3) {
      at = row.find(" | ", from);
      out << (from ? "," : "") << row.substr(from, at == std::string::npos ? at : at - from);
    }
    for (const auto& cell : cells) {
      out << ",";
      if (cell.value) out << *cell.value;
      out << ",";
      if (cell.speedup) out << *cell.speedup;
    }
    out << "\n";
  }
  return out.str();
}

/// Markdown for people: the baseline column is named in the heading, so its own ×1 is left out.
std::string printMarkdown(const CompareTable& t) {
  std::ostringstream out;
  out << "Metric: " << t.metric << " (" << t.info.unit << "); speed-up against " << t.baseline << " in parentheses ("
      << (t.info.higherIsBetter ? "value / baseline" : "baseline / value") << ").\n\n";
  out << "| system | model | flavour | engine | configuration |";
  for (const auto& c : t.columns) out << " " << c << " |";
  bool anyNotSignificant = false;
  out << "\n|---|---|---|---|---|";
  for (size_t i = 0; i < t.columns.size(); ++i) out << "---:|";
  out << "\n";
  for (const auto& [row, cells] : t.rows) {
    out << "| " << row << " |";
    for (size_t c = 0; c < cells.size(); ++c) {
      if (!cells[c].value) {
        out << " — |";
        continue;
      }
      out << " " << fmt(*cells[c].value);
      if (cells[c].significant && !*cells[c].significant) {
        out << " (n.s.)";
        anyNotSignificant = true;
      } else if (cells[c].speedup && t.columns[c] != t.baseline) {
        out << " (×" << fmt(*cells[c].speedup) << ")";
      }
      out << " |";
    }
    out << "\n";
  }
  if (anyNotSignificant)
    out << "\n(n.s.): not significant: the 95 % intervals of the two medians overlap, so no speed-up is claimed (`--format json` gives it).\n";
  if (t.without) out << "\n" << t.without << " other points have no value for this metric.\n";
  if (!t.mismatched.empty()) {
    out << "\nMismatched points (no record in every report):\n";
    for (const auto& m : t.mismatched) out << "- " << m << "\n";
  }
  return out.str();
}

const std::map<std::string, std::string (*)(const CompareTable&)>& printers() {
  static const std::map<std::string, std::string (*)(const CompareTable&)> p{{"md", printMarkdown}, {"csv", printCsv}, {"json", printJson}};
  return p;
}

}  // namespace

std::string compareReports(const std::vector<std::pair<std::string, Json>>& reports, const CompareOptions& o) {
  if (reports.empty()) throw std::invalid_argument("compare needs at least one report");
  metricInfo(o.metric);  // an unknown metric is a usage error before the format is looked at
  const auto printer = printers().find(o.format);
  if (printer == printers().end()) throw UsageError("--format: unknown format '" + o.format + "' (md, csv, json)");
  return printer->second(buildTable(reports, o));
}

}  // namespace mlffb
