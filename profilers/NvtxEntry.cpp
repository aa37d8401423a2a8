// Registers the `nvtx` collector (NvtxCollector.hpp), available where CUDA's NVTX3 is built in.
#include "profilers/CollectorRegistry.hpp"
#include "profilers/NvtxCollector.hpp"

namespace mlffb::profilers {
namespace {

const Registrar<CollectorEntry> kNvtxEntry{[] {
  CollectorEntry e;
  e.name = "nvtx";
  e.description = std::string("stage ranges as NVTX push/pop in domain '") + kNvtxDomain +
                  "' for Nsight Systems/Compute filters (always emitted when CUDA is built in); counts ranges per sample";
  e.availability = [] { return nvtxBuiltIn() ? Availability::yes() : Availability{false, "built without CUDA's NVTX3 (no CUDA toolkit)"}; };
  e.create = [](const OptionValues&) { return std::make_unique<NvtxCollector>(); };
  return e;
}()};

}  // namespace
}  // namespace mlffb::profilers
