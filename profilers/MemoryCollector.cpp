#include "profilers/MemoryCollector.hpp"

#include "profilers/CollectorRegistry.hpp"
#include "profilers/MemoryProbe.hpp"

namespace mlffb::profilers {

void MemoryCollector::runBegin(const RunContext& context) {
  context_ = context;
  reset_ = resetPeakRss();
  if (context_.resetDeviceMemory) context_.resetDeviceMemory();
}

void MemoryCollector::runEnd() {
  nlohmann::ordered_json peaks = {{"host_peak_rss", peakRssBytes()}};
  if (context_.deviceMemory) {
    const nlohmann::ordered_json device = context_.deviceMemory();
    for (auto& [k, v] : device.items()) peaks[k] = v;
  }
  fragment_ = {{"peak_memory_bytes", peaks}, {"host_peak_rss_is_per_run", reset_}};
}

namespace {
const Registrar<CollectorEntry> kEntry{[] {
  CollectorEntry e;
  e.name = "memory";
  e.description = "peak resident memory of the measured section (VmHWM reset per run) and the model's device-memory peaks; always on";
  e.defaultOn = true;
  e.create = [](const OptionValues&) { return std::make_unique<MemoryCollector>(); };
  return e;
}()};
}  // namespace

}  // namespace mlffb::profilers
