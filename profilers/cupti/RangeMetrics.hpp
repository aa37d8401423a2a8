#pragma once
// The cupti-range collector's metric sets and the aggregation of its decoded ranges into the
// report's `traffic` section (per stage, per sample) or `kernel_metrics` (per kernel), with no
// CUPTI in it so it is tested on synthetic values. Metric names are Nsight Compute's, so the same
// numbers can be checked against `ncu --metrics`.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlffb::profilers::cupti {

/// One decoded range: its name (a stage, or a kernel in kernel mode) and one value per metric.
struct RangeValues {
  std::string name;
  std::vector<double> values;
};

/// "memory": the one-pass set (time, DRAM read/write, L2, L1, achieved occupancy, DRAM throughput);
/// "throughput" adds SM and compute-memory throughput % and the FP32 instruction counts (replayed passes).
std::vector<std::string> metricSet(const std::string& name);
/// The report key of a metric ("dram__bytes_read.sum" -> "dram_read_bytes").
std::string reportKey(const std::string& metric);

/// Per range name: the mean over its occurrences of each metric, plus derived figures (DRAM bytes,
/// achieved DRAM bandwidth, FP32 FLOPs when counted). `perStage` true: ranges are stages repeated
/// once per sample; false: kernels, each listed with its launches.
nlohmann::ordered_json aggregateRanges(const std::vector<std::string>& metrics, const std::vector<RangeValues>& ranges, bool perStage);

}  // namespace mlffb::profilers::cupti
