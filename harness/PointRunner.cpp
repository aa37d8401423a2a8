#include "harness/PointRunner.hpp"

#include <new>

#include "harness/Measurement.hpp"
#include "harness/RunRecord.hpp"
#include "harness/SystemRecord.hpp"
#include "systems/CellList.hpp"

namespace mlffb {

Json runPoint(const Point& p, const System& system) {
  Json rec = startedRecord(p, systemRecord(system, p.system.kind == "file" ? p.system.path : ""));
  if (!p.skipReason.empty()) {
    setStatus(rec, "skipped", p.skipReason);
    return rec;
  }
  try {
    Measurement m = measure(p, system);
    rec["model"] = std::move(m.model);
    rec["measurements"] = std::move(m.measurements);
    setStatus(rec, "ok", "");
  } catch (const CellTooSmall& e) {
    setStatus(rec, "error", (p.system.kind == "file" ? p.system.path : p.system.name()) + ": " + e.what() +
                                "; evaluate it without its cell with --pbc off");
  } catch (const std::bad_alloc&) {
    setStatus(rec, "oom", "out of memory");
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (what.find("out of memory") != std::string::npos)  // e.g. LibTorch's CUDA allocator
      setStatus(rec, "oom", what);
    else
      setStatus(rec, what.find("unavailable") != std::string::npos ? "skipped" : "error", what);
  }
  return rec;
}

}  // namespace mlffb
