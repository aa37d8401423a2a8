#include "profilers/Range.hpp"

#include <algorithm>
#include <vector>

#include <cstdlib>
#include <cstring>

#ifdef MLFFB_HAVE_NVTX
#include <nvtx3/nvToolsExt.h>
#endif
#ifdef MLFFB_HAVE_CUDART
#include <cuda_profiler_api.h>
#endif

namespace mlffb::profilers {
namespace {
struct Session {
  std::vector<Collector*> collectors;
  RunContext context;
  int depth = 0;  // open measured sections
};
Session& session() {
  static Session s;
  return s;
}

#ifdef MLFFB_HAVE_NVTX
nvtxDomainHandle_t domain() {
  static nvtxDomainHandle_t d = nvtxDomainCreateA(kNvtxDomain);
  return d;
}
void nvtxPush(const char* name) {
  nvtxEventAttributes_t a;
  std::memset(&a, 0, sizeof a);
  a.version = NVTX_VERSION;
  a.size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a.messageType = NVTX_MESSAGE_TYPE_ASCII;
  a.message.ascii = name;
  nvtxDomainRangePushEx(domain(), &a);
}
void nvtxPop() { nvtxDomainRangePop(domain()); }
#else
void nvtxPush(const char*) {}
void nvtxPop() {}
#endif

// Under `mlff-bench profile` the Nsight tool captures only the measured sections
// (cudaProfilerStart/Stop, --capture-range=cudaProfilerApi / --profile-from-start off).
bool captureProfilerApi() {
  static const bool on = [] {
    const char* v = std::getenv(kCaptureEnv);
    return v && std::strcmp(v, "1") == 0;
  }();
  return on;
}
void profilerStart() {
#ifdef MLFFB_HAVE_CUDART
  if (captureProfilerApi()) (void)cudaProfilerStart();
#endif
}
void profilerStop() {
#ifdef MLFFB_HAVE_CUDART
  if (captureProfilerApi()) (void)cudaProfilerStop();
#endif
}
}  // namespace

bool nvtxBuiltIn() {
#ifdef MLFFB_HAVE_NVTX
  return true;
#else
  return false;
#endif
}

Range::Range(const char* name, const std::function<void()>* sync) : name_(name), sync_(sync) {
  nvtxPush(name);
  if (session().depth > 0)
    for (Collector* c : session().collectors) c->rangeBegin(name_);
}

Range::~Range() {
  if (sync_ && *sync_) (*sync_)();
  if (session().depth > 0)
    for (auto it = session().collectors.rbegin(); it != session().collectors.rend(); ++it) (*it)->rangeEnd(name_);
  nvtxPop();
}

void attach(Collector* c) {
  auto& v = session().collectors;
  if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
}

void detach(Collector* c) {
  auto& v = session().collectors;
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
}

void setRunContext(RunContext context) { session().context = std::move(context); }

MeasuredSection::MeasuredSection() {
  if (session().depth++ == 0) {
    for (Collector* c : session().collectors) c->runBegin(session().context);
    profilerStart();
  }
}

MeasuredSection::~MeasuredSection() {
  if (--session().depth == 0) {
    profilerStop();
    for (auto it = session().collectors.rbegin(); it != session().collectors.rend(); ++it) (*it)->runEnd();
  }
}

void sampleEnd() {
  if (session().depth > 0)
    for (Collector* c : session().collectors) c->sampleEnd();
}

bool measuring() { return session().depth > 0; }

}  // namespace mlffb::profilers
