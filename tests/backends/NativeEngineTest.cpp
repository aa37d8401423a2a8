// Native MD engine: energy conservation (NVE), Langevin temperature, monotone minimisation,
// bit-for-bit restarts, Verlet-list reuse and blow-up detection.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "../PhysicsTestUtil.hpp"
#include "backends/native/NativeEngine.hpp"
#include "profilers/Range.hpp"
#include "profilers/WallClockCollector.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Rng.hpp"
#include "workloads/ModelRegistry.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
const std::string kWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

/// Isotropic springs tying each atom to a fixed centre: exact equipartition, cheap.
class HarmonicPotential : public Potential {
 public:
  HarmonicPotential(std::vector<Vec3> centres, double k) : centres_(std::move(centres)), k_(k) {}
  std::string model() const override { return "harmonic"; }
  std::string flavor() const override { return "test"; }
  Precision precision() const override { return Precision::Float64; }
  double cutoff() const override { return 0; }
  void setSystem(const System&) override {}
  EnergyForces compute(const std::vector<Vec3>& x, const std::optional<Box>&, bool) override {
    EnergyForces r;
    r.forces.resize(x.size());
    for (size_t i = 0; i < x.size(); ++i) {
      const Vec3 d = x[i] - centres_[i];
      r.energy += 0.5 * k_ * norm2(d) * scale;
      r.forces[i] = d * (-k_ * scale);
    }
    if (poisonAfter >= 0 && ++calls > poisonAfter) r.energy = NAN;
    return r;
  }
  nlohmann::ordered_json describe() const override { return {{"name", "harmonic"}}; }
  double scale = 1.0;
  int poisonAfter = -1, calls = 0;

 private:
  std::vector<Vec3> centres_;
  double k_;
};

std::unique_ptr<Potential> ani(Precision p) {
  PotentialOptions o;
  o.flavor = "native";
  o.precision = p;
  o.options["weights"] = kWeights;
  return createPotential("ani2x", o);
}

/// Runs the engine as the harness does: a typed request, the per-step wall clock attached, the
/// shared summary.
nlohmann::ordered_json runMd(const System& s, Potential& pot, const MdOptions& o) {
  EngineRequest rq;
  rq.system = &s;
  rq.md = o;
  rq.potential = &pot;
  profilers::WallClockCollector clock;
  profilers::ScopedCollector attached(&clock);
  const EngineResult r = NativeEngine().run(rq);
  return mdSummary(rq, r, clock.samples().count("md_step") ? clock.samples().at("md_step") : std::vector<double>{});
}

System gas(int n, std::uint64_t seed) {
  Rng rng(seed);
  System s;
  static const int els[] = {1, 6, 7, 8};
  for (int i = 0; i < n; ++i) {
    const int z = els[i % 4];
    s.addAtom(Atom{z, "X", "GAS", i + 1, 'A', false}, Vec3{rng.uniform(0, 20), rng.uniform(0, 20), rng.uniform(0, 20)});
  }
  return s;
}
}  // namespace

TEST(NativeEngine, NveConservesEnergyWithAni2xFloat64) {
  const System s = test::triAlanine();
  ASSERT_EQ(s.size(), 33u);
  auto pot = ani(Precision::Float64);
  MdOptions o;
  o.integrator = Integrator::Nve;
  o.steps = 2000;
  o.warmupSteps = 0;
  o.timestepFs = 0.5;
  o.minimizeSteps = 200;
  o.minimizeToleranceKJPerMolA = 5.0;
  const auto r = runMd(s, *pot, o);
  const double drift = r["energy_drift_kj_mol_ps_atom"].get<double>();
  RecordProperty("drift_float64", std::to_string(drift));
  EXPECT_LT(std::abs(drift), 0.01) << r.dump();
  EXPECT_GT(r["mean_temperature_k"].get<double>(), 50.0);
  EXPECT_GT(r["neighbor_rebuilds"].get<int>(), 0);
  EXPECT_GT(r["ns_per_day"].get<double>(), 0.0);
}

TEST(NativeEngine, NveDriftIsReportedInFloat32) {
  auto pot = ani(Precision::Float32);
  MdOptions o;
  o.integrator = Integrator::Nve;
  o.steps = 400;
  o.warmupSteps = 0;
  o.minimizeSteps = 50;
  const auto r = runMd(test::triAlanine(), *pot, o);
  ASSERT_TRUE(r.contains("energy_drift_kj_mol_ps_atom"));
  EXPECT_TRUE(std::isfinite(r["energy_drift_kj_mol_ps_atom"].get<double>()));
  RecordProperty("drift_float32", std::to_string(r["energy_drift_kj_mol_ps_atom"].get<double>()));
}

TEST(NativeEngine, LangevinHoldsTheTargetTemperature) {
  const System s = gas(100, 3);
  HarmonicPotential pot(s.positions, 50.0);
  MdOptions o;
  o.integrator = Integrator::Langevin;
  o.frictionPerPs = 5.0;
  o.temperatureK = 300;
  o.steps = 40000;
  o.warmupSteps = 2000;
  o.minimizeSteps = 0;
  o.timestepFs = 1.0;
  const auto r = runMd(s, pot, o);
  EXPECT_NEAR(r["mean_temperature_k"].get<double>(), 300.0, 0.05 * 300.0);
  // Without friction the same start conserves energy (the integrator's NVE limit).
  o.integrator = Integrator::Nve;
  o.steps = 5000;
  const auto n = runMd(s, pot, o);
  EXPECT_LT(std::abs(n["energy_drift_kj_mol_ps_atom"].get<double>()), 1e-3);
}

TEST(NativeEngine, MinimizationLowersEnergyMonotonicallyToTolerance) {
  System s = test::triAlanine();
  Rng rng(11);
  for (auto& p : s.positions) p += Vec3{rng.normal(), rng.normal(), rng.normal()} * 0.1;
  auto pot = ani(Precision::Float64);
  pot->setSystem(s);
  std::vector<Vec3> x = s.positions;
  const MinimizationResult m = NativeEngine::minimize(*pot, x, std::nullopt, 1000, 1.0);
  ASSERT_GT(m.energies.size(), 5u);
  for (size_t i = 1; i < m.energies.size(); ++i) EXPECT_LE(m.energies[i], m.energies[i - 1]) << "iteration " << i;
  EXPECT_TRUE(m.converged) << "max force " << m.finalMaxForce << " after " << m.steps;
  EXPECT_LE(m.finalMaxForce, 1.0);
  EXPECT_LT(m.energies.back(), m.energies.front() - 10.0);
}

TEST(NativeEngine, SameSeedReproducesTheTrajectoryBitForBit) {
  const std::string dir = (fs::temp_directory_path() / ("mlffb-md-" + std::to_string(::getpid()))).string();
  fs::create_directories(dir);
  auto runOnce = [&](std::uint64_t seed, const std::string& tag) {
    auto pot = ani(Precision::Float32);
    MdOptions o;
    o.steps = 150;
    o.warmupSteps = 0;
    o.minimizeSteps = 20;
    o.seed = seed;
    o.traceEvery = 10;
    o.trajectoryPath = dir + "/" + tag + ".xyz";
    o.tracePath = dir + "/" + tag + ".csv";
    runMd(test::triAlanine(), *pot, o);
    return readFile(o.trajectoryPath) + readFile(o.tracePath);
  };
  const std::string a = runOnce(5, "a"), b = runOnce(5, "b"), c = runOnce(6, "c");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_FALSE(fs::exists(dir + "/a.xyz.partial"));
  EXPECT_NE(readFile(dir + "/a.csv").find("step,time_ps,potential_kj_mol"), std::string::npos);
  fs::remove_all(dir);
}

TEST(NativeEngine, VerletListGivesTheSameForcesAsFreshSearch) {
  const System s = test::triAlanine();
  auto listed = ani(Precision::Float64), fresh = ani(Precision::Float64);
  listed->setSystem(s);
  fresh->setSystem(s);
  ASSERT_TRUE(listed->acceptsNeighborList());
  listed->buildNeighborList(s.positions, std::nullopt, 1.0);
  Rng rng(std::random_device{}());
  std::vector<Vec3> moved = s.positions;
  for (auto& p : moved) p += Vec3{rng.uniform(-0.28, 0.28), rng.uniform(-0.28, 0.28), rng.uniform(-0.28, 0.28)};
  const auto a = listed->compute(moved, std::nullopt, true), b = fresh->compute(moved, std::nullopt, true);
  EXPECT_EQ(a.energy, b.energy);
  for (size_t i = 0; i < s.size(); ++i) EXPECT_LT(norm(a.forces[i] - b.forces[i]), 1e-9);
}

TEST(NativeEngine, BlowUpStopsWithStepAndAtom) {
  const System s = gas(20, 4);
  HarmonicPotential pot(s.positions, 50.0);
  pot.scale = -1e6;  // repulsive springs: positions run away
  MdOptions o;
  o.minimizeSteps = 0;
  o.steps = 1000;
  o.warmupSteps = 0;
  try {
    runMd(s, pot, o);
    FAIL() << "no blow-up detected";
  } catch (const MdBlowUp& e) {
    const std::string w = e.what();
    EXPECT_NE(w.find("MD blew up at step "), std::string::npos) << w;
    EXPECT_NE(w.find("fastest atom "), std::string::npos) << w;
  }
  HarmonicPotential nan(s.positions, 50.0);
  nan.poisonAfter = 10;
  EXPECT_THROW(runMd(s, nan, o), MdBlowUp);
  // Configurations other than mlff are refused by the native engine itself, too.
  EngineRequest rq;
  rq.system = &s;
  rq.potential = &nan;
  rq.configuration = Configuration::Cml;
  EXPECT_THROW(NativeEngine().run(rq), std::invalid_argument);
}

#ifdef MLFFB_HAVE_CUDA_TESTS
#include <cuda_runtime.h>

namespace {
/// The same potential with its device interface hidden: the engine then keeps the state on the host.
class HostOnly : public Potential {
 public:
  explicit HostOnly(Potential& p) : p_(p) {}
  std::string model() const override { return p_.model(); }
  std::string flavor() const override { return p_.flavor(); }
  Device device() const override { return p_.device(); }
  Precision precision() const override { return p_.precision(); }
  double cutoff() const override { return p_.cutoff(); }
  void setSystem(const System& s) override { p_.setSystem(s); }
  EnergyForces compute(const std::vector<Vec3>& x, const std::optional<Box>& box, bool f) override { return p_.compute(x, box, f); }
  nlohmann::ordered_json describe() const override { return p_.describe(); }
  bool acceptsNeighborList() const override { return p_.acceptsNeighborList(); }
  void buildNeighborList(const std::vector<Vec3>& x, const std::optional<Box>& box, double skin) override { p_.buildNeighborList(x, box, skin); }
  void clearNeighborList() override { p_.clearNeighborList(); }

 private:
  Potential& p_;
};
}  // namespace

TEST(NativeEngine, DeviceResidentStateFollowsTheHostStateOnCuda) {
  int devices = 0;
  if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
    cudaGetLastError();
    GTEST_SKIP() << "no CUDA device visible";
  }
  const System s = test::triAlanine();
  PotentialOptions po;
  po.flavor = "native";
  po.device = Device::parse("cuda");
  po.precision = Precision::Float64;
  po.options["weights"] = "random";
  auto pot = createPotential("ani2x", po);
  ASSERT_NE(pot->deviceResident(), nullptr);
  HostOnly hostOnly(*pot);
  MdOptions o;
  o.integrator = Integrator::Nve;
  o.steps = 100;
  o.warmupSteps = 0;
  o.minimizeSteps = 0;
  auto run = [&](Potential& p) {
    EngineRequest rq;
    rq.system = &s;
    rq.md = o;
    rq.potential = &p;
    return NativeEngine().run(rq);
  };
  const EngineResult device = run(*pot), host = run(hostOnly);
  EXPECT_EQ(device.extra["state_on"], "device");
  EXPECT_EQ(host.extra["state_on"], "host");
  ASSERT_EQ(device.potentialKJPerMol.size(), host.potentialKJPerMol.size());
  for (size_t k = 0; k < host.potentialKJPerMol.size(); ++k) {
    EXPECT_NEAR(device.potentialKJPerMol[k], host.potentialKJPerMol[k], 1e-8 * std::abs(host.potentialKJPerMol[k])) << "step " << k + 1;
    EXPECT_NEAR(device.kineticKJPerMol[k], host.kineticKJPerMol[k], 1e-8 * (1 + host.kineticKJPerMol[k])) << "step " << k + 1;
  }
  EXPECT_EQ(device.neighborRebuilds, host.neighborRebuilds);
}
#endif
