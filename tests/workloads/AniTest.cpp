// ANI-2x: one test body run against every available flavour (native, torch) — TorchANI's
// reference values, flavour agreement on larger random structures, cutoffs and bad input. The
// properties every Potential must have (reference, forces, invariances, triclinic cells) are in
// tests/conformance.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "../PhysicsTestUtil.hpp"
#include "core/Units.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"
#include "profilers/Range.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniNative.hpp"
#include "workloads/ani2x/AniWorkload.hpp"

using namespace mlffb;
namespace fs = std::filesystem;

namespace {
constexpr double kHa = units::kKJPerMolPerHartree;
const std::string kWeights = std::string(MLFFB_SHARED_DIR) + "/models/ani-2x_8x";

/// Our flavours, which compute one function: a peer whose results lie from it by design
/// (ani2x/torchani, TorchANI's float32 constants) is checked in TorchaniPeerTest.cpp instead.
std::vector<std::string> flavours() {
  std::vector<std::string> f;
  for (const ModelEntry* e : flavorsOf("ani2x"))
    if (e->available() && e->float64Residual.energy == 0 && e->float64Residual.forces == 0) f.push_back(e->flavor);
  return f;
}

std::unique_ptr<Potential> make(const std::string& flavor, Precision p, bool realWeights, std::uint64_t seed = 7,
                                int member = -1) {
  PotentialOptions o;
  o.flavor = flavor;
  o.precision = p;
  o.seed = seed;
  if (realWeights) o.options["weights"] = kWeights;
  if (member >= 0) o.options["member"] = std::to_string(member);
  return createPotential("ani2x", o);
}

System molecule(const std::vector<int>& elements, const std::vector<Vec3>& pos) {
  System s;
  for (size_t i = 0; i < elements.size(); ++i)
    s.addAtom(Atom{elements[i], elementInfo(elements[i]).symbol, "MOL", 1, 'A', false}, pos[i]);
  return s;
}

/// Random cluster at organic density, no pair closer than 0.95 Å: all seven ANI-2x elements, or
/// only H, C, N, O (as in proteins; the native flavour then drops the absent AEV columns).
System randomCluster(int n, std::uint64_t seed, bool allElements = true) {
  static const std::vector<int> all{1, 1, 1, 1, 6, 6, 6, 7, 8, 16, 9, 17};
  static const std::vector<int> hcno{1, 1, 1, 1, 6, 6, 6, 7, 8, 1, 6, 8};
  return test::randomCluster(n, seed, allElements ? all : hcno, 0.08, 0.95);
}

double relForceError(const std::vector<Vec3>& a, const std::vector<Vec3>& b) { return relativeForceError(a, b); }

using test::freshSeed;

class Ani : public ::testing::TestWithParam<std::string> {};
}  // namespace

TEST_P(Ani, MethaneMatchesReferenceFloat64) {
  const System s = molecule({6, 1, 1, 1, 1}, {{0.03192167, 0.00638559, 0.01301679},
                                              {-0.83140486, 0.39370209, -0.26395324},
                                              {-0.66518241, -0.84461308, 0.20759389},
                                              {0.45554739, 0.54289633, 0.81170881},
                                              {0.66091919, -0.16799635, -0.91037834}});
  const double refE = -40.45979073250112;
  const Vec3 refF[5] = {{0.0477725178, -0.1303947840, -0.0551437296}, {-0.1353465944, 0.1581048169, -0.0776067707},
                        {0.0804034852, -0.0388152278, 0.0386635926}, {0.0254485734, 0.0075558379, 0.0433013098},
                        {-0.0182779821, 0.0035493571, 0.0507855978}};
  auto p = make(GetParam(), Precision::Float64, true);
  p->setSystem(s);
  const EnergyForces r = p->compute(s.positions, std::nullopt, true);
  EXPECT_NEAR(r.energy / kHa, refE, 1e-6 * std::abs(refE));
  for (int i = 0; i < 5; ++i)
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(r.forces[i][k] / kHa, refF[i][k], 1e-6) << "atom " << i << " axis " << k;
}

TEST_P(Ani, DiatomicsMemberZeroMatchTorchAni) {
  const double kcal = 627.5094738898778;
  const std::pair<int, double> cases[] = {{9, -125100.7767}, {16, -499666.2438}, {8, -94191.3520}, {17, -577504.1852}};
  for (auto [z, ref] : cases) {
    auto p = make(GetParam(), Precision::Float64, true, 0, 0);
    const System s = molecule({z, z}, {{0, 0, 0}, {2.0, 0, 0}});
    p->setSystem(s);
    EXPECT_NEAR(p->compute(s.positions, std::nullopt, false).energy / kHa * kcal, ref, 2e-4) << elementInfo(z).symbol;
  }
}

TEST_P(Ani, AgreesWithNativeOnFreshRandomStructures) {
  if (GetParam() == "native") GTEST_SKIP() << "reference flavour";
  for (int n : {5, 37, 120, 300}) {
    const std::uint64_t seed = freshSeed();
    SCOPED_TRACE("atoms " + std::to_string(n) + " seed " + std::to_string(seed));
    const System s = randomCluster(n, seed, n % 2 == 0);
    for (Precision prec : {Precision::Float64, Precision::Float32}) {
      auto a = make(GetParam(), prec, true), b = make("native", prec, true);
      a->setSystem(s);
      b->setSystem(s);
      const EnergyForces ra = a->compute(s.positions, std::nullopt, true), rb = b->compute(s.positions, std::nullopt, true);
      if (prec == Precision::Float64) {
        EXPECT_NEAR(ra.energy, rb.energy, 1e-9 * std::abs(rb.energy));
        // Autograd and the analytic backward sum in different orders: ~1e-8 measured.
        EXPECT_LT(relForceError(ra.forces, rb.forces), 1e-7);
      } else {
        EXPECT_NEAR(ra.energy, rb.energy, 1e-5 * std::abs(rb.energy));
        EXPECT_LT(relForceError(ra.forces, rb.forces), 1e-4);
      }
    }
  }
}

TEST_P(Ani, AtomsBeyondBothCutoffsContributeOnlyTheirIsolatedEnergy) {
  // An atom with no neighbour inside 5.1 Å has a zero AEV: its energy is its self energy plus the
  // network's output for a zero AEV, the same as the atom alone, and it feels no force.
  auto p = make(GetParam(), Precision::Float64, true);
  const System a = randomCluster(12, 1);
  System ab = a;
  ab.addAtom(Atom{17, "Cl", "MOL", 2, 'A', false}, Vec3{40, 0, 0});
  const System cl = molecule({17}, {{40, 0, 0}});
  p->setSystem(a);
  const EnergyForces ra = p->compute(a.positions, std::nullopt, true);
  p->setSystem(cl);
  const double ecl = p->compute(cl.positions, std::nullopt, false).energy;
  p->setSystem(ab);
  const EnergyForces rab = p->compute(ab.positions, std::nullopt, true);
  EXPECT_NEAR(rab.energy, ra.energy + ecl, 1e-12 * std::abs(rab.energy));
  EXPECT_EQ(rab.forces.back(), Vec3{});
  for (size_t i = 0; i < a.size(); ++i) EXPECT_LT(norm(rab.forces[i] - ra.forces[i]), 1e-9 * (1 + norm(ra.forces[i])));
  // Just outside the radial cutoff two atoms are independent; just inside they are not.
  const System c = molecule({6}, {{0, 0, 0}});
  p->setSystem(c);
  const double ec = p->compute(c.positions, std::nullopt, false).energy;
  const System in = molecule({6, 6}, {{0, 0, 0}, {5.05, 0, 0}}), out = molecule({6, 6}, {{0, 0, 0}, {5.15, 0, 0}});
  p->setSystem(out);
  EXPECT_NEAR(p->compute(out.positions, std::nullopt, false).energy, 2 * ec, 1e-12 * std::abs(ec));
  p->setSystem(in);
  EXPECT_GT(std::abs(p->compute(in.positions, std::nullopt, false).energy - 2 * ec), 1e-9);
}

TEST_P(Ani, RejectsUnsupportedElementNamingTheAtom) {
  auto p = make(GetParam(), Precision::Float32, false);
  System s = molecule({6, 11, 8}, {{0, 0, 0}, {2, 0, 0}, {4, 0, 0}});
  s.atoms[1].name = "NA";
  try {
    p->setSystem(s);
    FAIL() << "Na accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("element Na (atom 2, NA"), std::string::npos) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Flavours, Ani, ::testing::ValuesIn(flavours()));

TEST(AniWeights, MissingOrMalformedFolderIsNamed) {
  auto err = [](const std::string& dir) {
    try {
      ani::loadNeuroChemModel(dir);
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(err("/nonexistent/ani").find("/nonexistent/ani: weights folder not found"), std::string::npos);
  // A copy with one network file truncated.
  const fs::path tmp = fs::temp_directory_path() / ("mlffb-ani-" + std::to_string(::getpid()));
  fs::remove_all(tmp);
  fs::copy(kWeights, tmp, fs::copy_options::recursive);
  fs::permissions(tmp, fs::perms::owner_all, fs::perm_options::add);
  for (auto& e : fs::recursive_directory_iterator(tmp)) fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add);
  const fs::path w = tmp / "train3" / "networks" / "ANN-O.nnf-l2.wparam";
  fs::resize_file(w, 100);
  EXPECT_NE(err(tmp.string()).find("ANN-O.nnf-l2.wparam: expected"), std::string::npos) << err(tmp.string());
  fs::remove(tmp / "train5" / "networks" / "ANN-S.nnf");
  fs::copy_file(fs::path(kWeights) / "train3" / "networks" / "ANN-O.nnf-l2.wparam", w, fs::copy_options::overwrite_existing);
  EXPECT_NE(err(tmp.string()).find("ANN-S.nnf: network file not found"), std::string::npos) << err(tmp.string());
  fs::remove(tmp / "sae_linfit.dat");
  EXPECT_NE(err(tmp.string()).find("sae_linfit.dat: cannot open"), std::string::npos) << err(tmp.string());
  fs::remove_all(tmp);
}

namespace {
/// A kernel set that only records what the stage driver asks of it, in one log with the ranges a
/// collector sees end: it claims a device stream, as a set on a GPU does.
class RecordingKernelSet final : public ani::AniKernelSet {
 public:
  explicit RecordingKernelSet(std::vector<std::string>& log) : log_(log) {}
  void bind(const std::vector<int>&, size_t) override {}
  void neighbors(const std::vector<Vec3>&, const std::optional<Box>&) override { log_.push_back("queue neighbors"); }
  void descriptor() override { log_.push_back("queue descriptor"); }
  double networks() override {
    log_.push_back("networks (waits)");
    return 0;
  }
  void backward(std::vector<Vec3>& f) override {
    log_.push_back("backward (waits)");
    f.assign(1, Vec3{});
  }
  ani::AniWorkCounts counts() const override { return {}; }
  void buildVerletList(const std::vector<Vec3>&, const std::optional<Box>&, double) override {}
  void clearVerletList() override {}
  void* deviceStream() const override { return const_cast<RecordingKernelSet*>(this); }
  void synchronize() override { log_.push_back("sync"); }

 private:
  std::vector<std::string>& log_;
};

class RangeLog final : public profilers::Collector {
 public:
  explicit RangeLog(std::vector<std::string>& log) : log_(log) {}
  std::string name() const override { return "range-log"; }
  void rangeEnd(const char* name) override { log_.push_back(std::string("end ") + name); }
  nlohmann::ordered_json fragment() const override { return {}; }

 private:
  std::vector<std::string>& log_;
};
}  // namespace

// A kernel set on a device queues the neighbour and AEV work: each of those ranges waits for it
// before it ends, so its time is not booked to the energy stage.
TEST(AniNativeStages, RangesOfAQueuingKernelSetWaitForItsWork) {
  std::vector<std::string> log;
  PotentialOptions o;
  o.flavor = "native";
  auto pot = makeAniNative(ani::randomAniModel(3), o, std::make_unique<RecordingKernelSet>(log));
  System s = molecule({6}, {Vec3{0, 0, 0}});
  pot->setSystem(s);
  RangeLog ranges(log);
  profilers::ScopedCollector attached(&ranges);
  {
    profilers::MeasuredSection measured;
    pot->compute(s.positions, s.box, true);
  }
  const std::vector<std::string> want{"queue neighbors", "sync", "end neighbors", "queue descriptor", "sync", "end descriptor",
                                      "networks (waits)", "end energy", "backward (waits)", "end forces"};
  EXPECT_EQ(log, want);
}
