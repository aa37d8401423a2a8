// Registers the `perf` collector (PerfCollector.hpp/.cpp).
#include "profilers/CollectorRegistry.hpp"
#include "profilers/PerfCollector.hpp"
#include "profilers/PerfCounters.hpp"

namespace mlffb::profilers {
namespace {
const Registrar<CollectorEntry> kPerfEntry{[] {
  CollectorEntry e;
  e.name = "perf";
  e.description =
      "CPU counters per stage through perf_event_open: cycles, instructions, cache references/misses, branch misses, task clock, "
      "page faults, context switches (user space, every thread); a counter the kernel refuses is reported with the reason";
  e.perturbsTiming = true;
  e.availability = [] {
    std::string reason;
    return PerfCounters::usable(&reason) ? Availability{true, ""} : Availability{false, reason};
  };
  e.create = [](const OptionValues&) { return std::make_unique<PerfCollector>(); };
  return e;
}()};
}  // namespace

}  // namespace mlffb::profilers
