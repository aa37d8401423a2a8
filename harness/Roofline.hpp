#pragma once
// Roofline placement per stage: arithmetic intensity = the stage's analytic FLOPs over the DRAM
// bytes the range profiler (or ncu) measured for it; the attainable rate is min(peak FP32,
// intensity × peak DRAM bandwidth), the bound whichever is lower; the achieved rate divides the
// FLOPs by the stage's GPU time. Peaks come from the device's properties in the environment.
#include "harness/Json.hpp"

namespace mlffb {

struct DevicePeaks {
  double fp32Gflops = 0;    // SMs × FP32 lanes per SM × 2 (FMA) × SM clock
  double dramGbPerS = 0;    // 2 (double data rate) × memory clock × bus width / 8
  bool known() const { return fp32Gflops > 0 && dramGbPerS > 0; }
};

/// From one entry of the environment's "gpus" (compute_capability, sm_count, sm_clock_mhz,
/// memory_clock_mhz, memory_bus_bits); zeros when something is missing.
DevicePeaks devicePeaks(const Json& gpu);

/// Per stage present in both `traffic` (dram_bytes, gpu_time_ms) and `flops`; empty object if none.
Json rooflineSection(const Json& traffic, const Json& flops, const DevicePeaks& peaks);

}  // namespace mlffb
