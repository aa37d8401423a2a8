#include "harness/NsightImport.hpp"

#include <cmath>
#include <map>
#include <stdexcept>

#include "profilers/cupti/ActivityAggregator.hpp"
#include "profilers/cupti/RangeMetrics.hpp"

namespace mlffb {

size_t CsvTable::column(const std::string& name, const std::string& source) const {
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw std::runtime_error(source + ": no column '" + name + "' in the CSV header");
}

CsvTable parseCsv(const std::string& text, const std::string& source, const std::string& headerMustHave) {
  std::vector<std::vector<std::string>> records;
  std::vector<int> lines;
  std::vector<std::string> rec;
  std::string field;
  bool quoted = false, fieldStarted = false;
  int line = 1, recLine = 1;
  auto endField = [&] {
    rec.push_back(field);
    field.clear();
    fieldStarted = false;
  };
  auto endRecord = [&] {
    endField();
    if (!(rec.size() == 1 && rec[0].empty())) {
      records.push_back(rec);
      lines.push_back(recLine);
    }
    rec.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !fieldStarted) {
      quoted = fieldStarted = true;
    } else if (c == ',') {
      endField();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      endRecord();
      recLine = ++line;
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  if (quoted) throw std::runtime_error(source + ": line " + std::to_string(recLine) + ": unterminated quoted field");
  if (!field.empty() || !rec.empty()) endRecord();

  CsvTable t;
  size_t h = 0;
  while (h < records.size()) {
    bool has = false;
    for (const auto& f : records[h]) has = has || f == headerMustHave;
    if (has) break;
    ++h;
  }
  if (h == records.size()) throw std::runtime_error(source + ": no CSV header with a '" + headerMustHave + "' column");
  t.header = records[h];
  for (size_t r = h + 1; r < records.size(); ++r) {
    if (records[r].size() == 1 && records[r][0].rfind("==", 0) == 0) continue;  // a tool's notice line
    if (records[r].size() != t.header.size())
      throw std::runtime_error(source + ": line " + std::to_string(lines[r]) + ": " + std::to_string(records[r].size()) + " fields, the header has " +
                               std::to_string(t.header.size()));
    t.rows.push_back(records[r]);
  }
  return t;
}

double nsightNumber(const std::string& value, const std::string& unit) {
  std::string v;
  for (char c : value)
    if (c != ',' && c != ' ') v += c;
  if (v.empty() || v == "n/a" || v == "N/A") return std::nan("");
  size_t used = 0;
  double x = 0;
  try {
    x = std::stod(v, &used);
  } catch (const std::exception&) {
    return std::nan("");
  }
  if (used != v.size()) return std::nan("");
  static const std::map<std::string, double> scale = {
      {"byte", 1},       {"Kbyte", 1e3},    {"Mbyte", 1e6},   {"Gbyte", 1e9},   {"Tbyte", 1e12}, {"KB", 1e3},
      {"MB", 1e6},       {"GB", 1e9},       {"nsecond", 1},   {"usecond", 1e3}, {"msecond", 1e6}, {"second", 1e9},
      {"ns", 1},         {"us", 1e3},       {"ms", 1e6},      {"s", 1e9}};
  if (auto it = scale.find(unit); it != scale.end()) x *= it->second;
  return x;
}

Json importNcuRaw(const std::string& csvText, const std::string& source, const std::string& stage, double samples) {
  const CsvTable t = parseCsv(csvText, source, "Kernel Name");
  if (samples <= 0) samples = 1;
  const size_t nameCol = t.column("Kernel Name", source);
  // ncu's raw page has a units row right under the header (its "ID" cell is empty).
  std::vector<std::string> units(t.header.size());
  size_t first = 0;
  const size_t idCol = t.column("ID", source);
  if (!t.rows.empty() && t.rows[0][idCol].empty()) {
    units = t.rows[0];
    first = 1;
  }
  // The metric columns: those named like ncu metrics (unit__counter.rollup).
  std::vector<size_t> metricCols;
  for (size_t i = 0; i < t.header.size(); ++i)
    if (profilers::cupti::reportKey(t.header[i]) != t.header[i]) metricCols.push_back(i);  // the metrics the report knows
  if (metricCols.empty())
    throw std::runtime_error(source + ": none of the metrics mlff-bench reports (" + profilers::cupti::metricSet("throughput").front() + ", ...) is a column");

  struct Sum {
    std::map<std::string, double> total;
    int launches = 0;
  };
  std::map<std::string, Sum> perKernel;
  std::vector<std::string> order;
  Sum stageSum;
  for (size_t r = first; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    auto [it, fresh] = perKernel.try_emplace(row[nameCol]);
    if (fresh) order.push_back(row[nameCol]);
    ++it->second.launches;
    ++stageSum.launches;
    for (size_t c : metricCols) {
      const double x = nsightNumber(row[c], units[c]);
      if (!std::isfinite(x)) continue;
      const std::string key = profilers::cupti::reportKey(t.header[c]);
      it->second.total[key] += x;
      stageSum.total[key] += x;
    }
  }
  auto derived = [](Json& e, const std::map<std::string, double>& v, double n) {
    for (const auto& [k, x] : v) e[k] = x / n;
    if (v.count("dram_read_bytes") && v.count("dram_write_bytes")) e["dram_bytes"] = (v.at("dram_read_bytes") + v.at("dram_write_bytes")) / n;
    if (v.count("gpu_time_ns")) e["gpu_time_ms"] = v.at("gpu_time_ns") * 1e-6 / n;
  };
  Json kernels = Json::array();
  for (const auto& name : order) {
    const Sum& s = perKernel[name];
    Json e = {{"name", name}, {"stage", stage}, {"launches", s.launches / samples}};
    derived(e, s.total, s.launches);  // per launch; percentages are means over launches
    kernels.push_back(e);
  }
  // The stage: bytes and time summed over its kernels per sample; percentages weighted by time.
  Json st = Json::object();
  for (const auto& [k, x] : stageSum.total) {
    if (k.find("_pct") != std::string::npos) continue;
    st[k] = x / samples;
  }
  if (stageSum.total.count("dram_read_bytes") && stageSum.total.count("dram_write_bytes"))
    st["dram_bytes"] = (stageSum.total["dram_read_bytes"] + stageSum.total["dram_write_bytes"]) / samples;
  if (stageSum.total.count("gpu_time_ns")) {
    st["gpu_time_ms"] = stageSum.total["gpu_time_ns"] * 1e-6 / samples;
    if (st.contains("dram_bytes") && stageSum.total["gpu_time_ns"] > 0)
      st["dram_gb_per_s"] = st["dram_bytes"].get<double>() / (stageSum.total["gpu_time_ns"] / samples);
  }
  st["kernels"] = stageSum.launches / samples;
  st["samples"] = samples;
  return {{"kernel_metrics", kernels}, {"traffic", {{stage, st}}}};
}

namespace {
/// An NVTX range as nsys names it: "mlff-bench:energy", ":energy" or "energy" -> "energy".
std::string rangeName(const std::string& r) {
  const size_t colon = r.rfind(':');
  return colon == std::string::npos ? r : r.substr(colon + 1);
}
}  // namespace

Json importNsysStats(const std::string& kernSum, const std::string& nvtxSum, const std::string& apiSum, const std::string& source,
                     double samples) {
  if (samples <= 0) samples = 1;
  Json out = Json::object();
  if (!kernSum.empty()) {
    const std::string src = source + " (cuda_gpu_kern_sum)";
    const CsvTable t = parseCsv(kernSum, src, "Total Time (ns)");
    const size_t total = t.column("Total Time (ns)", src), inst = t.column("Instances", src), avg = t.column("Avg (ns)", src),
                 mn = t.column("Min (ns)", src), mx = t.column("Max (ns)", src), name = t.column("Name", src);
    Json kernels = Json::array();
    double launches = 0;
    for (const auto& row : t.rows) {
      const double n = nsightNumber(row[inst], "");
      launches += n / samples;
      kernels.push_back({{"name", row[name]},
                         {"stage", "all"},
                         {"launches", n / samples},
                         {"total_ms", nsightNumber(row[total], "") * 1e-6 / samples},
                         {"mean_us", nsightNumber(row[avg], "") * 1e-3},
                         {"min_us", nsightNumber(row[mn], "") * 1e-3},
                         {"max_us", nsightNumber(row[mx], "") * 1e-3}});
    }
    out["kernels"] = kernels;
    out["launches_per_sample"] = launches;
  }
  if (!nvtxSum.empty()) {
    const std::string src = source + " (nvtx_sum)";
    const CsvTable t = parseCsv(nvtxSum, src, "Range");
    const size_t total = t.column("Total Time (ns)", src), inst = t.column("Instances", src), med = t.column("Med (ns)", src),
                 range = t.column("Range", src);
    Json ranges = Json::object();
    for (const auto& row : t.rows)
      ranges[rangeName(row[range])] = {{"instances", nsightNumber(row[inst], "")},
                                       {"total_ms", nsightNumber(row[total], "") * 1e-6},
                                       {"median_ms", nsightNumber(row[med], "") * 1e-6}};
    out["nvtx_ranges"] = ranges;
  }
  if (!apiSum.empty()) {
    const std::string src = source + " (cuda_api_sum)";
    const CsvTable t = parseCsv(apiSum, src, "Num Calls");
    const size_t total = t.column("Total Time (ns)", src), calls = t.column("Num Calls", src), name = t.column("Name", src);
    Json functions = Json::object();
    double all = 0, malloc = 0, managed = 0;
    for (const auto& row : t.rows) {
      const double ns = nsightNumber(row[total], "");
      const std::string& fn = row[name];
      functions[fn] = {{"calls", nsightNumber(row[calls], "") / samples}, {"total_ms", ns * 1e-6 / samples}};
      all += ns;
      if (profilers::cupti::ActivityAggregator::isMalloc(fn)) malloc += ns;
      if (profilers::cupti::ActivityAggregator::isManagedMalloc(fn)) managed += ns;
    }
    out["cuda_api"] = {{"total_ms", all * 1e-6 / samples},
                       {"malloc_share", all > 0 ? malloc / all : 0.0},
                       {"malloc_managed_share", all > 0 ? managed / all : 0.0},
                       {"functions", functions}};
  }
  return out;
}

}  // namespace mlffb
