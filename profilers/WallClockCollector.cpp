#include "profilers/WallClockCollector.hpp"

#include <algorithm>
#include <cmath>


namespace mlffb::profilers {

TimingSummary summarize(std::vector<double> ms) {
  TimingSummary s;
  if (ms.empty()) return s;
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  s.samples = static_cast<int>(n);
  s.minMs = ms.front();
  s.maxMs = ms.back();
  s.medianMs = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  s.spread = s.medianMs > 0 ? (s.maxMs - s.minMs) / s.medianMs : 0;
  return s;
}

double percentile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(pos)), hi = static_cast<size_t>(std::ceil(pos));
  return v[lo] + (v[hi] - v[lo]) * (pos - static_cast<double>(lo));
}

void WallClockCollector::rangeBegin(const char* name) { open_[name] = Clock::now(); }

void WallClockCollector::rangeEnd(const char* name) {
  auto it = open_.find(name);
  if (it == open_.end()) return;
  current_[name] += std::chrono::duration<double, std::milli>(Clock::now() - it->second).count();
  open_.erase(it);
}

void WallClockCollector::sampleEnd() {
  for (auto& [k, v] : current_) samples_[k].push_back(v);
  current_.clear();
}

nlohmann::ordered_json WallClockCollector::fragment() const {
  nlohmann::ordered_json stages = nlohmann::ordered_json::object();
  for (const auto& [name, ms] : samples_) {
    const TimingSummary t = summarize(ms);
    stages[name] = {{"median_ms", t.medianMs}, {"min_ms", t.minMs}, {"max_ms", t.maxMs}, {"spread", t.spread}, {"samples", t.samples}};
  }
  return {{"stages", stages}};
}

}  // namespace mlffb::profilers
