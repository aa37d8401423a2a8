// The classical force field as a model of the plan: the `cff` points of a suite are its points.
// It is evaluated inside the MD engines that build it from the GROMACS topology (gromacs: mdrun;
// openmm: an OpenMM System built by backends/openmm/OpenMMSystem), so it has no standalone evaluation.
#include <stdexcept>

#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace {
const Registrar<ModelEntry> kClassicalEntry{[] {
  ModelEntry e;
  e.model = "classical";
  e.flavor = "topology";
  e.name = "classical/topology";
  e.description = "classical force field from a GROMACS topology (pdb2gmx: amber99sb-ildn + TIP3P by default), evaluated by the MD engine";
  e.capabilities = [] {
    Capabilities c;
    c.devices = {DeviceKind::Cpu};
    c.configurations = {Configuration::Cff};
    return c;
  };
  e.create = [](const std::string&, const PotentialOptions&) -> std::unique_ptr<Potential> {
    throw std::invalid_argument("the classical force field is evaluated inside an MD engine (run --mode md --configuration cff)");
  };
  return e;
}()};
}  // namespace
}  // namespace mlffb
