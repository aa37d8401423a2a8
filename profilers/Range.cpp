#include "profilers/Range.hpp"

#include <algorithm>
#include <vector>

#include "profilers/Collector.hpp"

#ifdef MLFFB_HAVE_NVTX
#include <nvtx3/nvToolsExt.h>
#endif

namespace mlffb::profilers {
namespace {
std::vector<Collector*>& collectors() {
  static std::vector<Collector*> c;
  return c;
}
}  // namespace

Range::Range(const char* name, const std::function<void()>* sync) : name_(name), sync_(sync) {
#ifdef MLFFB_HAVE_NVTX
  nvtxRangePushA(name);
#endif
  for (Collector* c : collectors()) c->rangeBegin(name_);
}

Range::~Range() {
  if (sync_ && *sync_) (*sync_)();
  for (auto it = collectors().rbegin(); it != collectors().rend(); ++it) (*it)->rangeEnd(name_);
#ifdef MLFFB_HAVE_NVTX
  nvtxRangePop();
#endif
}

void attach(Collector* c) {
  auto& v = collectors();
  if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
}

void detach(Collector* c) {
  auto& v = collectors();
  v.erase(std::remove(v.begin(), v.end(), c), v.end());
}

}  // namespace mlffb::profilers
