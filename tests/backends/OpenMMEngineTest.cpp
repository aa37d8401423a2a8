// The OpenMM engine: the classical System from our topology against GROMACS (gmx mdrun -rerun of
// the same solvated 10-residue slice, term by term), the mechanical embedding of cml (what is
// removed, what stays, and the total as classical + the model's own energy of the solute), the
// plugin force against the Potential's own evaluation on Reference and CPU (forces, −∇E by finite
// differences through OpenMM, periodic box), and platform refusals. Tests that need gmx skip
// without it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include <nlohmann/json.hpp>

#include <openmm/Context.h>
#include <openmm/HarmonicAngleForce.h>
#include <openmm/HarmonicBondForce.h>
#include <openmm/NonbondedForce.h>
#include <openmm/PeriodicTorsionForce.h>
#include <openmm/Platform.h>
#include <openmm/State.h>
#include <openmm/VerletIntegrator.h>

#include "backends/gmx/GmxLog.hpp"
#include "backends/gmx/GmxTool.hpp"
#include "backends/gmx/GromacsTopology.hpp"
#include "backends/openmm/MlffForce.hpp"
#include "backends/openmm/OpenMMEngine.hpp"
#include "backends/openmm/OpenMMSystem.hpp"
#include "core/Subprocess.hpp"
#include "core/Units.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Rng.hpp"
#include "systems/Solvator.hpp"
#include "tests/PhysicsTestUtil.hpp"
#include "tests/TestUtil.hpp"
#include "workloads/classical/BondedEnergy.hpp"
#include "workloads/ModelRegistry.hpp"

using namespace mlffb;
using namespace mlffb::openmm;
using classical::GmxTool;
namespace fs = std::filesystem;

namespace {

System slice(int residues) {
  return PolyAlanineBuilder(PolyAlanineOptions{Conformation::Folded, Termini::Charged, 42, 1000}).build(residues);
}

System solvated(int residues) {
  SolvationOptions so;
  so.paddingAngstrom = 8.0;
  return Solvator(so).solvate(slice(residues));
}

/// The real ANI-2x weights (tests of a physical property skip without them).
const std::string kRealWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

/// ANI-2x native in float64 on the real weights: for properties of the dynamics, which random
/// weights can spoil (a fresh draw may heat a slice far past any thermostat's target).
std::unique_ptr<Potential> realAniFloat64() {
  PotentialOptions o;
  o.flavor = "native";
  o.precision = Precision::Float64;
  o.options["weights"] = kRealWeights;
  return createPotential("ani2x", o);
}

std::unique_ptr<Potential> aniFloat64(std::uint64_t seed) {
  PotentialOptions o;
  o.flavor = "native";
  o.precision = Precision::Float64;
  o.seed = seed;  // random weights: the property is the plumbing, not the model
  return createPotential("ani2x", o);
}

/// Energy (kJ/mol) of the force groups in `mask` at `positions` (Å) on `platform`.
double groupEnergy(const OpenMM::System& sys, const std::vector<Vec3>& positions, int mask, const std::string& platform = "Reference") {
  openmmPlatforms();  // plugins and the MLFF kernels registered
  OpenMM::VerletIntegrator integrator(0.001);
  OpenMM::Context ctx(sys, integrator, OpenMM::Platform::getPlatformByName(platform));
  std::vector<OpenMM::Vec3> x;
  for (const auto& r : positions) x.emplace_back(r.x * 0.1, r.y * 0.1, r.z * 0.1);
  ctx.setPositions(x);
  return ctx.getState(OpenMM::State::Energy, false, mask).getPotentialEnergy();
}

std::string writeText(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
  return p.string();
}

struct Generated {
  std::string dir;
  classical::GeneratedTopology topology;
};

Generated generate(const System& s, const std::string& tag) {
  Generated g;
  g.dir = test::freshTempDir(tag);
  g.topology = classical::generateTopology(GmxTool::cached(), s, g.dir);
  return g;
}

}  // namespace

TEST(OpenMMSystem, EwaldSettingsFollowGromacs) {
  // GROMACS's β for rc = 1 nm and ewald-rtol 1e-5 (printed by grompp as 3.12341 nm^-1).
  EXPECT_NEAR(ewaldCoefficient(1.0, 1e-5), 3.12341, 1e-5);
  EXPECT_NEAR(std::erfc(ewaldCoefficient(1.2, 1e-6) * 1.2), 1e-6, 1e-12);
  EXPECT_EQ(fftFriendlySize(23), 24);
  EXPECT_EQ(fftFriendlySize(11), 12);
  EXPECT_EQ(fftFriendlySize(49), 49);
  EXPECT_EQ(fftFriendlySize(97), 98);
}

TEST(OpenMMSystem, RefusesWhatNonbondedForceCannotExpress) {
  classical::ClassicalTopology t;
  t.source = "x.top";
  t.atoms.resize(2);
  t.exclusions.resize(2);
  const Box box = Box::orthorhombic({30, 30, 30});
  t.combinationRule = 3;
  try {
    buildClassicalSystem(t, box);
    FAIL() << "combination rule 3 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("combination rule 3"), std::string::npos) << e.what();
  }
  t.combinationRule = 2;
  EXPECT_THROW(buildClassicalSystem(t, std::nullopt), std::invalid_argument);                      // PME without a box
  EXPECT_THROW(buildClassicalSystem(t, Box::orthorhombic({15, 30, 30})), std::invalid_argument);  // thinner than 2 cut-offs
  t.pairs.push_back({0, 1, 0.3, 0.5, 0.5});  // a 1-4 pair that is not excluded
  try {
    buildClassicalSystem(t, box);
    FAIL() << "non-excluded pair accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("1-4 pair 1-2"), std::string::npos) << e.what();
  }
}

// The classical System against GROMACS itself: pdb2gmx's topology of a solvated 10-residue
// slice, energies term by term from our OpenMM System vs gmx mdrun -rerun of the same coordinates.
TEST(OpenMMSystem, ClassicalEnergyEqualsGromacsRerunTermByTerm) {
  if (const std::string why = GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const Generated g = generate(solvated(10), "openmm-rerun");
  const auto& top = g.topology.topology;
  const System& s = g.topology.system;
  // GROMACS with the same nonbonded function as OpenMM's NonbondedForce: PME, plain LJ cut-off,
  // no potential shifts, no dispersion correction.
  writeText(fs::path(g.dir) / "rerun.mdp",
            "integrator = md\nnsteps = 0\ncutoff-scheme = Verlet\npbc = xyz\ncoulombtype = PME\nrcoulomb = 1.0\nrvdw = 1.0\n"
            "vdw-modifier = None\ncoulomb-modifier = None\nDispCorr = no\newald-rtol = 1e-5\nfourierspacing = 0.12\npme-order = 5\n");
  const GmxTool& gmx = GmxTool::cached();
  gmx.run({"grompp", "-f", "rerun.mdp", "-c", g.topology.groPath, "-p", g.topology.topPath, "-o", "rerun.tpr", "-maxwarn", "1"}, g.dir, "grompp");
  gmx.run({"mdrun", "-s", "rerun.tpr", "-rerun", g.topology.groPath, "-deffnm", "rerun", "-ntmpi", "1", "-ntomp", "1"}, g.dir, "mdrun");
  const classical::GmxLog log = classical::parseGmxLog(readTextFile((fs::path(g.dir) / "rerun.log").string()), "rerun.log");
  ASSERT_FALSE(log.frames.empty());
  const auto& frame = log.frames[0];

  const ClassicalSystem cs = buildClassicalSystem(top, s.box);
  int bondedChecked = 0;
  for (int group : {kBondGroup, kAngleGroup, kProperGroup, kPeriodicImproperGroup}) {
    const auto theirs = frame.get(forceGroupName(group));
    ASSERT_TRUE(theirs.has_value()) << forceGroupName(group) << " not in md.log";
    const double ours = groupEnergy(*cs.system, s.positions, 1 << group);
    // md.log prints 6 significant digits.
    EXPECT_NEAR(ours, *theirs, 1e-5 * std::abs(*theirs) + 1e-3) << forceGroupName(group);
    std::printf("%-15s openmm %.6f  gmx %.6f  rel %.2e\n", forceGroupName(group), ours, *theirs, std::abs(ours - *theirs) / std::abs(*theirs));
    ++bondedChecked;
  }
  EXPECT_EQ(bondedChecked, 4);
  double gmxNonbonded = 0;
  for (const char* term : {"LJ (SR)", "Coulomb (SR)", "Coul. recip.", "LJ-14", "Coulomb-14"}) {
    const auto v = frame.get(term);
    ASSERT_TRUE(v.has_value()) << term << " not in md.log";
    gmxNonbonded += *v;
    std::printf("  gmx %-13s %.3f\n", term, *v);
  }
  std::printf("  openmm direct+1-4 %.3f  recip %.3f\n", groupEnergy(*cs.system, s.positions, 1 << kNonbondedDirectGroup),
              groupEnergy(*cs.system, s.positions, 1 << kReciprocalGroup));
  const double ourNonbonded = groupEnergy(*cs.system, s.positions, (1 << kNonbondedDirectGroup) | (1 << kReciprocalGroup));
  std::printf("nonbonded       openmm %.3f  gmx %.3f  rel %.2e\n", ourNonbonded, gmxNonbonded, std::abs(ourNonbonded - gmxNonbonded) / std::abs(gmxNonbonded));
  EXPECT_NEAR(ourNonbonded, gmxNonbonded, 1e-3 * std::abs(gmxNonbonded));
  // And the CPU platform (single-precision nonbonded) computes the same System.
  const double cpu = groupEnergy(*cs.system, s.positions, classicalGroupMask(), "CPU");
  const double ref = groupEnergy(*cs.system, s.positions, classicalGroupMask());
  EXPECT_NEAR(cpu, ref, 1e-4 * std::abs(ref));
}

// cml: OpenMM-ML's mechanical embedding, checked term by term.
TEST(OpenMMEngine, CmlRemovesSoluteInternalTermsAndAddsTheModelOnTheSolute) {
  if (const std::string why = GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const Generated g = generate(solvated(3), "openmm-cml");
  const auto& top = g.topology.topology;
  const System& s = g.topology.system;
  auto pot = aniFloat64(test::freshSeed());
  const OpenMMSetup cff = buildOpenMMSetup(Configuration::Cff, s, &top, nullptr);
  const OpenMMSetup cml = buildOpenMMSetup(Configuration::Cml, s, &top, pot.get());
  std::set<int> solute;
  for (size_t i = 0; i < s.size(); ++i)
    if (!s.atoms[i].solvent) solute.insert(static_cast<int>(i));
  ASSERT_EQ(cml.mlParticles.size(), solute.size());
  ASSERT_GT(solute.size(), 20u);
  auto inSolute = [&](std::initializer_list<int> atoms) {
    for (int a : atoms)
      if (!solute.count(a)) return false;
    return true;
  };
  // Enumerate every term left in the mixed System: none lies wholly inside the solute.
  int bonds = 0, angles = 0, torsions = 0, mlffForces = 0;
  const OpenMM::NonbondedForce* nb = nullptr;
  for (int f = 0; f < cml.openmm->getNumForces(); ++f) {
    const OpenMM::Force& force = cml.openmm->getForce(f);
    if (auto* b = dynamic_cast<const OpenMM::HarmonicBondForce*>(&force)) {
      for (int k = 0; k < b->getNumBonds(); ++k) {
        int i, j;
        double r0, kb;
        b->getBondParameters(k, i, j, r0, kb);
        EXPECT_FALSE(inSolute({i, j})) << "bond " << i << "-" << j;
        ++bonds;
      }
    } else if (auto* a = dynamic_cast<const OpenMM::HarmonicAngleForce*>(&force)) {
      for (int k = 0; k < a->getNumAngles(); ++k) {
        int i, j, l;
        double t0, ka;
        a->getAngleParameters(k, i, j, l, t0, ka);
        EXPECT_FALSE(inSolute({i, j, l}));
        ++angles;
      }
    } else if (auto* t = dynamic_cast<const OpenMM::PeriodicTorsionForce*>(&force)) {
      for (int k = 0; k < t->getNumTorsions(); ++k) {
        int i, j, l, m, per;
        double ph, kt;
        t->getTorsionParameters(k, i, j, l, m, per, ph, kt);
        EXPECT_FALSE(inSolute({i, j, l, m}));
        ++torsions;
      }
    } else if (auto* n = dynamic_cast<const OpenMM::NonbondedForce*>(&force)) {
      nb = n;
    } else if (dynamic_cast<const MlffForce*>(&force)) {
      ++mlffForces;
      EXPECT_EQ(force.getForceGroup(), kMlffGroup);
    }
  }
  EXPECT_EQ(mlffForces, 1);
  // The solute has no bonded terms left; the waters' SETTLE constraints stay.
  EXPECT_EQ(bonds + angles + torsions, 0);
  EXPECT_EQ(cml.openmm->getNumConstraints(), cff.openmm->getNumConstraints());
  ASSERT_NE(nb, nullptr);
  // Every solute–solute pair is an exception with no charge product and no LJ; solute–solvent
  // pairs are not exceptions (classical).
  std::set<std::pair<int, int>> zeroed;
  for (int k = 0; k < nb->getNumExceptions(); ++k) {
    int i, j;
    double qq, sig, eps;
    nb->getExceptionParameters(k, i, j, qq, sig, eps);
    if (inSolute({i, j})) {
      EXPECT_EQ(qq, 0.0);
      EXPECT_EQ(eps, 0.0);
      zeroed.insert({std::min(i, j), std::max(i, j)});
    } else {
      EXPECT_FALSE(solute.count(i) || solute.count(j)) << "solute–solvent exception " << i << "-" << j;
    }
  }
  EXPECT_EQ(zeroed.size(), solute.size() * (solute.size() - 1) / 2);
  // What was removed is exactly the solute's own bonded energy (our independent evaluator).
  classical::ClassicalTopology soluteOnly = top;
  soluteOnly.pairs.clear();
  const double removedBonded = classical::bondedEnergies(soluteOnly, s.positions, s.box).total();
  const int bondedMask = (1 << kBondGroup) | (1 << kAngleGroup) | (1 << kProperGroup) | (1 << kPeriodicImproperGroup);
  const double cffBonded = groupEnergy(*cff.openmm, s.positions, bondedMask);
  const double cmlBonded = groupEnergy(*cml.openmm, s.positions, bondedMask);
  EXPECT_NEAR(cffBonded - cmlBonded, removedBonded, 1e-8 * std::abs(removedBonded) + 1e-8);  // water is rigid: no bonded terms
  // Total = classical energy of the mixed system + the model's own energy of the solute alone.
  System soluteSystem;
  soluteSystem.box = s.box;
  for (int i : cml.mlParticles) soluteSystem.addAtom(s.atoms[static_cast<size_t>(i)], s.positions[static_cast<size_t>(i)]);
  pot->setSystem(soluteSystem);
  const double mlff = pot->compute(soluteSystem.positions, soluteSystem.box, false).energy;
  const double classicalMixed = groupEnergy(*cml.openmm, s.positions, classicalGroupMask());
  const double total = groupEnergy(*cml.openmm, s.positions, ~0);
  EXPECT_NEAR(total, classicalMixed + mlff, 1e-9 * (std::abs(classicalMixed) + std::abs(mlff)));
  EXPECT_NE(mlff, 0.0);
}

// The plugin force against the Potential's own evaluation of the same positions, on both
// platforms that have its kernel, in vacuum and in a triclinic box; and OpenMM's forces are
// −∂E/∂x of OpenMM's energies (units: nm, kJ/mol).
TEST(MlffForce, ForcesEqualThePotentialsOwnOnReferenceAndCpuAndAreMinusTheGradient) {
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("MLFFB_TEST_SEED=" + std::to_string(seed));
  const auto& platforms = openmmPlatforms().withMlffKernel;
  ASSERT_NE(std::find(platforms.begin(), platforms.end(), "Reference"), platforms.end());
  for (const bool periodic : {false, true}) {
    System s = slice(4);
    if (periodic) s.box = Box::fromLengthsAngles(30, 32, 34, 85, 95, 100);
    auto pot = aniFloat64(seed);
    auto own = aniFloat64(seed);
    own->setSystem(s);
    const EnergyForces ref = own->compute(s.positions, s.box, true);
    double fmax = 0;
    for (const auto& f : ref.forces) fmax = std::max(fmax, norm(f));
    const OpenMMSetup setup = buildOpenMMSetup(Configuration::Mlff, s, nullptr, pot.get());
    for (const auto& platform : platforms) {
      SCOPED_TRACE(platform + (periodic ? " periodic" : " vacuum"));
      OpenMM::VerletIntegrator integrator(0.001);
      OpenMM::Context ctx(*setup.openmm, integrator, OpenMM::Platform::getPlatformByName(platform));
      std::vector<OpenMM::Vec3> x;
      for (const auto& r : s.positions) x.emplace_back(r.x * 0.1, r.y * 0.1, r.z * 0.1);
      ctx.setPositions(x);
      const OpenMM::State st = ctx.getState(OpenMM::State::Energy | OpenMM::State::Forces);
      EXPECT_NEAR(st.getPotentialEnergy(), ref.energy, 1e-12 * std::abs(ref.energy));
      double worst = 0;
      for (size_t i = 0; i < s.size(); ++i) {
        const OpenMM::Vec3& f = st.getForces()[i];
        worst = std::max(worst, norm(Vec3{f[0] * 0.1, f[1] * 0.1, f[2] * 0.1} - ref.forces[i]));
      }
      EXPECT_LE(worst, 1e-9 * fmax);
      // Central differences of OpenMM's energy along a few coordinates.
      Rng rng(seed);
      for (int k = 0; k < 3; ++k) {
        const size_t atom = rng.next() % s.size();
        const int axis = static_cast<int>(rng.next() % 3);
        const double h = 1e-5;  // nm
        auto energyAt = [&](double d) {
          std::vector<OpenMM::Vec3> y = x;
          y[atom][axis] += d;
          ctx.setPositions(y);
          return ctx.getState(OpenMM::State::Energy).getPotentialEnergy();
        };
        const double dEdx = (energyAt(h) - energyAt(-h)) / (2 * h);
        EXPECT_NEAR(-dEdx, st.getForces()[atom][axis], 1e-5 * fmax * 10 + 1e-6) << "atom " << atom << " axis " << axis;
      }
    }
  }
}

TEST(OpenMMEngine, PlatformsItCannotUseAreRefusedWithTheReason) {
  const std::string cuda = openmmUnavailableFor(Configuration::Mlff, {{"platform", "cuda"}});
  EXPECT_NE(cuda.find("no CUDA platform"), std::string::npos) << cuda;
  EXPECT_NE(openmmUnavailableFor(Configuration::Cml, {{"platform", "opencl"}}), "");
  EXPECT_EQ(openmmUnavailableFor(Configuration::Mlff, {{"platform", "reference"}}), "");
  EXPECT_THROW(openmmPlatformName("metal"), std::invalid_argument);
  // A run asked for on such a platform stops before any work, naming it.
  const System s = slice(2);
  auto pot = aniFloat64(1);
  EngineRequest rq;
  rq.system = &s;
  rq.configuration = Configuration::Mlff;
  rq.potential = pot.get();
  rq.options = {{"platform", "cuda"}};
  OpenMMEngine engine(OpenMMSettings::from(rq.options));
  try {
    engine.run(rq);
    FAIL() << "ran on a platform that does not exist";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("CUDA"), std::string::npos) << e.what();
  }
}

// A short mlff run through the engine itself: minimised, then MD at about the target temperature.
TEST(OpenMMEngine, MlffRunMinimisesAndKeepsTheTemperature) {
  // A physical model: random weights (a fresh seed each run) sometimes heat this slice past 1000 K in
  // 200 steps, which says nothing about the engine.
  if (!fs::exists(kRealWeights)) GTEST_SKIP() << kRealWeights << " not found";
  const System s = slice(3);
  auto pot = realAniFloat64();
  EngineRequest rq;
  rq.system = &s;
  rq.configuration = Configuration::Mlff;
  rq.potential = pot.get();
  rq.md.steps = 200;
  rq.md.warmupSteps = 20;
  rq.md.minimizeSteps = 50;
  rq.md.traceEvery = 10;
  rq.options = {{"platform", "reference"}};
  OpenMMEngine engine(OpenMMSettings::from(rq.options));
  const EngineResult r = engine.run(rq);
  EXPECT_LT(r.minimization.finalEnergy, r.minimization.initialEnergy);
  ASSERT_EQ(r.timePs.size(), 20u);
  for (double t : r.temperatureK) {
    EXPECT_GT(t, 50.0);
    EXPECT_LT(t, 1000.0);
  }
  EXPECT_EQ(r.extra["openmm"]["platform"], "Reference");
  EXPECT_EQ(r.atoms, s.size());
}

// NVE (OpenMM's VerletIntegrator) with the real ANI-2x in float64 through the
// plugin force: the total energy is conserved, as in the native engine.
TEST(OpenMMEngine, NveWithTheMlffForceConservesEnergy) {
  if (!fs::exists(kRealWeights)) GTEST_SKIP() << kRealWeights << " not found";
  const System s = slice(3);
  auto pot = realAniFloat64();
  EngineRequest rq;
  rq.system = &s;
  rq.configuration = Configuration::Mlff;
  rq.potential = pot.get();
  rq.md.integrator = Integrator::Nve;
  rq.md.steps = 1200;
  rq.md.warmupSteps = 0;
  rq.md.minimizeSteps = 100;
  rq.md.traceEvery = 20;
  rq.md.seed = test::freshSeed() % 1000000;
  rq.options = {{"platform", "cpu"}};
  const EngineResult r = OpenMMEngine(OpenMMSettings::from(rq.options)).run(rq);
  ASSERT_EQ(r.timePs.size(), 60u);
  const nlohmann::ordered_json md = mdSummary(rq, r, {});
  const double drift = md["energy_drift_kj_mol_ps_atom"].get<double>();
  double lo = 1e300, hi = -1e300;
  for (size_t i = 0; i < r.timePs.size(); ++i) {
    lo = std::min(lo, r.potentialKJPerMol[i] + r.kineticKJPerMol[i]);
    hi = std::max(hi, r.potentialKJPerMol[i] + r.kineticKJPerMol[i]);
  }
  std::printf("NVE 0.6 ps, %zu atoms: drift %.2e kJ/mol/ps/atom, total energy range %.3f kJ/mol, mean T %.0f K\n", s.size(), drift, hi - lo,
              md["mean_temperature_k"].get<double>());
  EXPECT_LT(std::abs(drift), 0.01);
  EXPECT_LT(hi - lo, 0.05 * md["mean_temperature_k"].get<double>() * 1.5 * units::kBoltzmannKJPerMolK * s.size());
}

// The three configurations through the command line on a 10-residue slice, as a user runs them.
TEST(OpenMMEngine, RunsCffMlffAndCmlThroughTheCommandLine) {
  if (const std::string why = GmxTool::unavailableReason(); !why.empty()) GTEST_SKIP() << why;
  const std::string dir = test::freshTempDir("openmm-cli");
  const std::string out = dir + "/r.json";
  const auto r = test::runCli("run --suite polyala-md --sizes 10 --model ani2x --flavor native --engine openmm --configuration cff,mlff,cml "
                              "--steps 20 --warmup-steps 5 --minimize-steps 20 --trace-every 5 --seed " +
                              std::to_string(test::freshSeed() % 100000) + " --out " + out);
  ASSERT_EQ(r.exitCode, 0) << r.out << r.err;
  const nlohmann::json rep = nlohmann::json::parse(readTextFile(out));
  std::set<std::string> configs;
  for (const auto& run : rep["runs"]) {
    SCOPED_TRACE(run["id"].get<std::string>());
    ASSERT_EQ(run["status"], "ok") << run["message"];
    const auto& md = run["measurements"]["md"];
    EXPECT_GT(md["ns_per_day"].get<double>(), 0);
    EXPECT_EQ(md["openmm"]["platform"], "CPU");
    const std::string c = run["configuration"];
    configs.insert(c);
    if (c == "mlff") {
      EXPECT_EQ(md["atoms"], 103);
      EXPECT_TRUE(run["measurements"]["stages"].contains("descriptor"));  // the potential's ranges inside OpenMM
    } else {
      EXPECT_GT(md["atoms"].get<int>(), 1000);  // solvated by gmx solvate
      EXPECT_GT(md["openmm"]["solvent_atoms"].get<int>(), 1000);
    }
    if (c == "cml") {
      EXPECT_EQ(md["openmm"]["system"]["mechanical_embedding"]["ml_atoms"], 103);
      EXPECT_EQ(md["openmm"]["system"]["mechanical_embedding"]["ml_pairs_zeroed"], 103 * 102 / 2);
    }
  }
  EXPECT_EQ(configs, (std::set<std::string>{"cff", "mlff", "cml"}));
}
