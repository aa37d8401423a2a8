// Registers the openmm-ml engine (OpenMMMLEngine.hpp/.cpp): available where the project's Python
// environment imports OpenMM, openmm-ml and TorchANI; otherwise its points are skipped with the reason.

#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "backends/openmmml/OpenMMMLEngine.hpp"

namespace mlffb {
namespace {

/// The shared options it reads: the work folder's and the solvation padding.
std::vector<OptionSpec> openmmMlOptions() {
  std::vector<OptionSpec> out;
  for (const OptionSpec& o : classical::topologyOptionSpecs())
    if (o.key == "keep_work" || o.key == "work_dir" || o.key == "gmx_padding") out.push_back(o);
  out.push_back(classical::engineThreadsOption());
  out.push_back(OptionSpec::choice("platform", "platform", "OpenMM platform (openmm, openmm-ml engines)", {"auto", "reference", "cpu", "opencl", "cuda"},
                                   "auto: the fastest that works (openmm-ml: CUDA for a cuda point, else CPU)"));
  return out;
}

const Registrar<EngineEntry> kOpenMMMLEntry{[] {
  EngineEntry e;
  e.name = "openmm-ml";
  e.description = "OpenMM 8 + openmm-ml's MLPotential('ani2x') (TorchANI on our NeuroChem weights) from the project's Python "
                  "environment, as a Python program: createSystem (mlff), amber14/TIP3P + createMixedSystem (cml); "
                  "LangevinMiddleIntegrator, L-BFGS minimisation; ns/day and the model's share of the step";
  e.availability = [] {
    const std::string why = openmmMlUnavailableReason();
    return why.empty() ? Availability::yes() : Availability::no(why);
  };
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu, DeviceKind::Cuda};  // CUDA: OpenMM's CUDA platform and torch on the GPU (unchecked here)
    c.precisions = {Precision::Float32};              // openmm-ml's ANI evaluates TorchANI in float32
    c.configurations = {Configuration::Mlff, Configuration::Cml};
    return c;
  };
  e.options = openmmMlOptions();
  e.inProcess = false;
  e.singlePoint = true;
  e.modelFlavor = "torchani";
  e.exportsModel = false;
  e.create = [](const OptionValues& o) { return std::make_unique<OpenMMMLEngine>(OpenMMMLSettings::from(o)); };
  return e;
}()};

}  // namespace
}  // namespace mlffb
