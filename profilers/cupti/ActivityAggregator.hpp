#pragma once
// Turns CUPTI activity records into the report's kernel sections, with no CUPTI in it (so it is
// tested on synthetic records): each kernel is attributed to the innermost stage that was open on
// the host when its launch call ran (kernel and launch share a correlation id; a kernel inside a
// CUDA graph carries the cudaGraphLaunch's), then grouped per (kernel, stage); launches counted per
// stage; memcpy/memset bytes and time per kind; runtime/driver API time per function with the
// cudaMalloc / cudaMallocManaged share. All figures are per sample (evaluation or MD step).
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlffb::profilers::cupti {

struct KernelActivity {
  std::string name;  // mangled or not: demangled on the way in
  uint64_t start = 0, end = 0;  // device timestamps, ns
  uint32_t correlationId = 0;
  uint32_t graphId = 0;  // 0 outside a graph
  uint32_t streamId = 0;
  std::array<int, 3> grid{1, 1, 1}, block{1, 1, 1};
  int registersPerThread = 0;
  int staticSharedBytes = 0, dynamicSharedBytes = 0;
  int localBytesPerThread = 0;
};

struct ApiActivity {
  std::string name;  // cudaLaunchKernel, cuMemAlloc_v2, ...
  uint64_t start = 0, end = 0;  // host timestamps (the CUPTI clock), ns
  uint32_t correlationId = 0;
  bool driver = false;
};

struct MemoryActivity {
  bool memset = false;
  std::string kind;  // HtoD, DtoH, DtoD, ... ; "memset" for memsets
  uint64_t bytes = 0;
  uint64_t start = 0, end = 0;
  uint32_t correlationId = 0;
};

class ActivityAggregator {
 public:
  /// Host-side range marks on the CUPTI clock (cuptiGetTimestamp).
  void rangeBegin(const std::string& name, uint64_t t);
  void rangeEnd(const std::string& name, uint64_t t);
  void sampleEnd() { ++samples_; }
  void add(KernelActivity k);
  void add(ApiActivity a);
  void add(MemoryActivity m);
  void setDroppedRecords(uint64_t n) { dropped_ = n; }
  void clear();

  /// The innermost stage open at host time t ("outside" when none).
  std::string stageAt(uint64_t t) const;
  /// The report sections: kernels, launches_per_stage, gpu_time_per_stage, memcpy, cuda_api, cupti_activity.
  nlohmann::ordered_json fragment() const;
  int samples() const { return samples_; }

  /// Whether an API function launches device work (kernels or a graph).
  static bool isLaunch(const std::string& api);
  static bool isGraphLaunch(const std::string& api);
  /// Whether an API function allocates device memory (cudaMalloc*, cuMemAlloc*), managed memory.
  static bool isMalloc(const std::string& api);
  static bool isManagedMalloc(const std::string& api);
  static std::string demangle(const std::string& name);

 private:
  struct Interval {
    std::string name;
    uint64_t begin = 0, end = UINT64_MAX;
  };
  std::vector<Interval> intervals_;  // in order of begin
  std::vector<size_t> open_;          // indices of open intervals
  std::vector<KernelActivity> kernels_;
  std::unordered_map<uint32_t, ApiActivity> launches_;  // correlation id -> launch call
  std::vector<ApiActivity> apis_;
  std::vector<MemoryActivity> memory_;
  uint64_t dropped_ = 0;
  int samples_ = 0;
};

}  // namespace mlffb::profilers::cupti
