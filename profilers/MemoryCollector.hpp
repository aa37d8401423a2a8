#pragma once
// Peak memory of the measured section: the process's resident set (VmHWM, reset when the
// section begins where the kernel allows it) and the model's device-memory peaks.
#include "profilers/Collector.hpp"

namespace mlffb::profilers {

class MemoryCollector : public Collector {
 public:
  std::string name() const override { return "memory"; }
  void runBegin(const RunContext& context) override;
  void runEnd() override;
  nlohmann::ordered_json fragment() const override { return fragment_; }

 private:
  RunContext context_;
  bool reset_ = false;
  nlohmann::ordered_json fragment_ = nlohmann::ordered_json::object();
};

}  // namespace mlffb::profilers
