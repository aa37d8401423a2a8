#pragma once
// Wall-clock time per range name, summed within one sample (one evaluation, one MD step), kept
// per sample. Its fragment is the "stages" section: median, min, max and spread per range.
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
/// The q-quantile (0..1) with linear interpolation; 0 for no values.
double percentile(std::vector<double> values, double q);

class WallClockCollector : public Collector {
 public:
  std::string name() const override { return "wallclock"; }
  void runBegin(const RunContext&) override { clear(); }
  void rangeBegin(const char* name) override;
  void rangeEnd(const char* name) override;
  void sampleEnd() override;
  nlohmann::ordered_json fragment() const override;
  void clear() { samples_.clear(); current_.clear(); open_.clear(); }
  /// Per range name: one duration (ms) per sample.
  const std::map<std::string, std::vector<double>>& samples() const { return samples_; }

 private:
  using Clock = std::chrono::steady_clock;
  std::map<std::string, Clock::time_point> open_;
  std::map<std::string, double> current_;
  std::map<std::string, std::vector<double>> samples_;
};

}  // namespace mlffb::profilers
