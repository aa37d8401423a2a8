// The MD recorder every engine feeds: one refusal of a bad protocol through every engine, one
// wording of a blow-up whichever engine reports it (the native and OpenMM engines stepping, the
// GROMACS engine's md.log), the trace, frames and production samples it keeps, and the LAMMPS
// driver's fix recording through it.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include "../PhysicsTestUtil.hpp"
#include "backends/EngineRegistry.hpp"
#include "backends/MdRecorder.hpp"
#include "backends/gromacs/GromacsEngine.hpp"
#include "backends/lammps/LammpsEngine.hpp"
#include "core/Subprocess.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "tests/TestUtil.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
/// Springs of stiffness k·scale to each atom's start (scale < 0: the atoms run away).
class SpringPotential : public Potential {
 public:
  SpringPotential(std::vector<Vec3> centres, double scale) : centres_(std::move(centres)), scale_(scale) {}
  std::string model() const override { return "springs"; }
  std::string flavor() const override { return "test"; }
  Precision precision() const override { return Precision::Float64; }
  double cutoff() const override { return 0; }
  void setSystem(const System&) override {}
  EnergyForces compute(const std::vector<Vec3>& x, const std::optional<Box>&, bool) override {
    EnergyForces r;
    for (size_t i = 0; i < x.size(); ++i) {
      r.energy += 0.5 * scale_ * norm2(x[i] - centres_[i]);
      r.forces.push_back((x[i] - centres_[i]) * -scale_);
    }
    return r;
  }
  nlohmann::ordered_json describe() const override { return {{"name", "springs"}}; }

 private:
  std::vector<Vec3> centres_;
  double scale_;
};


/// What `f` throws as T (empty when it throws nothing).
template <class T>
std::string messageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const T& e) {
    return e.what();
  }
  return "";
}

/// Every registered engine that this build can create: a new engine is checked here unedited.
std::vector<std::string> enginesHere() {
  std::vector<std::string> names;
  for (const EngineEntry& e : EngineRegistry::instance().entries()) {
    try {
      e.create({});
    } catch (const std::exception&) {
      continue;  // not in this build (openmm without OpenMM)
    }
    names.push_back(e.name);
  }
  return names;
}

MdOptions quiet() {
  MdOptions md;
  md.steps = 10;
  md.warmupSteps = 4;
  md.traceEvery = 5;
  md.minimizeSteps = 0;
  return md;
}
}  // namespace

TEST(MdRecorder, EveryEngineRefusesABadProtocolWithOneMessage) {
  const System s = test::triAlanine();
  SpringPotential pot(s.positions, 100.0);
  const std::vector<std::function<void(MdOptions&)>> breaks = {[](MdOptions& m) { m.steps = 0; }, [](MdOptions& m) { m.warmupSteps = -1; },
                                                               [](MdOptions& m) { m.timestepFs = 0; }, [](MdOptions& m) { m.temperatureK = 0; },
                                                               [](MdOptions& m) { m.traceEvery = 0; }};
  ASSERT_GE(enginesHere().size(), 3u);  // native, gromacs and lammps are in every build
  for (const auto& spoil : breaks) {
    EngineRequest rq;
    rq.system = &s;
    rq.potential = &pot;
    rq.configuration = Configuration::Mlff;
    spoil(rq.md);
    const std::string want = messageOf<std::invalid_argument>([&] { MdRecorder::checkProtocol(rq.md); });
    ASSERT_NE(want.find("MD options: steps ≥ 1, warm-up ≥ 0, dt > 0, temperature > 0 and trace interval ≥ 1 are required"), std::string::npos);
    for (const std::string& name : enginesHere()) {
      const auto engine = findEngine(name).create({});
      EXPECT_EQ(messageOf<std::invalid_argument>([&] { engine->run(rq); }), want) << name;  // GROMACS's used to let temperature 0 through
    }
  }
}

TEST(MdRecorder, ABlowUpIsNamedTheSameWayWhoeverReportsIt) {
  const System s = test::triAlanine();
  MdOptions md = quiet();
  // A temperature spike and a non-finite energy fed to the recorder: the step, the cause, and the
  // fastest atom when the engine can hand over positions and velocities.
  auto feed = [&](const MdStepRecord& r, const System* atoms) {
    return messageOf<MdBlowUp>([&] { MdRecorder(md, atoms).record(r); });
  };
  const std::string hot = feed({7, -100, 9000, 9000.4, {}, {}}, nullptr);
  EXPECT_EQ(hot, "MD blew up at step 7: temperature 9000 K exceeds 5000 K");
  EXPECT_EQ(feed({3, NAN, 10, 300, {}, {}}, nullptr), "MD blew up at step 3: non-finite energy");
  std::vector<Vec3> v(s.size(), Vec3{0.01, 0, 0});
  v[5] = {3, 0, 0};
  const auto x = [&] { return s.positions; };
  EXPECT_EQ(feed({7, -100, 9000, 9000.4, x, [&] { return v; }}, &s), hot + "; fastest " + s.atomLabel(5));
  EXPECT_EQ(feed({7, -100, 9000, 9000.4, x, []() -> std::vector<Vec3> { throw std::runtime_error("NaN coordinates"); }}, &s), hot);
  EXPECT_EQ(feed({7, -100, 9000, 5000, {}, {}}, nullptr), "");  // at the threshold is not above it

  // The GROMACS engine's md.log with a hot frame: the same words (its temperature is now checked too).
  const std::string path = std::string(MLFFB_SOURCE_DIR) + "/tests/data/gromacs/md-excerpt.log";
  std::string text = readTextFile(path);
  const size_t at = text.find("2.99625e+02");
  ASSERT_NE(at, std::string::npos);
  text.replace(at, 11, "9.00040e+03");
  MdRecorder fromLog(md);
  EXPECT_EQ(messageOf<MdBlowUp>([&] { recordGromacsLog(classical::parseGmxLog(text, path), fromLog); }),
            "MD blew up at step 0: temperature 9000 K exceeds 5000 K");
  MdRecorder calm(md);
  EXPECT_NO_THROW(recordGromacsLog(classical::parseGmxLog(readTextFile(path), path), calm));

  // Two engines stepping runaway springs: the native engine and OpenMM stop with the same words.
  EngineRequest rq;
  rq.system = &s;
  rq.configuration = Configuration::Mlff;
  rq.md = quiet();
  rq.md.steps = 2000;
  rq.md.traceEvery = 1;  // OpenMM reads its state every trace interval
  rq.options = {{"platform", "reference"}};
  for (const std::string& name : enginesHere()) {
    if (!findEngine(name).inProcess) continue;
    SpringPotential runaway(s.positions, -1e6);
    rq.potential = &runaway;
    const std::string w = messageOf<MdBlowUp>([&] { findEngine(name).create(rq.options)->run(rq); });
    EXPECT_EQ(w.rfind("MD blew up at step ", 0), 0u) << name << ": " << w;
    EXPECT_NE(w.find(" K exceeds 5000 K; fastest atom "), std::string::npos) << name << ": " << w;
  }
}

TEST(MdRecorder, KeepsProductionSamplesAndWritesTraceAndFramesAtTraceSteps) {
  const System s = test::triAlanine();
  const std::string dir = test::freshTempDir("mdrecorder");
  MdOptions md = quiet();
  md.tracePath = dir + "/t.csv";
  md.trajectoryPath = dir + "/t.xyz";
  EngineResult out;
  {
    MdRecorder r(md, &s);
    EXPECT_EQ(r.totalSteps(), 14);
    EXPECT_TRUE(r.wantsState(5) && r.wantsState(14) && !r.wantsState(6));
    for (long step = 1; step <= r.totalSteps(); ++step) {
      EXPECT_EQ(r.wantsPositions(step), step % 5 == 0);
      r.record({step, -1.5 * step, 2.0, 300.0 + step, [&] { return s.positions; }, {}});
    }
    EXPECT_FALSE(fs::exists(md.tracePath));  // written whole when the run ends
    r.finish(out);
  }
  ASSERT_EQ(out.timePs.size(), 10u);  // steps 5 … 14: the warm-up's four left out
  EXPECT_DOUBLE_EQ(out.timePs[0], 5 * md.timestepFs * 1e-3);
  EXPECT_DOUBLE_EQ(out.potentialKJPerMol[0], -7.5);
  EXPECT_DOUBLE_EQ(out.temperatureK.back(), 314.0);
  EXPECT_EQ(readFile(md.tracePath),
            "step,time_ps,potential_kj_mol,kinetic_kj_mol,total_kj_mol,temperature_k\n"
            "5,0.0025,-7.5,2,-5.5,305\n10,0.005,-15,2,-13,310\n");
  const std::string frames = readFile(md.trajectoryPath);
  EXPECT_EQ(frames.rfind(std::to_string(s.size()) + "\nstep=5 time_ps=0.0025\n", 0), 0u) << frames;
  EXPECT_NE(frames.find("\nstep=10 time_ps=0.005\n"), std::string::npos);

  // A run that fails keeps what was recorded up to the failure, under the final names.
  md.tracePath = dir + "/failed.csv";
  EXPECT_THROW(
      {
        MdRecorder r(md, &s);
        r.record({5, -1, 2, 300, {}, {}});
        r.record({6, -1, 2, 1e5, {}, {}});
      },
      MdBlowUp);
  EXPECT_EQ(readFile(md.tracePath), "step,time_ps,potential_kj_mol,kinetic_kj_mol,total_kj_mol,temperature_k\n5,0.0025,-1,2,1,300\n");
  fs::remove_all(dir);
}

// The LAMMPS driver's fix feeds the same recorder: rank 0 writes the trace CSV the other engines
// write, the warm-up left out of the samples.
TEST(MdRecorder, TheLammpsDriverRecordsThroughIt) {
  LammpsSettings settings;
  settings.driver = (fs::path(MLFFB_BINARY).parent_path() / "mlff-bench-lammps").string();
  if (const std::string why = lammpsUnavailableReason({{"lammps_driver", settings.driver}}); !why.empty()) GTEST_SKIP() << why;
  const System s = test::triAlanine();
  const std::string dir = test::freshTempDir("mdrecorder-lammps");
  EngineRequest rq;
  rq.system = &s;
  rq.configuration = Configuration::Mlff;
  rq.model.model = "ani2x";
  rq.model.options.flavor = "native";
  rq.md = quiet();
  rq.md.tracePath = dir + "/lammps.csv";
  const EngineResult r = LammpsEngine(settings).run(rq);
  EXPECT_EQ(r.timePs.size(), 10u);
  EXPECT_DOUBLE_EQ(r.timePs.front(), 5 * rq.md.timestepFs * 1e-3);
  const std::string trace = readFile(rq.md.tracePath);
  EXPECT_EQ(trace.rfind("step,time_ps,potential_kj_mol,kinetic_kj_mol,total_kj_mol,temperature_k\n5,0.0025,", 0), 0u) << trace;
  EXPECT_NE(trace.find("\n10,0.005,"), std::string::npos) << trace;
  fs::remove_all(dir);
}
