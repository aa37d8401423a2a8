// The `torch-ops` entry, registered in every build so `list` and a run that asks for it say why it
// is unavailable where LibTorch is not built in.
#include "profilers/CollectorRegistry.hpp"
#include "profilers/torch/TorchOpsCollector.hpp"

namespace mlffb::profilers {
namespace {
const Registrar<CollectorEntry> kTorchOpsEntry{[] {
  CollectorEntry e;
  e.name = "torch-ops";
  e.description =
      "LibTorch operator and autograd-node timing per stage through RecordFunction callbacks (calls, self and total time; "
      "torch flavours, CPU and CUDA; no Kineto needed)";
  e.perturbsTiming = true;
#ifdef MLFFB_HAVE_TORCH
  e.create = [](const OptionValues&) { return makeTorchOpsCollector(); };
#else
  e.availability = [] { return Availability{false, "built without LibTorch"}; };
  e.create = [](const OptionValues&) -> std::unique_ptr<Collector> { throw std::logic_error("torch-ops: built without LibTorch"); };
#endif
  return e;
}()};
}  // namespace
}  // namespace mlffb::profilers
