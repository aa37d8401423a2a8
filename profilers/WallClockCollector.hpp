#pragma once
// Wall-clock time per range name, summed within one sample (one evaluation), kept per sample.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "profilers/Collector.hpp"

namespace mlffb::profilers {

struct TimingSummary {
  double medianMs = 0, minMs = 0, maxMs = 0, spread = 0;  // spread = (max − min) / median
  int samples = 0;
};
TimingSummary summarize(std::vector<double> ms);

class WallClockCollector : public Collector {
 public:
  std::string name() const override { return "wallclock"; }
  void rangeBegin(const char* name) override;
  void rangeEnd(const char* name) override;
  /// Closes the current sample: durations since the last call become one sample per range.
  void endSample();
  void clear() { samples_.clear(); current_.clear(); }
  /// Per range name: one duration (ms) per sample.
  const std::map<std::string, std::vector<double>>& samples() const { return samples_; }

 private:
  using Clock = std::chrono::steady_clock;
  std::map<std::string, Clock::time_point> open_;
  std::map<std::string, double> current_;
  std::map<std::string, std::vector<double>> samples_;
};

}  // namespace mlffb::profilers
