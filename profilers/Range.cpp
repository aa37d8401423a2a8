#include "profilers/Range.hpp"

#include <algorithm>
#include <vector>

#ifdef MLFFB_HAVE_NVTX
#include <nvtx3/nvToolsExt.h>
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
}  // namespace

Range::Range(const char* name, const std::function<void()>* sync) : name_(name), sync_(sync) {
#ifdef MLFFB_HAVE_NVTX
  nvtxRangePushA(name);
#endif
  if (session().depth > 0)
    for (Collector* c : session().collectors) c->rangeBegin(name_);
}

Range::~Range() {
  if (sync_ && *sync_) (*sync_)();
  if (session().depth > 0)
    for (auto it = session().collectors.rbegin(); it != session().collectors.rend(); ++it) (*it)->rangeEnd(name_);
#ifdef MLFFB_HAVE_NVTX
  nvtxRangePop();
#endif
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
  if (session().depth++ == 0)
    for (Collector* c : session().collectors) c->runBegin(session().context);
}

MeasuredSection::~MeasuredSection() {
  if (--session().depth == 0)
    for (auto it = session().collectors.rbegin(); it != session().collectors.rend(); ++it) (*it)->runEnd();
}

void sampleEnd() {
  if (session().depth > 0)
    for (Collector* c : session().collectors) c->sampleEnd();
}

bool measuring() { return session().depth > 0; }

}  // namespace mlffb::profilers
