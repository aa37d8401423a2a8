// `cupti-activity`: every kernel, memcpy/memset and runtime/driver API call of the measured
// section through the CUPTI Activity API (CONCURRENT_KERNEL, so kernels are not serialised),
// handed to ActivityAggregator, which attributes them to stages. Host range marks use
// cuptiGetTimestamp, the clock of the API records. Records are flushed at the end of the section;
// dropped records are counted. Runs in a pass of its own; its overhead on the sample time is in
// the record (harness).
#include <cupti.h>

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "profilers/Collector.hpp"
#include "profilers/cupti/ActivityAggregator.hpp"
#include "profilers/cupti/CuptiSupport.hpp"

namespace mlffb::profilers::cupti {
namespace {

std::string resultText(CUptiResult r) {
  const char* s = nullptr;
  cuptiGetResultString(r, &s);
  return s ? s : "CUPTI error " + std::to_string(static_cast<int>(r));
}

std::string memcpyKind(uint8_t k) {
  switch (k) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD: return "HtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH: return "DtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD: return "DtoD";
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return "HtoH";
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return "PtoP";
    default: return "other";
  }
}

constexpr size_t kBufferBytes = 8u << 20;

class CuptiActivityCollector;
std::mutex gMutex;
CuptiActivityCollector* gActive = nullptr;  // guarded by gMutex
std::once_flag gRegistered;
CUptiResult gRegisterResult = CUPTI_SUCCESS;

class CuptiActivityCollector : public Collector {
 public:
  ~CuptiActivityCollector() override { stop(); }
  std::string name() const override { return "cupti-activity"; }

  void runBegin(const RunContext&) override {
    failure_.clear();
    std::call_once(gRegistered, [] { gRegisterResult = cuptiActivityRegisterCallbacks(&requested, &completed); });
    if (gRegisterResult != CUPTI_SUCCESS) {
      failure_ = "cuptiActivityRegisterCallbacks: " + resultText(gRegisterResult);
      return;
    }
    cuptiActivityFlushAll(1);  // what the warm-up left behind is not ours
    {
      std::lock_guard lock(gMutex);
      aggregator_.clear();
      gActive = this;
    }
    for (CUpti_ActivityKind k : kKinds) {
      const CUptiResult r = cuptiActivityEnable(k);
      if (r != CUPTI_SUCCESS) {
        failure_ = "cuptiActivityEnable(" + std::to_string(static_cast<int>(k)) + "): " + resultText(r);
        stop();
        return;
      }
    }
    enabled_ = true;
  }

  void runEnd() override { stop(); }

  void rangeBegin(const char* name) override {
    if (!enabled_) return;
    uint64_t t = 0;
    cuptiGetTimestamp(&t);
    std::lock_guard lock(gMutex);
    aggregator_.rangeBegin(name, t);
  }
  void rangeEnd(const char* name) override {
    if (!enabled_) return;
    uint64_t t = 0;
    cuptiGetTimestamp(&t);
    std::lock_guard lock(gMutex);
    aggregator_.rangeEnd(name, t);
  }
  void sampleEnd() override {
    std::lock_guard lock(gMutex);
    aggregator_.sampleEnd();
  }

  nlohmann::ordered_json fragment() const override {
    if (!failure_.empty()) return nlohmann::ordered_json::object();
    std::lock_guard lock(gMutex);
    return aggregator_.fragment();
  }
  std::string failure() const override { return failure_; }

  void take(const CUpti_Activity* rec) {
    switch (rec->kind) {
      case CUPTI_ACTIVITY_KIND_KERNEL:
      case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
        const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(rec);
        KernelActivity a;
        a.name = k->name ? k->name : "?";
        a.start = k->start;
        a.end = k->end;
        a.correlationId = k->correlationId;
        a.graphId = k->graphId;
        a.streamId = k->streamId;
        a.grid = {k->gridX, k->gridY, k->gridZ};
        a.block = {k->blockX, k->blockY, k->blockZ};
        a.registersPerThread = k->registersPerThread;
        a.staticSharedBytes = k->staticSharedMemory;
        a.dynamicSharedBytes = k->dynamicSharedMemory;
        a.localBytesPerThread = static_cast<int>(k->localMemoryPerThread);
        aggregator_.add(std::move(a));
        break;
      }
      case CUPTI_ACTIVITY_KIND_RUNTIME:
      case CUPTI_ACTIVITY_KIND_DRIVER: {
        const auto* api = reinterpret_cast<const CUpti_ActivityAPI*>(rec);
        const bool driver = rec->kind == CUPTI_ACTIVITY_KIND_DRIVER;
        const char* fn = nullptr;
        cuptiGetCallbackName(driver ? CUPTI_CB_DOMAIN_DRIVER_API : CUPTI_CB_DOMAIN_RUNTIME_API, api->cbid, &fn);
        ApiActivity a;
        a.name = fn ? fn : "cbid " + std::to_string(api->cbid);
        a.start = api->start;
        a.end = api->end;
        a.correlationId = api->correlationId;
        a.driver = driver;
        aggregator_.add(std::move(a));
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMCPY: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemcpy6*>(rec);
        aggregator_.add(MemoryActivity{false, memcpyKind(m->copyKind), m->bytes, m->start, m->end, m->correlationId});
        break;
      }
      case CUPTI_ACTIVITY_KIND_MEMSET: {
        const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(rec);
        aggregator_.add(MemoryActivity{true, "memset", m->bytes, m->start, m->end, m->correlationId});
        break;
      }
      default: break;
    }
  }

 private:
  static constexpr CUpti_ActivityKind kKinds[] = {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET,
                                                  CUPTI_ACTIVITY_KIND_RUNTIME, CUPTI_ACTIVITY_KIND_DRIVER};

  void stop() {
    if (enabled_) {
      cuptiActivityFlushAll(1);
      size_t dropped = 0;
      cuptiActivityGetNumDroppedRecords(nullptr, 0, &dropped);
      for (CUpti_ActivityKind k : kKinds) cuptiActivityDisable(k);
      std::lock_guard lock(gMutex);
      aggregator_.setDroppedRecords(dropped);
      enabled_ = false;
    }
    std::lock_guard lock(gMutex);
    if (gActive == this) gActive = nullptr;
  }

  static void CUPTIAPI requested(uint8_t** buffer, size_t* size, size_t* maxRecords) {
    *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBufferBytes));
    *size = *buffer ? kBufferBytes : 0;
    *maxRecords = 0;
  }

  static void CUPTIAPI completed(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
    {
      std::lock_guard lock(gMutex);
      CUpti_Activity* rec = nullptr;
      while (gActive && cuptiActivityGetNextRecord(buffer, valid, &rec) == CUPTI_SUCCESS) gActive->take(rec);
    }
    std::free(buffer);
  }

  ActivityAggregator aggregator_;
  bool enabled_ = false;
  std::string failure_;
};


}  // namespace

std::unique_ptr<Collector> makeCuptiActivityCollector() { return std::make_unique<CuptiActivityCollector>(); }

}  // namespace mlffb::profilers::cupti
