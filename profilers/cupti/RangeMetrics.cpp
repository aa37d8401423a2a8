#include "profilers/cupti/RangeMetrics.hpp"

#include <map>
#include <stdexcept>

namespace mlffb::profilers::cupti {

namespace {
const std::vector<std::pair<std::string, std::string>> kKeys = {
    {"gpu__time_duration.sum", "gpu_time_ns"},
    {"dram__bytes_read.sum", "dram_read_bytes"},
    {"dram__bytes_write.sum", "dram_write_bytes"},
    {"lts__t_bytes.sum", "l2_bytes"},
    {"l1tex__t_bytes.sum", "l1_bytes"},
    {"sm__warps_active.avg.pct_of_peak_sustained_active", "achieved_occupancy_pct"},
    {"dram__throughput.avg.pct_of_peak_sustained_elapsed", "dram_throughput_pct"},
    {"sm__throughput.avg.pct_of_peak_sustained_elapsed", "sm_throughput_pct"},
    {"gpu__compute_memory_throughput.avg.pct_of_peak_sustained_elapsed", "compute_memory_throughput_pct"},
    {"smsp__sass_thread_inst_executed_op_ffma_pred_on.sum", "ffma_thread_inst"},
    {"smsp__sass_thread_inst_executed_op_fadd_pred_on.sum", "fadd_thread_inst"},
    {"smsp__sass_thread_inst_executed_op_fmul_pred_on.sum", "fmul_thread_inst"},
};
}  // namespace

std::vector<std::string> metricSet(const std::string& name) {
  std::vector<std::string> m(kKeys.size());
  for (size_t i = 0; i < kKeys.size(); ++i) m[i] = kKeys[i].first;
  if (name == "memory") return {m.begin(), m.begin() + 7};
  if (name == "throughput") return m;
  throw std::invalid_argument("--metrics: unknown metric set '" + name + "' (known: memory, throughput)");
}

std::string reportKey(const std::string& metric) {
  for (const auto& [m, k] : kKeys)
    if (m == metric) return k;
  return metric;
}

nlohmann::ordered_json aggregateRanges(const std::vector<std::string>& metrics, const std::vector<RangeValues>& ranges, bool perStage) {
  struct Sum {
    std::vector<double> total;
    int count = 0;
  };
  std::map<std::string, Sum> by;
  std::vector<std::string> order;
  for (const auto& r : ranges) {
    if (r.values.size() != metrics.size()) throw std::invalid_argument("range '" + r.name + "': metric count differs from the metric set");
    auto [it, fresh] = by.try_emplace(r.name);
    if (fresh) {
      it->second.total.assign(metrics.size(), 0.0);
      order.push_back(r.name);
    }
    for (size_t i = 0; i < metrics.size(); ++i) it->second.total[i] += r.values[i];
    ++it->second.count;
  }
  auto entry = [&](const Sum& s) {
    nlohmann::ordered_json e = nlohmann::ordered_json::object();
    std::map<std::string, double> v;
    for (size_t i = 0; i < metrics.size(); ++i) v[reportKey(metrics[i])] = s.total[i] / s.count;  // mean per occurrence
    for (const auto& [k, x] : v) e[k] = x;
    if (v.count("dram_read_bytes") && v.count("dram_write_bytes")) {
      const double bytes = v["dram_read_bytes"] + v["dram_write_bytes"];
      e["dram_bytes"] = bytes;
      if (v.count("gpu_time_ns") && v["gpu_time_ns"] > 0) e["dram_gb_per_s"] = bytes / v["gpu_time_ns"];
    }
    if (v.count("ffma_thread_inst"))
      e["fp32_flops"] = 2 * v["ffma_thread_inst"] + v["fadd_thread_inst"] + v["fmul_thread_inst"];
    if (v.count("gpu_time_ns")) e["gpu_time_ms"] = v["gpu_time_ns"] * 1e-6;
    e[perStage ? "samples" : "launches"] = s.count;
    return e;
  };
  if (perStage) {
    nlohmann::ordered_json out = nlohmann::ordered_json::object();
    for (const auto& name : order) out[name] = entry(by[name]);
    return out;
  }
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const auto& name : order) {
    nlohmann::ordered_json e = {{"name", name}};
    e.update(entry(by[name]));
    out.push_back(e);
  }
  return out;
}

}  // namespace mlffb::profilers::cupti
