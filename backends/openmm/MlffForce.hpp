#pragma once
// Any mlff-bench Potential inside OpenMM, as an OpenMM plugin force is written: MlffForce is the
// Force (plain data: the potential, the particles it covers, whether it is periodic), its
// MlffForceImpl asks the context's Platform for the kernel named CalcMlffForceKernel::Name(), and
// each platform that can run it has a KernelFactory registered (registerMlffKernels). The
// Reference kernel serves the Reference platform and the CPU platform, which keeps its positions
// and forces in the Reference platform's arrays: positions are read from, and forces added into,
// those arrays directly (one gather into a buffer kept between steps: nm → Å and the ML atoms'
// subset). The Potential's stage ranges fire inside it, so the collectors keep working.
#include <string>
#include <vector>

#include <openmm/Force.h>
#include <openmm/KernelFactory.h>
#include <openmm/KernelImpl.h>
#include <openmm/Platform.h>
#include <openmm/System.h>
#include <openmm/internal/ContextImpl.h>
#include <openmm/internal/ForceImpl.h>

#include "workloads/Potential.hpp"

namespace mlffb::openmm {

class MlffForce : public OpenMM::Force {
 public:
  /// `potential` (not owned, already bound to these particles with setSystem) evaluates the
  /// particles `particles` of the OpenMM System, in that order; periodic: the box goes with them.
  MlffForce(Potential& potential, std::vector<int> particles, bool periodic);
  Potential& potential() const { return *potential_; }
  const std::vector<int>& particles() const { return particles_; }
  bool usesPeriodicBoundaryConditions() const override { return periodic_; }

 protected:
  OpenMM::ForceImpl* createImpl() const override;

 private:
  Potential* potential_;
  std::vector<int> particles_;
  bool periodic_;
};

/// The kernel's interface, one implementation per platform.
class CalcMlffForceKernel : public OpenMM::KernelImpl {
 public:
  static std::string Name() { return "mlffb.CalcMlffForce"; }
  CalcMlffForceKernel(const std::string& name, const OpenMM::Platform& platform) : OpenMM::KernelImpl(name, platform) {}
  virtual void initialize(const OpenMM::System& system, const MlffForce& force) = 0;
  /// Adds the forces to the context's force array when asked; returns the energy (kJ/mol).
  virtual double execute(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy) = 0;
};

class MlffForceImpl : public OpenMM::ForceImpl {
 public:
  explicit MlffForceImpl(const MlffForce& owner) : owner_(owner) {}
  void initialize(OpenMM::ContextImpl& context) override;
  const OpenMM::Force& getOwner() const override { return owner_; }
  void updateContextState(OpenMM::ContextImpl&, bool&) override {}
  double calcForcesAndEnergy(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy, int groups) override;
  std::map<std::string, double> getDefaultParameters() override { return {}; }
  std::vector<std::string> getKernelNames() override { return {CalcMlffForceKernel::Name()}; }

 private:
  const MlffForce& owner_;
  OpenMM::Kernel kernel_;
};

/// Registers the kernel factory with every loaded platform that keeps its data in the Reference
/// platform's form (Reference, CPU); idempotent. Returns the platforms that have the kernel.
std::vector<std::string> registerMlffKernels();

}  // namespace mlffb::openmm
