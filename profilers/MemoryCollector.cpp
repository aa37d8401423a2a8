#include "profilers/MemoryCollector.hpp"

#ifdef MLFFB_HAVE_CUDART
#include <cuda_runtime_api.h>
#endif

#include <algorithm>

#include "profilers/MemoryProbe.hpp"

namespace mlffb::profilers {

namespace {
/// Bytes in use on the device (total − free), or -1 when it cannot be read.
long long deviceUsedBytes([[maybe_unused]] int device) {
#ifdef MLFFB_HAVE_CUDART
  int current = -1;
  if (cudaGetDevice(&current) != cudaSuccess || current != device) {
    cudaGetLastError();
    return -1;  // the run computes on another device than this thread's (or none is set up yet)
  }
  size_t freeBytes = 0, total = 0;
  if (cudaMemGetInfo(&freeBytes, &total) != cudaSuccess) {
    cudaGetLastError();
    return -1;
  }
  return static_cast<long long>(total - freeBytes);
#else
  return -1;
#endif
}
}  // namespace

void MemoryCollector::runBegin(const RunContext& context) {
  context_ = context;
  reset_ = resetPeakRss();
  if (context_.resetDeviceMemory) context_.resetDeviceMemory();
  deviceUsedPeak_ = context_.cudaDevice >= 0 ? deviceUsedBytes(context_.cudaDevice) : -1;
}

void MemoryCollector::rangeEnd(const char*) {
  if (context_.cudaDevice >= 0) deviceUsedPeak_ = std::max(deviceUsedPeak_, deviceUsedBytes(context_.cudaDevice));
}

void MemoryCollector::runEnd() {
  nlohmann::ordered_json peaks = {{"host_peak_rss", peakRssBytes()}};
  if (context_.deviceMemory) {
    const nlohmann::ordered_json device = context_.deviceMemory();
    for (auto& [k, v] : device.items()) peaks[k] = v;
  }
  if (deviceUsedPeak_ >= 0) peaks["cuda_device_used_peak_bytes"] = deviceUsedPeak_;
  fragment_ = {{"peak_memory_bytes", peaks}, {"host_peak_rss_is_per_run", reset_}};
}

}  // namespace mlffb::profilers
