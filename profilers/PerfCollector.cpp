#include "profilers/PerfCollector.hpp"


namespace mlffb::profilers {

void PerfCollector::runBegin(const RunContext&) {
  open_.clear();
  totals_.clear();
  wallMs_.clear();
  openWall_.clear();
  samples_ = 0;
  counters_.open();
}

void PerfCollector::rangeBegin(const char* name) {
  open_[name] = counters_.read();
  openWall_[name] = std::chrono::steady_clock::now();
}

void PerfCollector::rangeEnd(const char* name) {
  auto it = open_.find(name);
  if (it == open_.end()) return;
  const std::vector<double> now = counters_.read();
  std::vector<double>& t = totals_[name];
  t.resize(now.size(), 0.0);
  for (size_t i = 0; i < now.size(); ++i) t[i] += now[i] - it->second[i];
  open_.erase(it);
  wallMs_[name] += std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - openWall_[name]).count();
}

void PerfCollector::runEnd() {
  const auto& cs = counters_.counters();
  nlohmann::ordered_json status = nlohmann::ordered_json::object();
  for (const auto& c : cs) status[c.name] = c.unavailable.empty() ? nlohmann::ordered_json{{"status", "ok"}} : nlohmann::ordered_json{{"status", "unavailable"}, {"reason", c.unavailable}};
  auto index = [&](const std::string& n) {
    for (size_t i = 0; i < cs.size(); ++i)
      if (cs[i].name == n && cs[i].unavailable.empty()) return static_cast<int>(i);
    return -1;
  };
  const double n = samples_ > 0 ? samples_ : 1;
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  for (const auto& entry : totals_) {
    const std::string& range = entry.first;
    const auto& t = entry.second;  // a plain reference: lambdas below capture it (clang 14 cannot capture a structured binding)
    nlohmann::ordered_json s = {{"wall_ms", wallMs_[range] / n}};
    for (size_t i = 0; i < cs.size(); ++i)
      if (cs[i].unavailable.empty()) s[cs[i].name] = t[i] / n;
    auto ratio = [&](const char* key, const char* num, const char* den, double scale) {
      const int a = index(num), b = index(den);
      if (a >= 0 && b >= 0 && t[b] > 0) s[key] = scale * t[a] / t[b];
    };
    ratio("ipc", "instructions", "cycles", 1.0);
    ratio("cache_miss_ratio", "cache_misses", "cache_references", 1.0);
    ratio("ghz", "cycles", "task_clock_ns", 1.0);
    const int tc = index("task_clock_ns");
    if (tc >= 0 && wallMs_[range] > 0) s["cpu_utilisation"] = t[tc] * 1e-6 / wallMs_[range];  // busy threads on average
    stages[range] = s;
  }
  fragment_ = {{"cpu_counters", {{"threads", counters_.threads()}, {"samples", samples_}, {"counters", status}, {"stages", stages}}}};
  counters_.close();
}

}  // namespace mlffb::profilers
