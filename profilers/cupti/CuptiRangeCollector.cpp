// `cupti-range`: hardware counters per stage through CUDA 13's Range Profiling API
// (cupti_range_profiler.h + cupti_profiler_host.h). Stage mode: a user range per stage (the
// outermost stage range inside a sample, for the first `cupti-range-samples` samples) with user
// replay: when the metric set needs several passes the harness re-runs the measured work once per
// pass (needsReplay). Kernel mode: an auto range per kernel with kernel replay, for the kernels of
// the first `cupti-range-samples` samples only (every kernel is replayed once per pass, with its
// memory saved and restored: a whole measured section would cost minutes). The decoded values
// go through RangeMetrics into `traffic` (per stage) or `kernel_metrics`. A refusal (insufficient
// privileges, MIG, an unsupported chip, another profiler) is recorded as unavailable with CUPTI's
// reason and the run goes on.
#include <cuda_runtime_api.h>
#include <cupti.h>
#include <cupti_profiler_host.h>
#include <cupti_profiler_target.h>
#include <cupti_range_profiler.h>
#include <cupti_target.h>

#include <set>
#include <stdexcept>

#include "profilers/Collector.hpp"
#include "profilers/cupti/ActivityAggregator.hpp"
#include "profilers/cupti/CuptiSupport.hpp"
#include "profilers/cupti/RangeMetrics.hpp"

namespace mlffb::profilers::cupti {
namespace {

/// A CUPTI parameter struct, zeroed, with its size set.
template <class P>
P params(size_t structSize) {
  P p{};
  p.structSize = structSize;
  return p;
}

struct CuptiFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void check(CUptiResult r, const char* what) {
  if (r == CUPTI_SUCCESS) return;
  const char* s = nullptr;
  cuptiGetResultString(r, &s);
  throw CuptiFailure(std::string(what) + ": " + (s ? s : "CUPTI error " + std::to_string(static_cast<int>(r))));
}

/// The current CUDA context through the runtime's driver entry point (no link-time libcuda).
CUcontext currentContext() {
  if (cudaFree(nullptr) != cudaSuccess) throw CuptiFailure("no CUDA context: " + std::string(cudaGetErrorString(cudaGetLastError())));
  using GetCurrent = CUresult (*)(CUcontext*);
  void* fn = nullptr;
  cudaDriverEntryPointQueryResult q{};
  if (cudaGetDriverEntryPointByVersion("cuCtxGetCurrent", &fn, 12000, cudaEnableDefault, &q) != cudaSuccess || !fn)
    throw CuptiFailure("cuCtxGetCurrent is not available from the driver");
  CUcontext ctx = nullptr;
  if (reinterpret_cast<GetCurrent>(fn)(&ctx) != 0 || !ctx) throw CuptiFailure("no current CUDA context");
  return ctx;
}

// Ranges a sample consists of, not stages of a model.
const std::set<std::string> kSampleRanges = {"total", "md_step"};

class CuptiRangeCollector : public Collector {
 public:
  explicit CuptiRangeCollector(const OptionValues& o)
      : metrics_(metricSet(optionText(o, "cupti_metrics", "memory"))),
        kernelMode_(optionText(o, "cupti_range_mode", "stage") == "kernel"),
        sampleLimit_(optionInt(o, "cupti_range_samples", 3)) {}
  ~CuptiRangeCollector() override { teardown(); }
  std::string name() const override { return "cupti-range"; }

  void runBegin(const RunContext&) override {
    if (done_) return;
    try {
      if (!enabled_) setup();
      samples_ = 0;
      pushed_.clear();
      auto p = params<CUpti_RangeProfiler_Start_Params>(CUpti_RangeProfiler_Start_Params_STRUCT_SIZE);
      p.pRangeProfilerObject = object_;
      check(cuptiRangeProfilerStart(&p), "cuptiRangeProfilerStart");
      started_ = true;
    } catch (const CuptiFailure& e) {
      fail(e.what());
    }
  }

  void rangeBegin(const char* name) override {
    if (!started_ || kernelMode_ || !pushed_.empty() || samples_ >= sampleLimit_ || kSampleRanges.count(name)) return;
    auto p = params<CUpti_RangeProfiler_PushRange_Params>(CUpti_RangeProfiler_PushRange_Params_STRUCT_SIZE);
    p.pRangeProfilerObject = object_;
    p.pRangeName = name;
    if (cuptiRangeProfilerPushRange(&p) == CUPTI_SUCCESS) pushed_ = name;
  }

  void rangeEnd(const char* name) override {
    if (pushed_.empty() || pushed_ != name) return;
    auto p = params<CUpti_RangeProfiler_PopRange_Params>(CUpti_RangeProfiler_PopRange_Params_STRUCT_SIZE);
    p.pRangeProfilerObject = object_;
    cuptiRangeProfilerPopRange(&p);
    pushed_.clear();
  }

  void sampleEnd() override {
    ++samples_;
    // Kernel replay profiles every launch while started: stop once the samples asked for are done.
    if (kernelMode_ && started_ && samples_ >= sampleLimit_) stop();
  }

  void runEnd() override {
    if (started_) stop();
  }

  bool needsReplay() const override { return enabled_ && !done_ && failure_.empty(); }
  std::string failure() const override { return failure_; }
  nlohmann::ordered_json fragment() const override { return fragment_; }

 private:
  static constexpr int kMaxReplays = 64;

  /// Ends this pass: decodes once every pass was submitted, else waits for the next replay.
  void stop() {
    started_ = false;
    try {
      auto p = params<CUpti_RangeProfiler_Stop_Params>(CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE);
      p.pRangeProfilerObject = object_;
      check(cuptiRangeProfilerStop(&p), "cuptiRangeProfilerStop");
      ++replays_;
      if (p.isAllPassSubmitted) {
        decode();
        done_ = true;
        teardown();
      } else if (replays_ >= kMaxReplays) {
        fail("the metric set needs more than " + std::to_string(kMaxReplays) + " passes");
      }
    } catch (const CuptiFailure& e) {
      fail(e.what());
    }
  }

  void setup() {
    const CUcontext ctx = currentContext();
    auto init = params<CUpti_Profiler_Initialize_Params>(CUpti_Profiler_Initialize_Params_STRUCT_SIZE);
    check(cuptiProfilerInitialize(&init), "cuptiProfilerInitialize");
    initialized_ = true;
    int device = 0;
    cudaGetDevice(&device);
    auto chip = params<CUpti_Device_GetChipName_Params>(CUpti_Device_GetChipName_Params_STRUCT_SIZE);
    chip.deviceIndex = static_cast<size_t>(device);
    check(cuptiDeviceGetChipName(&chip), "cuptiDeviceGetChipName");
    chip_ = chip.pChipName ? chip.pChipName : "";
    // Which counters this device exposes now (before any session is active on it), so the host
    // object schedules only those: a size query, then the image.
    auto avail = params<CUpti_Profiler_GetCounterAvailability_Params>(CUpti_Profiler_GetCounterAvailability_Params_STRUCT_SIZE);
    avail.ctx = ctx;
    check(cuptiProfilerGetCounterAvailability(&avail), "cuptiProfilerGetCounterAvailability");
    availability_.assign(avail.counterAvailabilityImageSize, 0);
    avail.pCounterAvailabilityImage = availability_.data();
    check(cuptiProfilerGetCounterAvailability(&avail), "cuptiProfilerGetCounterAvailability");

    auto host = params<CUpti_Profiler_Host_Initialize_Params>(CUpti_Profiler_Host_Initialize_Params_STRUCT_SIZE);
    host.profilerType = CUPTI_PROFILER_TYPE_RANGE_PROFILER;
    host.pChipName = chip_.c_str();
    host.pCounterAvailabilityImage = availability_.data();
    check(cuptiProfilerHostInitialize(&host), "cuptiProfilerHostInitialize");
    host_ = host.pHostObject;
    names_.clear();
    for (const auto& m : metrics_) names_.push_back(m.c_str());
    auto add = params<CUpti_Profiler_Host_ConfigAddMetrics_Params>(CUpti_Profiler_Host_ConfigAddMetrics_Params_STRUCT_SIZE);
    add.pHostObject = host_;
    add.ppMetricNames = names_.data();
    add.numMetrics = names_.size();
    check(cuptiProfilerHostConfigAddMetrics(&add), "cuptiProfilerHostConfigAddMetrics");
    auto size = params<CUpti_Profiler_Host_GetConfigImageSize_Params>(CUpti_Profiler_Host_GetConfigImageSize_Params_STRUCT_SIZE);
    size.pHostObject = host_;
    check(cuptiProfilerHostGetConfigImageSize(&size), "cuptiProfilerHostGetConfigImageSize");
    config_.assign(size.configImageSize, 0);
    auto image = params<CUpti_Profiler_Host_GetConfigImage_Params>(CUpti_Profiler_Host_GetConfigImage_Params_STRUCT_SIZE);
    image.pHostObject = host_;
    image.pConfigImage = config_.data();
    image.configImageSize = config_.size();
    check(cuptiProfilerHostGetConfigImage(&image), "cuptiProfilerHostGetConfigImage");
    auto passes = params<CUpti_Profiler_Host_GetNumOfPasses_Params>(CUpti_Profiler_Host_GetNumOfPasses_Params_STRUCT_SIZE);
    passes.pConfigImage = config_.data();
    passes.configImageSize = config_.size();
    check(cuptiProfilerHostGetNumOfPasses(&passes), "cuptiProfilerHostGetNumOfPasses");
    passes_ = passes.numOfPasses;

    auto enable = params<CUpti_RangeProfiler_Enable_Params>(CUpti_RangeProfiler_Enable_Params_STRUCT_SIZE);
    enable.ctx = ctx;
    check(cuptiRangeProfilerEnable(&enable), "cuptiRangeProfilerEnable");
    object_ = enable.pRangeProfilerObject;
    enabled_ = true;

    // Stage mode: one range per stage of each profiled sample; kernel mode: one per kernel of them.
    const size_t maxRanges = kernelMode_ ? 4096 : static_cast<size_t>(sampleLimit_) * 16;
    auto cds = params<CUpti_RangeProfiler_GetCounterDataSize_Params>(CUpti_RangeProfiler_GetCounterDataSize_Params_STRUCT_SIZE);
    cds.pRangeProfilerObject = object_;
    cds.pMetricNames = names_.data();
    cds.numMetrics = names_.size();
    cds.maxNumOfRanges = maxRanges;
    cds.maxNumRangeTreeNodes = static_cast<uint32_t>(maxRanges);
    check(cuptiRangeProfilerGetCounterDataSize(&cds), "cuptiRangeProfilerGetCounterDataSize");
    counterData_.assign(cds.counterDataSize, 0);
    auto ci = params<CUpti_RangeProfiler_CounterDataImage_Initialize_Params>(CUpti_RangeProfiler_CounterDataImage_Initialize_Params_STRUCT_SIZE);
    ci.pRangeProfilerObject = object_;
    ci.pCounterData = counterData_.data();
    ci.counterDataSize = counterData_.size();
    check(cuptiRangeProfilerCounterDataImageInitialize(&ci), "cuptiRangeProfilerCounterDataImageInitialize");

    auto sc = params<CUpti_RangeProfiler_SetConfig_Params>(CUpti_RangeProfiler_SetConfig_Params_STRUCT_SIZE);
    sc.pRangeProfilerObject = object_;
    sc.pConfig = config_.data();
    sc.configSize = config_.size();
    sc.pCounterDataImage = counterData_.data();
    sc.counterDataImageSize = counterData_.size();
    sc.range = kernelMode_ ? CUPTI_AutoRange : CUPTI_UserRange;
    sc.replayMode = kernelMode_ ? CUPTI_KernelReplay : CUPTI_UserReplay;
    sc.maxRangesPerPass = maxRanges;
    sc.numNestingLevels = 1;
    sc.minNestingLevel = 1;  // nesting levels count from 1 (CUDA 13's range-profiling sample)
    sc.passIndex = 0;
    sc.targetNestingLevel = sc.minNestingLevel;
    check(cuptiRangeProfilerSetConfig(&sc), "cuptiRangeProfilerSetConfig");
  }

  void decode() {
    auto d = params<CUpti_RangeProfiler_DecodeData_Params>(CUpti_RangeProfiler_DecodeData_Params_STRUCT_SIZE);
    d.pRangeProfilerObject = object_;
    check(cuptiRangeProfilerDecodeData(&d), "cuptiRangeProfilerDecodeData");
    auto info = params<CUpti_RangeProfiler_GetCounterDataInfo_Params>(CUpti_RangeProfiler_GetCounterDataInfo_Params_STRUCT_SIZE);
    info.pCounterDataImage = counterData_.data();
    info.counterDataImageSize = counterData_.size();
    check(cuptiRangeProfilerGetCounterDataInfo(&info), "cuptiRangeProfilerGetCounterDataInfo");
    std::vector<RangeValues> ranges;
    for (size_t i = 0; i < info.numTotalRanges; ++i) {
      auto ri = params<CUpti_RangeProfiler_CounterData_GetRangeInfo_Params>(CUpti_RangeProfiler_CounterData_GetRangeInfo_Params_STRUCT_SIZE);
      ri.pCounterDataImage = counterData_.data();
      ri.counterDataImageSize = counterData_.size();
      ri.rangeIndex = i;
      ri.rangeDelimiter = "/";
      check(cuptiRangeProfilerCounterDataGetRangeInfo(&ri), "cuptiRangeProfilerCounterDataGetRangeInfo");
      RangeValues r;
      r.name = ActivityAggregator::demangle(ri.rangeName ? ri.rangeName : "range " + std::to_string(i));
      r.values.assign(names_.size(), 0.0);
      auto ev = params<CUpti_Profiler_Host_EvaluateToGpuValues_Params>(CUpti_Profiler_Host_EvaluateToGpuValues_Params_STRUCT_SIZE);
      ev.pHostObject = host_;
      ev.pCounterDataImage = counterData_.data();
      ev.counterDataImageSize = counterData_.size();
      ev.rangeIndex = i;
      ev.ppMetricNames = names_.data();
      ev.numMetrics = names_.size();
      ev.pMetricValues = r.values.data();
      check(cuptiProfilerHostEvaluateToGpuValues(&ev), "cuptiProfilerHostEvaluateToGpuValues");
      ranges.push_back(std::move(r));
    }
    nlohmann::ordered_json about = {{"chip", chip_},
                                    {"mode", kernelMode_ ? "kernel" : "stage"},
                                    {"metrics", metrics_},
                                    {"passes", passes_},
                                    {"replays", replays_},
                                    {"ranges", info.numTotalRanges},
                                    {"ranges_dropped", d.numOfRangeDropped}};
    if (kernelMode_)
      fragment_ = {{"kernel_metrics", aggregateRanges(metrics_, ranges, false)}, {"cupti_range", about}};
    else
      fragment_ = {{"traffic", aggregateRanges(metrics_, ranges, true)}, {"cupti_range", about}};
  }

  void fail(const std::string& why) {
    failure_ = why;
    teardown();
  }

  void teardown() {
    if (started_) {
      auto p = params<CUpti_RangeProfiler_Stop_Params>(CUpti_RangeProfiler_Stop_Params_STRUCT_SIZE);
      p.pRangeProfilerObject = object_;
      cuptiRangeProfilerStop(&p);
      started_ = false;
    }
    if (enabled_) {
      auto p = params<CUpti_RangeProfiler_Disable_Params>(CUpti_RangeProfiler_Disable_Params_STRUCT_SIZE);
      p.pRangeProfilerObject = object_;
      cuptiRangeProfilerDisable(&p);
      enabled_ = false;
      object_ = nullptr;
    }
    if (host_) {
      auto p = params<CUpti_Profiler_Host_Deinitialize_Params>(CUpti_Profiler_Host_Deinitialize_Params_STRUCT_SIZE);
      p.pHostObject = host_;
      cuptiProfilerHostDeinitialize(&p);
      host_ = nullptr;
    }
    if (initialized_) {
      auto p = params<CUpti_Profiler_DeInitialize_Params>(CUpti_Profiler_DeInitialize_Params_STRUCT_SIZE);
      cuptiProfilerDeInitialize(&p);
      initialized_ = false;
    }
  }

  std::vector<std::string> metrics_;
  std::vector<const char*> names_;
  bool kernelMode_ = false;
  int sampleLimit_ = 3;
  std::string chip_;
  std::vector<uint8_t> availability_, config_, counterData_;
  CUpti_Profiler_Host_Object* host_ = nullptr;
  CUpti_RangeProfiler_Object* object_ = nullptr;
  bool initialized_ = false, enabled_ = false, started_ = false, done_ = false;
  size_t passes_ = 0;
  int replays_ = 0, samples_ = 0;
  std::string pushed_, failure_;
  nlohmann::ordered_json fragment_ = nlohmann::ordered_json::object();
};


}  // namespace

std::unique_ptr<Collector> makeCuptiRangeCollector(const OptionValues& options) { return std::make_unique<CuptiRangeCollector>(options); }

}  // namespace mlffb::profilers::cupti
