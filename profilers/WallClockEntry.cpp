// Registers the `wallclock` collector (WallClockCollector.hpp/.cpp).
#include "profilers/CollectorRegistry.hpp"
#include "profilers/WallClockCollector.hpp"

namespace mlffb::profilers {
namespace {
const Registrar<CollectorEntry> kWallClockEntry{[] {
  CollectorEntry e;
  e.name = "wallclock";
  e.description = "wall-clock time per stage range and per sample (device synchronised at range ends); always on";
  e.defaultOn = true;
  e.create = [](const OptionValues&) { return std::make_unique<WallClockCollector>(); };
  return e;
}()};
}  // namespace

}  // namespace mlffb::profilers
