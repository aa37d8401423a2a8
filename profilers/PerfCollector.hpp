#pragma once
// CPU counters per stage (`run --profile perf`): the counters of PerfCounters read at each range's
// begin and end, the difference summed per range within a sample and averaged over the samples,
// with derived rates (IPC, cache miss ratio, GHz from cycles over task clock). Runs in a pass of
// its own: reading counters at every range boundary costs system calls.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "profilers/Collector.hpp"
#include "profilers/PerfCounters.hpp"

namespace mlffb::profilers {

class PerfCollector : public Collector {
 public:
  std::string name() const override { return "perf"; }
  void runBegin(const RunContext&) override;
  void runEnd() override;
  void rangeBegin(const char* name) override;
  void rangeEnd(const char* name) override;
  void sampleEnd() override { ++samples_; }
  nlohmann::ordered_json fragment() const override { return fragment_; }

 private:
  PerfCounters counters_;
  std::map<std::string, std::vector<double>> open_;   // range -> values at its begin
  std::map<std::string, std::vector<double>> totals_;  // range -> summed differences
  std::map<std::string, double> wallMs_;
  std::map<std::string, std::chrono::steady_clock::time_point> openWall_;
  int samples_ = 0;
  nlohmann::ordered_json fragment_ = nlohmann::ordered_json::object();
};

}  // namespace mlffb::profilers
