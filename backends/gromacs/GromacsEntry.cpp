// Registers the gromacs engine (GromacsEngine.hpp/.cpp), with what it declares: availability, devices,
// precisions, configurations and its options.
#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GmxTool.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "backends/gromacs/GromacsEngine.hpp"
#include "workloads/torch/TorchSupport.hpp"

namespace mlffb {

using classical::GmxTool;

namespace {
const Registrar<EngineEntry> kGromacsEntry{[] {
  EngineEntry e;
  e.name = "gromacs";
  e.description = "GROMACS (gmx on PATH): pdb2gmx topology, steepest descent, PME MD with V-rescale; md.log timings (cff; mlff/cml through NNPot with the model exported as TorchScript, GROMACS 2025+ with Torch)";
  e.availability = [] {
    const std::string why = GmxTool::unavailableReason("gmx");
    return why.empty() ? Availability::yes() : Availability::no(why);
  };
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};
    c.precisions = {Precision::Float32};  // GROMACS's mixed precision
    c.configurations = {Configuration::Cff, Configuration::Mlff, Configuration::Cml};
    return c;
  };
  e.unavailableFor = [](Configuration c, const OptionValues& o) -> std::string {
    const std::string program = optionText(o, "gmx", "gmx");
    if (std::string why = GmxTool::unavailableReason(program); !why.empty()) return why;
    if (c == Configuration::Cff) return "";
    const GmxTool& t = GmxTool::cached(program);
    if (!t.nnpot) return t.nnpotReason;
    if (const auto why = torchAvailability(); !why.available) return "exporting the model for NNPot needs LibTorch: " + why.reason;
    return "";
  };
  e.options = classical::topologyOptionSpecs();
  e.options.push_back(classical::engineThreadsOption());
  e.inProcess = false;
  e.modelFlavor = "torch";
  e.create = [](const OptionValues& o) { return std::make_unique<GromacsEngine>(GromacsSettings::from(o)); };
  return e;
}()};
}  // namespace

}  // namespace mlffb
