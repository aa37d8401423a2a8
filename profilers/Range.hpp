#pragma once
// Named ranges that mark the stages of a workload (`neighbors`, `descriptor`, `energy`, `forces`,
// `md_step`, ...). Every enabled collector sees each begin/end; with CUDA, ranges are also NVTX
// ranges so Nsight tools can filter on them.
#include <functional>
#include <string>

namespace mlffb::profilers {

class Collector;

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

/// Collectors receiving range events (not owned). Adding the same collector twice is a no-op.
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

}  // namespace mlffb::profilers
