#include "harness/Roofline.hpp"

#include <algorithm>
#include <string>

namespace mlffb {

DevicePeaks devicePeaks(const Json& gpu) {
  DevicePeaks p;
  if (!gpu.is_object()) return p;
  const std::string cc = gpu.value("compute_capability", "");
  const int major = cc.empty() ? 0 : std::atoi(cc.c_str());
  const int minor = cc.find('.') == std::string::npos ? 0 : std::atoi(cc.c_str() + cc.find('.') + 1);
  // FP32 lanes per SM: 64 on Volta and GA100, 128 on GA10x, Ada, Hopper and Blackwell.
  int lanes = 0;
  if (major == 7 || (major == 8 && minor == 0)) lanes = 64;
  else if (major >= 8) lanes = 128;
  const double sms = gpu.value("sm_count", 0.0), clockMhz = gpu.value("sm_clock_mhz", 0.0);
  p.fp32Gflops = sms * lanes * 2.0 * clockMhz * 1e-3;
  p.dramGbPerS = 2.0 * gpu.value("memory_clock_mhz", 0.0) * 1e6 * gpu.value("memory_bus_bits", 0.0) / 8.0 * 1e-9;
  return p;
}

Json rooflineSection(const Json& traffic, const Json& flops, const DevicePeaks& peaks) {
  Json out = Json::object();
  if (!traffic.is_object() || !flops.is_object() || !peaks.known()) return out;
  for (const auto& [stage, t] : traffic.items()) {
    if (!flops.contains(stage) || !t.contains("dram_bytes")) continue;
    const double f = flops[stage].get<double>(), bytes = t["dram_bytes"].get<double>();
    if (f <= 0 || bytes <= 0) continue;
    const double intensity = f / bytes;
    const double memoryRoof = intensity * peaks.dramGbPerS;
    const double ms = t.value("gpu_time_ms", 0.0);
    out[stage] = {{"flops", f},
                  {"dram_bytes", bytes},
                  {"intensity_flop_per_byte", intensity},
                  {"achieved_gflops_per_s", ms > 0 ? f / (ms * 1e-3) * 1e-9 : 0.0},
                  {"attainable_gflops_per_s", std::min(peaks.fp32Gflops, memoryRoof)},
                  {"peak_fp32_gflops_per_s", peaks.fp32Gflops},
                  {"peak_dram_gb_per_s", peaks.dramGbPerS},
                  {"ridge_flop_per_byte", peaks.fp32Gflops / peaks.dramGbPerS},
                  {"bound", memoryRoof < peaks.fp32Gflops ? "memory" : "compute"}};
  }
  return out;
}

}  // namespace mlffb
