#pragma once
// Named ranges that mark the stages of a workload (`neighbors`, `descriptor`, `energy`, `forces`,
// `md_step`, ...), and the measured section they count in. Inside a measured section every
// attached collector sees each range begin/end and each sample end; outside it (warm-up,
// minimisation) ranges cost only their NVTX push/pop. With CUDA, ranges are NVTX ranges too, so
// Nsight tools can filter on them.
#include <functional>
#include <string>

#include "profilers/Collector.hpp"

namespace mlffb::profilers {

/// The NVTX domain of every range (Nsight filters: `--nvtx-include "mlff-bench@energy/"`).
inline constexpr const char* kNvtxDomain = "mlff-bench";
/// Set to 1 (by `mlff-bench profile`), each measured section is wrapped in cudaProfilerStart/Stop.
inline constexpr const char* kCaptureEnv = "MLFFB_PROFILER_CAPTURE";
/// Whether ranges are NVTX ranges in this build (CUDA's NVTX3 found).
bool nvtxBuiltIn();

/// RAII scope: begin on construction, end on destruction. `sync` (optional) is called before the
/// end is recorded, so asynchronous device work is finished inside the range.
class Range {
 public:
  explicit Range(const char* name, const std::function<void()>* sync = nullptr);
  ~Range();
  Range(const Range&) = delete;
  Range& operator=(const Range&) = delete;

 private:
  const char* name_;
  const std::function<void()>* sync_;
};

/// Collectors receiving events (not owned). Adding the same collector twice is a no-op.
void attach(Collector* c);
void detach(Collector* c);

/// Attaches a collector for the lifetime of the scope (detached on exceptions too).
class ScopedCollector {
 public:
  explicit ScopedCollector(Collector* c) : c_(c) { attach(c_); }
  ~ScopedCollector() { detach(c_); }
  ScopedCollector(const ScopedCollector&) = delete;
  ScopedCollector& operator=(const ScopedCollector&) = delete;

 private:
  Collector* c_;
};

/// The context handed to collectors when the next measured section begins (set by the driver
/// that created the model; engines only mark the section).
void setRunContext(RunContext context);

/// The measured part of a run (after warm-up): collectors' runBegin on entry, runEnd on exit.
/// Nested sections are part of the outer one.
class MeasuredSection {
 public:
  MeasuredSection();
  ~MeasuredSection();
  MeasuredSection(const MeasuredSection&) = delete;
  MeasuredSection& operator=(const MeasuredSection&) = delete;
};

/// One sample finished (an evaluation, an MD step); counts only inside a measured section.
void sampleEnd();
/// Whether a measured section is open.
bool measuring();

}  // namespace mlffb::profilers
