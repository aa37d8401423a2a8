#include "backends/openmm/MlffForce.hpp"

#include <mutex>

#include <openmm/OpenMMException.h>
#include <openmm/reference/ReferencePlatform.h>

#include "core/Units.hpp"

namespace mlffb::openmm {
namespace {

/// Reference and CPU platforms: positions and forces are the ReferencePlatform::PlatformData
/// arrays (double, nm and kJ/mol/nm).
class ReferenceCalcMlffForceKernel : public CalcMlffForceKernel {
 public:
  using CalcMlffForceKernel::CalcMlffForceKernel;
  void initialize(const OpenMM::System&, const MlffForce& force) override {
    force_ = &force;
    x_.resize(force.particles().size());
  }
  double execute(OpenMM::ContextImpl& context, bool includeForces, bool /*includeEnergy*/) override {
    auto* data = static_cast<OpenMM::ReferencePlatform::PlatformData*>(context.getPlatformData());
    const std::vector<OpenMM::Vec3>& pos = *data->positions;
    const std::vector<int>& idx = force_->particles();
    constexpr double a = units::kAngstromPerNm;
    for (size_t k = 0; k < idx.size(); ++k) {
      const OpenMM::Vec3& r = pos[static_cast<size_t>(idx[k])];
      x_[k] = Vec3{r[0] * a, r[1] * a, r[2] * a};
    }
    std::optional<Box> box;
    if (force_->usesPeriodicBoundaryConditions()) {
      const OpenMM::Vec3* v = data->periodicBoxVectors;
      box = Box{Vec3{v[0][0] * a, v[0][1] * a, v[0][2] * a}, Vec3{v[1][0] * a, v[1][1] * a, v[1][2] * a},
                Vec3{v[2][0] * a, v[2][1] * a, v[2][2] * a}};
    }
    EnergyForces ef = force_->potential().compute(x_, box, includeForces);
    if (includeForces) {
      if (ef.forces.size() != idx.size())
        throw OpenMM::OpenMMException("mlffb MLFF force: the potential returned " + std::to_string(ef.forces.size()) + " forces for " +
                                      std::to_string(idx.size()) + " atoms");
      std::vector<OpenMM::Vec3>& f = *data->forces;
      for (size_t k = 0; k < idx.size(); ++k) f[static_cast<size_t>(idx[k])] += OpenMM::Vec3(ef.forces[k].x * a, ef.forces[k].y * a, ef.forces[k].z * a);
    }
    return ef.energy;
  }

 private:
  const MlffForce* force_ = nullptr;
  std::vector<Vec3> x_;  // Å, kept between steps
};

class MlffKernelFactory : public OpenMM::KernelFactory {
 public:
  OpenMM::KernelImpl* createKernelImpl(std::string name, const OpenMM::Platform& platform, OpenMM::ContextImpl&) const override {
    if (name == CalcMlffForceKernel::Name()) return new ReferenceCalcMlffForceKernel(name, platform);
    throw OpenMM::OpenMMException("mlffb kernel factory: no kernel '" + name + "'");
  }
};

}  // namespace

MlffForce::MlffForce(Potential& potential, std::vector<int> particles, bool periodic)
    : potential_(&potential), particles_(std::move(particles)), periodic_(periodic) {}

OpenMM::ForceImpl* MlffForce::createImpl() const { return new MlffForceImpl(*this); }

void MlffForceImpl::initialize(OpenMM::ContextImpl& context) {
  const OpenMM::System& system = context.getSystem();
  for (int p : owner_.particles())
    if (p < 0 || p >= system.getNumParticles())
      throw OpenMM::OpenMMException("MlffForce: particle index " + std::to_string(p) + " is not in the System");
  kernel_ = context.getPlatform().createKernel(CalcMlffForceKernel::Name(), context);
  kernel_.getAs<CalcMlffForceKernel>().initialize(system, owner_);
}

double MlffForceImpl::calcForcesAndEnergy(OpenMM::ContextImpl& context, bool includeForces, bool includeEnergy, int groups) {
  if ((groups & (1 << owner_.getForceGroup())) == 0) return 0.0;
  return kernel_.getAs<CalcMlffForceKernel>().execute(context, includeForces, includeEnergy);
}

std::vector<std::string> registerMlffKernels() {
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  std::vector<std::string> with;
  for (int i = 0; i < OpenMM::Platform::getNumPlatforms(); ++i) {
    OpenMM::Platform& p = OpenMM::Platform::getPlatform(i);
    if (!dynamic_cast<OpenMM::ReferencePlatform*>(&p)) continue;  // Reference, and CPU derived from it
    if (!p.supportsKernels({CalcMlffForceKernel::Name()})) p.registerKernelFactory(CalcMlffForceKernel::Name(), new MlffKernelFactory());
    with.push_back(p.getName());
  }
  return with;
}

}  // namespace mlffb::openmm
