// Registers the native engine (NativeEngine.hpp/.cpp), with what it declares: availability, devices,
// precisions, configurations and its options.
#include "backends/EngineRegistry.hpp"
#include "backends/native/NativeEngine.hpp"

namespace mlffb {

namespace {
const Registrar<EngineEntry> kNativeEntry{[] {
  EngineEntry e;
  e.name = "native";
  e.description = "mlff-bench's MD engine: L-BFGS minimisation, velocity Verlet / Langevin BAOAB, Verlet lists (configuration mlff)";
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu, DeviceKind::Cuda};  // it drives a Potential on any device
    c.configurations = {Configuration::Mlff};
    c.precisions = allPrecisions();  // the potential's own precision: the engine integrates in float64
    return c;
  };
  e.inProcess = true;
  e.create = [](const OptionValues&) { return std::make_unique<NativeEngine>(); };
  return e;
}()};
}  // namespace

}  // namespace mlffb
