// The `cupti-activity` and `cupti-range` entries, registered in every build so `list` and a run that
// asks for them say why they are unavailable (no CUPTI built in, no device, a tool attached).
#include <stdexcept>

#include "profilers/CollectorRegistry.hpp"
#include "profilers/cupti/CuptiSupport.hpp"

namespace mlffb::profilers::cupti {

#ifndef MLFFB_HAVE_CUPTI
std::unique_ptr<Collector> makeCuptiActivityCollector() { throw std::logic_error("cupti-activity: built without CUPTI"); }
std::unique_ptr<Collector> makeCuptiRangeCollector(const OptionValues&) { throw std::logic_error("cupti-range: built without CUPTI"); }
#endif

namespace {
const Registrar<CollectorEntry> kActivityEntry{[] {
  CollectorEntry e;
  e.name = "cupti-activity";
  e.description =
      "CUPTI activity: every kernel (name, stage, grid, block, registers, shared memory, time), launches per stage and per "
      "sample (CUDA-graph kernels too), memcpy/memset bytes and time, runtime/driver API time (cudaMalloc/cudaMallocManaged "
      "share), dropped records; overhead on the sample time reported";
  e.perturbsTiming = true;
  e.availability = inProcessCuptiAvailability;
  e.create = [](const OptionValues&) { return makeCuptiActivityCollector(); };
  return e;
}()};

const Registrar<CollectorEntry> kRangeEntry{[] {
  CollectorEntry e;
  e.name = "cupti-range";
  e.description =
      "CUPTI range profiler (CUDA 13 API): per stage DRAM bytes read/written, L2 and L1 bytes, GPU time, achieved occupancy and "
      "DRAM throughput in one pass; --metrics throughput adds SM/memory throughput % and FP32 instruction counts (user "
      "replay: the work re-run once per pass); --cupti-range-mode kernel gives them per kernel (kernel replay)";
  e.perturbsTiming = true;
  e.availability = inProcessCuptiAvailability;
  e.options = {OptionSpec::choice("metrics", "cupti_metrics", "cupti-range: metric set (memory: one pass; throughput: replayed passes)", {"memory", "throughput"}, "memory"),
               OptionSpec::choice("cupti-range-mode", "cupti_range_mode", "cupti-range: one range per stage (user replay) or per kernel (kernel replay)",
                                  {"stage", "kernel"}, "stage"),
               OptionSpec::integer("cupti-range-samples", "cupti_range_samples", "cupti-range: samples (evaluations, MD steps) profiled per pass; in kernel mode, whose kernels are replayed", 1, 1000, "3")};
  e.create = [](const OptionValues& o) { return makeCuptiRangeCollector(o); };
  return e;
}()};
}  // namespace
}  // namespace mlffb::profilers::cupti
