#include "backends/openmm/OpenMMSystem.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <openmm/CustomTorsionForce.h>
#include <openmm/HarmonicAngleForce.h>
#include <openmm/HarmonicBondForce.h>
#include <openmm/NonbondedForce.h>
#include <openmm/PeriodicTorsionForce.h>
#include <openmm/RBTorsionForce.h>

#include "core/Units.hpp"

namespace mlffb::openmm {
namespace {
constexpr double kDeg = M_PI / 180.0;
}  // namespace

OpenMM::Vec3 toNm(const Vec3& r) { return {r.x * units::kNmPerAngstrom, r.y * units::kNmPerAngstrom, r.z * units::kNmPerAngstrom}; }

const char* forceGroupName(int group) {
  switch (group) {
    case kBondGroup: return "Bond";
    case kUreyBradleyGroup: return "U-B";
    case kAngleGroup: return "Angle";
    case kProperGroup: return "Proper Dih.";
    case kPeriodicImproperGroup: return "Per. Imp. Dih.";
    case kRyckaertBellemansGroup: return "Ryckaert-Bell.";
    case kHarmonicImproperGroup: return "Improper Dih.";
    case kNonbondedDirectGroup: return "Nonbonded direct + 1-4";
    case kReciprocalGroup: return "Coul. recip.";
    case kMlffGroup: return "MLFF";
    default: return "?";
  }
}

int classicalGroupMask() { return ((1 << kForceGroupCount) - 1) & ~(1 << kMlffGroup); }

double ewaldCoefficient(double rc, double rtol) {
  // As GROMACS: double β until erfc(β rc) < rtol, then bisect.
  double beta = 5, low = 0, high;
  int i = 0;
  do {
    ++i;
    beta *= 2;
  } while (std::erfc(beta * rc) > rtol && i < 60);
  high = beta;
  for (int k = 0; k < 60 + i; ++k) {
    beta = 0.5 * (low + high);
    if (std::erfc(beta * rc) > rtol) low = beta;
    else high = beta;
  }
  return beta;
}

int fftFriendlySize(int n) {
  for (int m = std::max(n, 1);; ++m) {
    int r = m;
    for (int f : {2, 3, 5, 7})
      while (r % f == 0) r /= f;
    if (r == 1) return m;
  }
}

ClassicalSystem buildClassicalSystem(const classical::ClassicalTopology& top, const std::optional<Box>& box,
                                     const NonbondedSettings& settings, const std::vector<bool>& mlAtoms) {
  const int n = static_cast<int>(top.size());
  const std::string where = top.source.empty() ? "topology" : top.source;
  if (!mlAtoms.empty() && mlAtoms.size() != top.size())
    throw std::invalid_argument(where + ": " + std::to_string(mlAtoms.size()) + " ML-atom flags for " + std::to_string(n) + " atoms");
  if (top.nonbondedFunction != 1) throw std::invalid_argument(where + ": OpenMM engine: only Lennard-Jones nonbonded (function 1) is supported");
  if (top.combinationRule != 2)
    throw std::invalid_argument(where + ": combination rule " + std::to_string(top.combinationRule) +
                                " (geometric σ) cannot be expressed by OpenMM's NonbondedForce, which combines σ arithmetically (rule 2)");
  if (!box) throw std::invalid_argument(where + ": PME needs a periodic box, and the system has none");
  const double width = box->minWidth() * units::kNmPerAngstrom;
  if (width < 2 * settings.cutoffNm)
    throw std::invalid_argument(where + ": the box is thinner (" + std::to_string(width) + " nm) than twice the " +
                                std::to_string(settings.cutoffNm) + " nm cut-off");
  auto ml = [&](std::initializer_list<int> atoms) {
    if (mlAtoms.empty()) return false;
    for (int a : atoms)
      if (!mlAtoms[static_cast<size_t>(a)]) return false;
    return true;
  };

  ClassicalSystem out;
  out.system = std::make_unique<OpenMM::System>();
  OpenMM::System& sys = *out.system;
  for (const auto& a : top.atoms) sys.addParticle(a.mass);
  sys.setDefaultPeriodicBoxVectors(toNm(box->a), toNm(box->b), toNm(box->c));
  for (const auto& c : top.constraints) sys.addConstraint(c.i, c.j, c.length);

  auto* bonds = new OpenMM::HarmonicBondForce();
  bonds->setForceGroup(kBondGroup);
  for (const auto& b : top.bonds) {
    if (ml({b.i, b.j})) {
      ++out.removed.bondsRemoved;
      continue;
    }
    bonds->addBond(b.i, b.j, b.r0, b.k);
  }
  auto* angles = new OpenMM::HarmonicAngleForce();
  angles->setForceGroup(kAngleGroup);
  auto* ureyBradley = new OpenMM::HarmonicBondForce();
  ureyBradley->setForceGroup(kUreyBradleyGroup);
  for (const auto& a : top.angles) {
    if (ml({a.i, a.j, a.k})) {
      ++out.removed.anglesRemoved;
      continue;
    }
    if (a.function != 1 && a.function != 5)
      throw std::invalid_argument(where + ": angle function " + std::to_string(a.function) + " is not supported by the OpenMM engine");
    angles->addAngle(a.i, a.j, a.k, a.theta0 * kDeg, a.kTheta);
    if (a.function == 5 && a.ubK != 0) ureyBradley->addBond(a.i, a.k, a.ubR0, a.ubK);
  }
  auto* propers = new OpenMM::PeriodicTorsionForce();
  propers->setForceGroup(kProperGroup);
  auto* periodicImpropers = new OpenMM::PeriodicTorsionForce();
  periodicImpropers->setForceGroup(kPeriodicImproperGroup);
  auto* rb = new OpenMM::RBTorsionForce();
  rb->setForceGroup(kRyckaertBellemansGroup);
  auto* harmonicImpropers = new OpenMM::CustomTorsionForce("0.5*k*dtheta^2; dtheta = min(d, 2*pi - d); d = abs(theta - theta0); pi = 3.14159265358979");
  harmonicImpropers->addPerTorsionParameter("theta0");
  harmonicImpropers->addPerTorsionParameter("k");
  harmonicImpropers->setForceGroup(kHarmonicImproperGroup);
  for (const auto& d : top.dihedrals) {
    if (ml({d.i, d.j, d.k, d.l})) {
      ++out.removed.torsionsRemoved;
      continue;
    }
    if ((d.function == 1 || d.function == 9 || d.function == 4) && d.multiplicity <= 0) {
      // A periodic term of multiplicity 0 is the constant k(1 + cos φs): force-field tables
      // use it with k = 0 as a placeholder; a non-zero one OpenMM's torsions cannot hold.
      if (d.force == 0) continue;
      throw std::invalid_argument(where + ": dihedral " + std::to_string(d.i + 1) + "-" + std::to_string(d.j + 1) + "-" + std::to_string(d.k + 1) +
                                  "-" + std::to_string(d.l + 1) + " has multiplicity 0 and a non-zero force constant");
    }
    switch (d.function) {
      case 1:
      case 9: propers->addTorsion(d.i, d.j, d.k, d.l, d.multiplicity, d.phase * kDeg, d.force); break;
      case 4: periodicImpropers->addTorsion(d.i, d.j, d.k, d.l, d.multiplicity, d.phase * kDeg, d.force); break;
      case 3: rb->addTorsion(d.i, d.j, d.k, d.l, d.rb[0], d.rb[1], d.rb[2], d.rb[3], d.rb[4], d.rb[5]); break;
      case 2: harmonicImpropers->addTorsion(d.i, d.j, d.k, d.l, {d.phase * kDeg, d.force}); break;
      default:
        throw std::invalid_argument(where + ": dihedral function " + std::to_string(d.function) + " is not supported by the OpenMM engine");
    }
  }
  // Only the forces that have terms go into the System (an empty force still costs a kernel).
  auto keep = [&](OpenMM::Force* f, int terms) {
    if (terms > 0) sys.addForce(f);
    else delete f;
  };
  keep(bonds, bonds->getNumBonds());
  keep(ureyBradley, ureyBradley->getNumBonds());
  keep(angles, angles->getNumAngles());
  keep(propers, propers->getNumTorsions());
  keep(periodicImpropers, periodicImpropers->getNumTorsions());
  keep(rb, rb->getNumTorsions());
  keep(harmonicImpropers, harmonicImpropers->getNumTorsions());

  auto* nb = new OpenMM::NonbondedForce();
  sys.addForce(nb);
  nb->setForceGroup(kNonbondedDirectGroup);
  nb->setReciprocalSpaceForceGroup(kReciprocalGroup);
  nb->setNonbondedMethod(OpenMM::NonbondedForce::PME);
  nb->setCutoffDistance(settings.cutoffNm);
  nb->setUseDispersionCorrection(false);
  nb->setUseSwitchingFunction(false);
  nb->setExceptionsUsePeriodicBoundaryConditions(true);
  out.ewaldAlphaPerNm = ewaldCoefficient(settings.cutoffNm, settings.ewaldRtol);
  const Vec3 len = box->lengths() * units::kNmPerAngstrom;
  out.pmeGrid[0] = fftFriendlySize(static_cast<int>(std::ceil(len.x / settings.fourierSpacingNm)));
  out.pmeGrid[1] = fftFriendlySize(static_cast<int>(std::ceil(len.y / settings.fourierSpacingNm)));
  out.pmeGrid[2] = fftFriendlySize(static_cast<int>(std::ceil(len.z / settings.fourierSpacingNm)));
  nb->setPMEParameters(out.ewaldAlphaPerNm, out.pmeGrid[0], out.pmeGrid[1], out.pmeGrid[2]);
  for (const auto& a : top.atoms) nb->addParticle(a.charge, a.sigma, a.epsilon);

  // Exceptions: excluded pairs (no interaction), then the 1-4 pairs (scaled), then under the
  // embedding every ML–ML pair zeroed.
  struct Exception {
    double qq = 0, sigma = 1, epsilon = 0;
  };
  std::map<std::pair<int, int>, Exception> exceptions;
  for (int i = 0; i < n; ++i)
    for (int j : top.exclusions[static_cast<size_t>(i)]) exceptions[{std::min(i, j), std::max(i, j)}] = {};
  for (const auto& p : top.pairs) {
    const auto key = std::make_pair(std::min(p.i, p.j), std::max(p.i, p.j));
    auto it = exceptions.find(key);
    if (it == exceptions.end())
      throw std::invalid_argument(where + ": the 1-4 pair " + std::to_string(p.i + 1) + "-" + std::to_string(p.j + 1) +
                                  " is not excluded from the normal nonbonded interaction (nrexcl < 3), which one NonbondedForce cannot express");
    it->second = {p.chargeScale * top.atoms[static_cast<size_t>(p.i)].charge * top.atoms[static_cast<size_t>(p.j)].charge, p.sigma, p.epsilon};
  }
  if (!mlAtoms.empty()) {
    std::vector<int> mlIndex;
    for (int i = 0; i < n; ++i)
      if (mlAtoms[static_cast<size_t>(i)]) mlIndex.push_back(i);
    for (size_t a = 0; a < mlIndex.size(); ++a)
      for (size_t b = a + 1; b < mlIndex.size(); ++b) {
        exceptions[{mlIndex[a], mlIndex[b]}] = {};
        ++out.removed.pairsZeroed;
      }
  }
  for (const auto& [key, e] : exceptions) nb->addException(key.first, key.second, e.qq, e.sigma, e.epsilon);
  return out;
}

}  // namespace mlffb::openmm
