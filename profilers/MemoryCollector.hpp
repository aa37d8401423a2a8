#pragma once
// Peak memory of the measured section: the process's resident set (VmHWM, reset when the
// section begins where the kernel allows it), the model's device-memory peaks (its allocator's) and,
// on a CUDA device, the device memory in use (cudaMemGetInfo: every process's) sampled at every range end.
#include "profilers/Collector.hpp"

namespace mlffb::profilers {

class MemoryCollector : public Collector {
 public:
  std::string name() const override { return "memory"; }
  void runBegin(const RunContext& context) override;
  void runEnd() override;
  void rangeEnd(const char* name) override;
  nlohmann::ordered_json fragment() const override { return fragment_; }

 private:
  RunContext context_;
  bool reset_ = false;
  long long deviceUsedPeak_ = -1;  // bytes; -1: not sampled
  nlohmann::ordered_json fragment_ = nlohmann::ordered_json::object();
};

}  // namespace mlffb::profilers
