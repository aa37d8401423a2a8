// Conformance of every Potential: one test body per property, instantiated from the model
// registry over every available flavour × device × precision (the NNPOps habit), so a new
// flavour, kernel set or device gets them without a line here. Properties: agreement with the
// model's independent float64 reference (open and triclinic periodic), agreement between the
// flavours of a model, forces = −∇E (finite differences), invariance under rotation, translation
// and permutation, periodic images, the choice of reduced basis of a triclinic cell, and
// extensivity over a supercell. A CUDA instance skips when no device is visible.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "../PhysicsTestUtil.hpp"
#include "harness/Plan.hpp"
#include "systems/Rng.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"

using namespace mlffb;

namespace {

struct Case {
  const ModelEntry* entry;
  Device device;
  Precision precision;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& e : ModelRegistry::instance().entries()) {
    if (e.model == "*" || !e.available()) continue;  // torchscript needs an exported model of its own
    const Capabilities c = e.capabilities();
    if (!c.supports(Configuration::Mlff)) continue;  // evaluated only inside an engine (the classical force field)
    for (DeviceKind k : c.devices)
      for (Precision p : c.precisions)
        if (c.supports(k, p)) out.push_back({&e, Device{k, -1}, p});
  }
  return out;
}

std::string caseName(const ::testing::TestParamInfo<Case>& info) {
  std::string n = info.param.entry->model + "_" + info.param.entry->flavor + "_" + toString(info.param.device.kind) + "_" +
                  toString(info.param.precision);
  for (auto& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

/// What random structures a model is tested on, and the options that keep it quick.
struct ModelSetup {
  std::vector<int> elements;  // atomic numbers drawn (repeated to weight them)
  OptionValues options;
  double density = 0.08;      // atoms/Å³
  double minDistance = 0.95;  // Å
  /// The seed of the model's random weights when it must not follow the test's fresh seed: a peer
  /// whose file is exported (and cached) per seed; 0: the fresh seed.
  std::uint64_t weightsSeed = 0;
};

ModelSetup setupFor(const ModelEntry& e) {
  ModelSetup s;
  if (e.model == "ani2x") {
    s.elements = {1, 1, 1, 1, 6, 6, 6, 7, 8, 16, 9, 17};
  } else if (e.model == "et") {
    s.elements = {1, 1, 1, 6, 6, 7, 8, 16};
    s.options = {{"hidden_channels", "32"}, {"num_layers", "2"}, {"num_rbf", "16"}, {"num_heads", "4"}};
    s.density = 0.06;
    s.minDistance = 1.0;
  } else if (e.model == "mace") {
    s.elements = {1, 1, 1, 1, 6, 6, 6, 7, 8, 16};
    s.options = {{"mace_preset", "small"}};  // MACE-OFF23 small: the same code paths, quickest
    s.density = 0.05;                          // fewer pairs within its 5 Å (each test ≲ 20 s here)
    s.weightsSeed = 7;                         // one exported file per precision serves every run
  } else {
    s.elements = {1, 1, 6, 8};
  }
  if (e.physicalDefaults)
    for (const auto& [k, v] : e.physicalDefaults()) s.options.emplace(k, v);
  return s;
}

/// Energies: relative tolerance (plus a small absolute one); forces: relative error of the
/// whole force field, per precision. float32, measured on this suite's structures: energies
/// within 4e-7 relative (self energies dominate ANI's totals), forces within 1.1e-5; the bounds
/// are 5–10× that.
struct Tolerance {
  double energy, energyAbs, forces;
};
Tolerance tolerance(const Case& c) {
  if (c.precision == Precision::Float64) return {1e-9, 1e-6, 1e-7};
  // Tensor-core products: tf32 keeps 10 mantissa bits, bf16 7, against float32's 23 (bounds set
  // from the unit roundoff of the products, not yet measured on a device).
  if (c.precision == Precision::Tf32) return {2e-4, 0.5, 2e-2};
  if (c.precision == Precision::Bf16) return {2e-3, 5.0, 1e-1};
  return {2e-6, 1e-3, 1e-4};
}


/// The bounds between flavour `a` and flavour `b` (or b's reference): in float64 no tighter than
/// what either declares its results lie from the model's by design (ModelEntry::float64Residual).
Tolerance between(Tolerance t, Precision p, const ModelEntry& a, const ModelEntry& b) {
  if (p != Precision::Float64) return t;
  t.energy = std::max({t.energy, a.float64Residual.energy, b.float64Residual.energy});
  t.forces = std::max({t.forces, a.float64Residual.forces, b.float64Residual.forces});
  return t;
}

/// The same energy and forces within the tolerance.
void expectSame(const EnergyForces& got, const EnergyForces& want, const Tolerance& tol, const std::string& what) {
  EXPECT_NEAR(got.energy, want.energy, tol.energy * std::abs(want.energy) + tol.energyAbs) << what;
  EXPECT_LT(relativeForceError(got.forces, want.forces), tol.forces) << what;
}

class Conformance : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const Case& c = GetParam();
    if (const std::string why = deviceUnavailableReason(c.device); !why.empty()) GTEST_SKIP() << why;
    setup_ = setupFor(*c.entry);
    tol_ = tolerance(c);
    seed_ = test::freshSeed();
    RecordProperty("seed", std::to_string(seed_));
  }
  /// "seed N": failures name it, MLFFB_TEST_SEED=N reproduces them.
  std::string seedNote() const { return "seed " + std::to_string(seed_); }
  PotentialOptions options(const Case& c, Precision p, std::uint64_t seed) const {
    PotentialOptions o;
    o.flavor = c.entry->flavor;
    o.device = c.device;
    o.precision = p;
    o.seed = setup_.weightsSeed ? setup_.weightsSeed : seed;
    o.options = setup_.options;
    return o;
  }
  std::unique_ptr<Potential> make(Precision p, std::uint64_t seed = 7) const {
    return createPotential(GetParam().entry->model, options(GetParam(), p, seed));
  }
  System cluster(int n, std::uint64_t seed) const {
    return test::randomCluster(n, seed, setup_.elements, setup_.density, setup_.minDistance);
  }
  /// Atoms at the setup's density filling a triclinic cell whose widths exceed twice the cutoff.
  System periodic(const Box& box, std::uint64_t seed) const {
    Rng rng(seed);
    System s;
    s.box = box;
    const int n = static_cast<int>(setup_.density * box.volume());
    while (static_cast<int>(s.size()) < n) {
      const Vec3 p = box.toCartesian(Vec3{rng.uniform(), rng.uniform(), rng.uniform()});
      bool ok = true;
      for (const auto& q : s.positions) ok = ok && norm(box.minimumImage(q - p)) > setup_.minDistance;
      if (!ok) continue;
      const int z = setup_.elements[rng.uniformInt(0, static_cast<int>(setup_.elements.size()) - 1)];
      s.addAtom(Atom{z, "X", "MOL", 1, 'A', false}, p);
    }
    return s;
  }
  /// A triclinic cell in reduced form at the edges of reduction (bx = ax/2, cx = ax/2, cy = by/2),
  /// so other reduced bases of the same lattice exist. Widths above 2 × 5.1 Å.
  static Box edgeCell() { return Box{{13.0, 0, 0}, {6.5, 12.5, 0}, {6.5, 6.25, 12.0}}; }

  ModelSetup setup_;
  Tolerance tol_{};
  std::uint64_t seed_ = 0;
};

TEST_P(Conformance, MatchesTheFloat64Reference) {
  const Case& c = GetParam();
  if (!c.entry->reference) GTEST_SKIP() << c.entry->name << " declares no reference";
  SCOPED_TRACE(seedNote());
  auto ref = c.entry->reference(options(c, Precision::Float64, seed_));
  auto pot = make(c.precision, seed_);
  for (const System& s : {cluster(24, seed_), periodic(edgeCell(), seed_)}) {
    SCOPED_TRACE(s.box ? "triclinic periodic" : "open");
    ref->setSystem(s);
    pot->setSystem(s);
    const double want = ref->compute(s.positions, s.box, false).energy;
    const double got = pot->compute(s.positions, s.box, true).energy;
    const Tolerance tol = between(tol_, c.precision, *c.entry, *c.entry);
    EXPECT_NEAR(got, want, tol.energy * std::abs(want) + tol.energyAbs);
  }
}

TEST_P(Conformance, AgreesWithTheModelsOtherFlavours) {
  const Case& c = GetParam();
  std::vector<const ModelEntry*> others;
  for (const ModelEntry* other : flavorsOf(c.entry->model))
    if (other != c.entry && other->available()) others.push_back(other);
  if (others.empty()) GTEST_SKIP() << c.entry->model << " has one flavour";
  SCOPED_TRACE(seedNote());
  const System s = cluster(120, seed_);
  auto pot = make(c.precision, seed_);
  pot->setSystem(s);
  const EnergyForces mine = pot->compute(s.positions, std::nullopt, true);
  for (const ModelEntry* other : others) {
    PotentialOptions o = options(c, Precision::Float64, seed_);
    o.flavor = other->flavor;
    o.device = Device::cpu();
    auto theirs = createPotential(c.entry->model, o);
    theirs->setSystem(s);
    const EnergyForces r = theirs->compute(s.positions, std::nullopt, true);
    const Tolerance tol = between(tol_, c.precision, *c.entry, *other);
    EXPECT_NEAR(mine.energy, r.energy, tol.energy * std::abs(r.energy) + tol.energyAbs) << other->name;
    // Autograd and analytic backward sum in different orders: ~1e-8 measured in float64.
    EXPECT_LT(relativeForceError(mine.forces, r.forces), tol.forces) << other->name;
  }
}

TEST_P(Conformance, ForcesAreMinusTheEnergyGradient) {
  const Case& c = GetParam();
  SCOPED_TRACE(seedNote());
  const System s = cluster(20, seed_);
  if (c.precision != Precision::Float64) {
    // float32 (tf32, bf16): forces against the same flavour's float64 forces (finite differences
    // in float32 measure round-off, not the gradient).
    auto p32 = make(c.precision, seed_), p64 = make(Precision::Float64, seed_);
    p32->setSystem(s);
    p64->setSystem(s);
    EXPECT_LT(relativeForceError(p32->compute(s.positions, std::nullopt, true).forces, p64->compute(s.positions, std::nullopt, true).forces),
              tolerance(c).forces);
    return;
  }
  auto p = make(Precision::Float64, seed_);
  p->setSystem(s);
  const EnergyForces r = p->compute(s.positions, std::nullopt, true);
  const double h = 2e-5;  // five-point stencil: truncation ~h^4, rounding ~|E| eps / h
  Rng rng(seed_);
  auto energyAt = [&](int i, int k, double dx) {
    auto x = s.positions;
    x[i][k] += dx;
    return p->compute(x, std::nullopt, false).energy;
  };
  for (int t = 0; t < 10; ++t) {
    const int i = rng.uniformInt(0, static_cast<int>(s.size()) - 1), k = rng.uniformInt(0, 2);
    const double fd = -(-energyAt(i, k, 2 * h) + 8 * energyAt(i, k, h) - 8 * energyAt(i, k, -h) + energyAt(i, k, -2 * h)) / (12 * h);
    const double rounding = 8 * std::abs(r.energy) * 2.2e-16 / h;
    EXPECT_NEAR(r.forces[i][k], fd, 1e-5 * std::abs(fd) + rounding + 1e-6) << "atom " << i << " axis " << k;
  }
}

TEST_P(Conformance, InvariantUnderRotationTranslationPermutation) {
  const Case& c = GetParam();
  SCOPED_TRACE(seedNote());
  const System s = cluster(60, seed_);
  auto p = make(c.precision, seed_);
  p->setSystem(s);
  const EnergyForces r0 = p->compute(s.positions, std::nullopt, true);
  Rng rng(seed_ ^ 0x9e3779b97f4a7c15ULL);
  const test::Rotation rot = test::randomRotation(rng);
  const Vec3 shift{rng.uniform(-50, 50), rng.uniform(-50, 50), rng.uniform(-50, 50)};
  std::vector<Vec3> moved;
  for (const auto& v : s.positions) moved.push_back(rot(v) + shift);
  EnergyForces rotated = r0;
  for (auto& f : rotated.forces) f = rot(f);
  expectSame(p->compute(moved, std::nullopt, true), rotated, tol_, "rotated and translated");
  const auto [ps, perm] = test::permuted(s, seed_);
  p->setSystem(ps);
  EnergyForces back = r0;
  for (size_t k = 0; k < perm.size(); ++k) back.forces[k] = r0.forces[perm[k]];
  expectSame(p->compute(ps.positions, std::nullopt, true), back, tol_, "permuted");
}

TEST_P(Conformance, PeriodicImagesOfAMoleculeEqualTheMoleculeInVacuum) {
  const Case& c = GetParam();
  SCOPED_TRACE(seedNote());
  const System mol = cluster(20, seed_);
  // A triclinic cell wide enough that the molecule never meets its images; the molecule is put
  // across a corner and wrapped into the cell atom by atom.
  const Box box = Box::fromLengthsAngles(34, 36, 38, 75, 100, 110);
  Vec3 lo{1e9, 1e9, 1e9};
  for (const auto& q : mol.positions)
    for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], q[d]);
  std::vector<Vec3> wrapped;
  for (const auto& q : mol.positions) wrapped.push_back(box.wrap(q - lo - Vec3{3, 2.5, 4}));
  auto p = make(c.precision, seed_);
  p->setSystem(mol);
  expectSame(p->compute(wrapped, box, true), p->compute(mol.positions, std::nullopt, true), tol_, "wrapped into the cell");
}

TEST_P(Conformance, TriclinicEnergyIsTheSameInAnyReducedBasisAndUnderLatticeShifts) {
  const Case& c = GetParam();
  SCOPED_TRACE(seedNote());
  const Box b1 = edgeCell();
  const System s = periodic(b1, seed_);
  // The same lattice written in other reduced bases: b − a, c − a, c − b sit on the other edge.
  const Box b2{b1.a, b1.b - b1.a, b1.c - b1.a};
  const Box b3{b1.a, b1.b, b1.c - b1.b};
  ASSERT_TRUE(b2.isReduced() && b3.isReduced());
  auto p = make(c.precision, seed_);
  p->setSystem(s);
  const EnergyForces r1 = p->compute(s.positions, b1, true);
  expectSame(p->compute(s.positions, b2, true), r1, tol_, "basis a, b − a, c − a");
  expectSame(p->compute(s.positions, b3, true), r1, tol_, "basis a, b, c − b");
  // Atoms moved by whole lattice vectors (unwrapped coordinates) change nothing.
  Rng rng(seed_);
  std::vector<Vec3> shifted;
  for (const auto& q : s.positions) shifted.push_back(q + b1.a * rng.uniformInt(-2, 2) + b1.b * rng.uniformInt(-2, 2) + b1.c * rng.uniformInt(-2, 2));
  expectSame(p->compute(shifted, b1, true), r1, tol_, "atoms shifted by lattice vectors");
}

TEST_P(Conformance, TriclinicSupercellEnergyIsExtensive) {
  const Case& c = GetParam();
  SCOPED_TRACE(seedNote());
  const Box cell = edgeCell();
  const System s = periodic(cell, seed_);
  const System twice = replicate(s, 2, 1, 1);
  auto p = make(c.precision, seed_);
  p->setSystem(s);
  const EnergyForces one = p->compute(s.positions, s.box, true);
  p->setSystem(twice);
  const EnergyForces two = p->compute(twice.positions, twice.box, true);
  EXPECT_NEAR(two.energy, 2 * one.energy, 2 * (tol_.energy * std::abs(one.energy) + tol_.energyAbs));
  for (int half = 0; half < 2; ++half) {
    const auto from = two.forces.begin() + static_cast<long>(half * s.size());
    EXPECT_LT(relativeForceError(std::vector<Vec3>(from, from + static_cast<long>(s.size())), one.forces), tol_.forces) << "copy " << half;
  }
}

/// One rank's view of a periodic system: its owned atoms first, then every lattice image of any
/// atom (other than the owned atoms themselves) within `reach` of an owned atom; `origin` maps
/// each of them back to its atom. What LAMMPS hands the pair style, built by brute force.
struct Subdomain {
  System system;
  std::vector<size_t> origin;
  size_t owned = 0;
};
Subdomain subdomainOf(const System& s, const std::vector<size_t>& owned, double reach) {
  const Box& box = *s.box;
  const int k = static_cast<int>(std::ceil(reach / box.minWidth())) + 1;
  Subdomain d;
  d.owned = owned.size();
  std::vector<bool> isOwned(s.size(), false);
  for (size_t i : owned) {
    isOwned[i] = true;
    d.system.addAtom(s.atoms[i], s.positions[i]);
    d.origin.push_back(i);
  }
  for (size_t j = 0; j < s.size(); ++j)
    for (int a = -k; a <= k; ++a)
      for (int b = -k; b <= k; ++b)
        for (int c = -k; c <= k; ++c) {
          if (isOwned[j] && a == 0 && b == 0 && c == 0) continue;
          const Vec3 p = s.positions[j] + box.a * a + box.b * b + box.c * c;
          bool near = false;
          for (size_t i : owned) near = near || norm(p - s.positions[i]) <= reach;
          if (!near) continue;
          d.system.addAtom(s.atoms[j], p);
          d.origin.push_back(j);
        }
  return d;
}

TEST_P(Conformance, SubdomainsWithGhostsOutToTheReceptiveFieldSumToThePeriodicWhole) {
  const Case& c = GetParam();
  if (!c.entry->subdomain) GTEST_SKIP() << c.entry->name << " does not evaluate subdomains";
  SCOPED_TRACE(seedNote());
  const System s = periodic(edgeCell(), seed_);
  auto p = make(c.precision, seed_);
  p->setSystem(s);
  const EnergyForces whole = p->compute(s.positions, s.box, true);
  const double field = p->receptiveField();
  // Three uneven slabs along the first fractional coordinate, as three ranks would own them.
  std::vector<std::vector<size_t>> slabs(3);
  for (size_t i = 0; i < s.size(); ++i) {
    const double f = s.box->toFractional(s.positions[i]).x;
    slabs[f - std::floor(f) < 0.2 ? 0 : f - std::floor(f) < 0.55 ? 1 : 2].push_back(i);
  }
  auto sumOver = [&](double reach) {
    EnergyForces sum;
    sum.forces.assign(s.size(), Vec3{});
    for (const auto& slab : slabs) {
      const Subdomain d = subdomainOf(s, slab, reach);
      p->setSubdomain(d.system, d.owned);
      const EnergyForces part = p->compute(d.system.positions, std::nullopt, true);
      sum.energy += part.energy;
      for (size_t q = 0; q < d.origin.size(); ++q) sum.forces[d.origin[q]] += part.forces[q];  // reverse communication
    }
    return sum;
  };
  expectSame(sumOver(field + 0.25), whole, tol_, "three subdomains, ghosts to the receptive field");
  // The test can fail: a shell one cutoff short of the receptive field (one message-passing step
  // fewer; for ANI-2x no ghosts at all) misses interactions.
  // The last step's contribution can be small (ET with random weights: ~1e-7 relative; TensorNet's
  // preset with random weights: 1e-11, 2.6e-10 kJ/mol), so this is checked in float64, against a
  // bound 100× its round-off.
  if (c.precision != Precision::Float64) return;
  const EnergyForces shortShell = sumOver(field - p->cutoff() - 0.25);
  EXPECT_GT(std::abs(shortShell.energy - whole.energy), 1e-13 * std::abs(whole.energy) + 1e-11)
      << "a shell one cutoff short of the receptive field should not reproduce the energy";
}

INSTANTIATE_TEST_SUITE_P(Registry, Conformance, ::testing::ValuesIn(cases()), caseName);

}  // namespace
