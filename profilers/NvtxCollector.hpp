#pragma once
// `nvtx`: every Range is an NVTX push/pop in domain "mlff-bench" whenever CUDA's NVTX3 is built in
// (no cost without a tool attached); this collector makes that visible in `list` and, in a run,
// counts the ranges per sample that a tool attached to the run would see (NvtxEntry.cpp registers it).
#include <map>
#include <string>

#include "profilers/Collector.hpp"
#include "profilers/Range.hpp"

namespace mlffb::profilers {

class NvtxCollector : public Collector {
 public:
  std::string name() const override { return "nvtx"; }
  void runBegin(const RunContext&) override {
    counts_.clear();
    samples_ = 0;
  }
  void rangeBegin(const char* name) override { ++counts_[name]; }
  void sampleEnd() override { ++samples_; }
  nlohmann::ordered_json fragment() const override {
    nlohmann::ordered_json per = nlohmann::ordered_json::object();
    for (const auto& [k, v] : counts_) per[k] = samples_ > 0 ? static_cast<double>(v) / samples_ : 0.0;
    return {{"nvtx", {{"domain", kNvtxDomain}, {"ranges_per_sample", per}}}};
  }

 private:
  std::map<std::string, long long> counts_;
  int samples_ = 0;
};

}  // namespace mlffb::profilers
