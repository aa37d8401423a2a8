// The openmm engine's registry entry: present in every build, available only when mlff-bench
// was built with OpenMM (libopenmm-dev) — otherwise its points are skipped saying so.
#include "backends/EngineRegistry.hpp"
#include "backends/gmx/GromacsTopology.hpp"

#ifdef MLFFB_HAVE_OPENMM
#include "backends/openmm/OpenMMEngine.hpp"
#endif

namespace mlffb {
namespace {
const Registrar<EngineEntry> kOpenMMEntry{[] {
  EngineEntry e;
  e.name = "openmm";
  e.description = "OpenMM (C++ API, in process): classical System from the pdb2gmx topology (PME), the MLFF as a plugin force, "
                  "OpenMM-ML mechanical embedding for cml; LangevinMiddleIntegrator, L-BFGS minimisation";
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};  // the MLFF force's kernels: Reference and CPU platforms
    c.precisions = {Precision::Float32, Precision::Float64};
    c.configurations = {Configuration::Cff, Configuration::Mlff, Configuration::Cml};
    return c;
  };
  e.options = classical::topologyOptionSpecs();
  e.options.push_back(classical::engineThreadsOption());
  e.options.push_back(OptionSpec::choice("platform", "platform", "OpenMM platform (openmm engine)", {"auto", "reference", "cpu", "opencl", "cuda"}, "auto: the fastest that works"));
  e.inProcess = true;
#ifdef MLFFB_HAVE_OPENMM
  e.availability = [] { return Availability::yes(); };
  e.unavailableFor = [](Configuration c, const OptionValues& o) { return openmmUnavailableFor(c, o); };
  e.create = [](const OptionValues& o) { return std::make_unique<OpenMMEngine>(OpenMMSettings::from(o)); };
#else
  e.availability = [] { return Availability::no("built without OpenMM (apt-get install libopenmm-dev libopenmm-plugins, then rebuild)"); };
  e.create = [](const OptionValues&) -> std::unique_ptr<Engine> {
    throw std::invalid_argument("the openmm engine is not in this build: install libopenmm-dev libopenmm-plugins and rebuild");
  };
#endif
  return e;
}()};
}  // namespace
}  // namespace mlffb
