#include "profilers/WallClockCollector.hpp"

#include <algorithm>

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

void WallClockCollector::rangeBegin(const char* name) { open_[name] = Clock::now(); }

void WallClockCollector::rangeEnd(const char* name) {
  auto it = open_.find(name);
  if (it == open_.end()) return;
  current_[name] += std::chrono::duration<double, std::milli>(Clock::now() - it->second).count();
  open_.erase(it);
}

void WallClockCollector::endSample() {
  for (auto& [k, v] : current_) samples_[k].push_back(v);
  current_.clear();
}

}  // namespace mlffb::profilers
