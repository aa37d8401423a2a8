// The CUDA kernel set's kernels run on the host (AniCudaHostEmulation.hpp: blocks one after
// another, one thread each), so CI checks their indexing and bookkeeping without a GPU: the
// cell binning and neighbour lists against brute force (open, orthorhombic and triclinic cells;
// capacities too small are counted, never silently truncated), the fused AEV against a plain
// all-pairs/all-triples AEV, its backward against finite differences of Σ G·AEV, and the
// element-wise network kernels against the CPU's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <set>
#include <vector>

#include "../PhysicsTestUtil.hpp"
#include "systems/Rng.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/CeluKernel.hpp"
// Last: it defines CUDA's qualifiers away.
#include "AniCudaHostEmulation.hpp"

using namespace mlffb;
using namespace mlffb::ani;
using namespace mlffb::ani::cuda;
using test::launchOnHost;

namespace {

const std::vector<int> kElements{1, 1, 1, 1, 6, 6, 6, 7, 8, 16, 9, 17};

/// Neighbour lists of every atom as the kernel set builds them (cells, stable sort by cell).
struct Lists {
  int capR, capA;
  std::vector<int> nR, jR, nA, aSlot, overflow{0, 0, 0};
  std::vector<double> dR;
};

/// `poison`: the list storage starts as what a fresh device allocation may hold (−1 indices, NaN
/// displacements), so a slot read before it was written shows.
Lists buildLists(const System& s, double rc, double rca, int capR, int capA, bool poison = false) {
  const int n = static_cast<int>(s.size());
  const Geometry g = makeGeometry(s.positions, s.box, rc);
  std::vector<double> pos(3 * n);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) pos[3 * i + k] = s.positions[i][k];
  std::vector<int> key(n), index(n);
  launchOnHost(n, binAtoms, n, pos.data(), g, key.data(), index.data());
  // cub's stable radix sort by cell key.
  std::vector<int> sortedIndex(index);
  std::stable_sort(sortedIndex.begin(), sortedIndex.end(), [&](int a, int b) { return key[a] < key[b]; });
  std::vector<int> sortedKey(n);
  for (int k = 0; k < n; ++k) sortedKey[k] = key[sortedIndex[k]];
  const int cells = g.dims[0] * g.dims[1] * g.dims[2];
  std::vector<int> start(cells, 0), end(cells, 0);
  launchOnHost(n, cellRanges, n, sortedKey.data(), start.data(), end.data());
  Lists l{capR, capA, std::vector<int>(n), std::vector<int>(static_cast<size_t>(n) * capR), std::vector<int>(n),
          std::vector<int>(static_cast<size_t>(n) * capA), {0, 0, 0}, std::vector<double>(4 * static_cast<size_t>(n) * capR)};
  if (poison) {
    std::fill(l.jR.begin(), l.jR.end(), -1);
    std::fill(l.aSlot.begin(), l.aSlot.end(), -1);
    std::fill(l.dR.begin(), l.dR.end(), std::nan(""));
  }
  launchOnHost(n, neighborsFromCells<double>, n, pos.data(), g, key.data(), sortedIndex.data(), start.data(), end.data(), rc * rc, rca * rca,
               capR, capA, l.nR.data(), l.jR.data(), l.dR.data(), l.nA.data(), l.aSlot.data(), l.overflow.data());
  return l;
}

System periodic(std::uint64_t seed, bool triclinic) {
  System s = test::randomCluster(160, seed, kElements, 0.08, 0.95);
  s.box = triclinic ? Box::fromLengthsAngles(12.5, 13.0, 14.0, 75, 100, 110) : Box::orthorhombic({12.5, 13.0, 14.0});
  for (auto& p : s.positions) p = s.box->wrap(p);
  return s;
}

Vec3 displacement(const System& s, int i, int j) {
  const Vec3 d = s.positions[j] - s.positions[i];
  return s.box ? s.box->minimumImage(d) : d;
}

}  // namespace

TEST(AniCudaKernelsOnHost, NeighbourListsAreTheBruteForcePairs) {
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const AevParameters p;
  for (const System& s : {test::randomCluster(150, seed, kElements, 0.08, 0.95), periodic(seed, false), periodic(seed, true)}) {
    const int n = static_cast<int>(s.size());
    const Lists l = buildLists(s, p.Rcr, p.Rca, 200, 100);
    EXPECT_EQ(l.overflow[0], 0);
    for (int i = 0; i < n; ++i) {
      std::set<int> want, wantAngular;
      for (int j = 0; j < n; ++j)
        if (j != i) {
          const double r = norm(displacement(s, i, j));
          if (r < p.Rcr) want.insert(j);
          if (r <= p.Rca) wantAngular.insert(j);
        }
      std::set<int> got, gotAngular;
      for (int a = 0; a < l.nR[i]; ++a) {
        const int j = l.jR[static_cast<size_t>(i) * l.capR + a];
        got.insert(j);
        const Vec3 d = displacement(s, i, j);
        const double* v = &l.dR[4 * (static_cast<size_t>(i) * l.capR + a)];
        EXPECT_NEAR(v[0], d.x, 1e-12);
        EXPECT_NEAR(v[1], d.y, 1e-12);
        EXPECT_NEAR(v[2], d.z, 1e-12);
        EXPECT_NEAR(v[3], norm(d), 1e-12);
      }
      for (int a = 0; a < l.nA[i]; ++a) gotAngular.insert(l.jR[static_cast<size_t>(i) * l.capR + l.aSlot[static_cast<size_t>(i) * l.capA + a]]);
      ASSERT_EQ(got, want) << "atom " << i << (s.box ? " periodic" : " open");
      ASSERT_EQ(gotAngular, wantAngular) << "atom " << i;
      EXPECT_EQ(static_cast<int>(got.size()), l.nR[i]) << "no pair twice";
    }
  }
}

TEST(AniCudaKernelsOnHost, ListsTooSmallCountWhatDidNotFit) {
  const System s = periodic(test::freshSeed(), true);
  const AevParameters p;
  const Lists roomy = buildLists(s, p.Rcr, p.Rca, 200, 100);
  const Lists tiny = buildLists(s, p.Rcr, p.Rca, 3, 2);
  EXPECT_EQ(tiny.nR, roomy.nR);  // the true counts, past the capacity
  EXPECT_EQ(tiny.nA, roomy.nA);
  EXPECT_EQ(tiny.overflow[0], *std::max_element(roomy.nR.begin(), roomy.nR.end()));
  EXPECT_EQ(tiny.overflow[1], *std::max_element(roomy.nA.begin(), roomy.nA.end()));
  for (size_t i = 0; i < s.size(); ++i)  // what fitted is the start of the full list
    for (int a = 0; a < 3; ++a) EXPECT_EQ(tiny.jR[i * 3 + a], roomy.jR[i * 200 + a]);
}

namespace {

/// The fused AEV of the given centres (all 1008 columns, one row per centre) from lists `l`.
std::vector<double> aevRows(const Lists& l, const std::vector<int>& rows, const std::vector<int>& species, const AevParameters& p) {
  std::vector<int> active(kAevLength);
  std::iota(active.begin(), active.end(), 0);
  std::vector<double> out(rows.size() * kAevLength);
  launchOnHost(static_cast<long>(rows.size()), aevForward<double>, 0, rows.data(), species.data(), l.capR, l.nR.data(), l.jR.data(),
               l.dR.data(), l.capA, l.nA.data(), l.aSlot.data(), aev::makeConsts<double>(p), active.data(), kAevLength, out.data());
  return out;
}

/// The AEV backward of the given centres with dE/dAEV = G (one 1008-column row per centre), into an N × 3 gradient.
std::vector<double> aevGradient(const Lists& l, const std::vector<int>& rows, const std::vector<int>& species, const AevParameters& p,
                                const std::vector<double>& G) {
  std::vector<int> active(kAevLength);
  std::iota(active.begin(), active.end(), 0);
  std::vector<double> grad(3 * species.size(), 0.0);
  launchOnHost(static_cast<long>(rows.size()), aevBackward<double>, 0, rows.data(), species.data(), l.capR, l.nR.data(), l.jR.data(),
               l.dR.data(), l.capA, l.nA.data(), l.aSlot.data(), aev::makeConsts<double>(p), active.data(), kAevLength, G.data(), grad.data());
  return grad;
}

std::vector<int> allRows(size_t n) {
  std::vector<int> rows(n);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

/// Every centre's full AEV by the fused kernel (all 1008 columns, rows in atom order).
std::vector<double> kernelAev(const System& s, const std::vector<int>& species, const AevParameters& p) {
  return aevRows(buildLists(s, p.Rcr, p.Rca, 200, 100), allRows(s.size()), species, p);
}

}  // namespace

// Past a radial overflow the angular neighbours are counted but their slots never written: the
// discarded first pass of the AEV kernels must not read them. An overflowed centre contributes
// nothing; every other centre exactly what it contributes with roomy lists.
TEST(AniCudaKernelsOnHost, OverflowedCentresReadNoUnwrittenSlots) {
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const AevParameters p;
  const System s = periodic(seed, true);
  const int n = static_cast<int>(s.size());
  const std::vector<int> species = speciesOfSystem(s);
  const Lists roomy = buildLists(s, p.Rcr, p.Rca, 200, 100);
  std::vector<int> sorted = roomy.nR;
  std::sort(sorted.begin(), sorted.end());
  const int capR = sorted[n / 2];  // about half the centres overflow their radial list
  const Lists tight = buildLists(s, p.Rcr, p.Rca, capR, 100, true);
  std::vector<int> fitting;
  int unwritten = 0;
  for (int i = 0; i < n; ++i) {
    if (tight.nR[i] <= capR) {
      fitting.push_back(i);
      continue;
    }
    for (int a = 0; a < std::min(tight.nA[i], tight.capA); ++a) unwritten += tight.aSlot[static_cast<size_t>(i) * tight.capA + a] < 0;
  }
  ASSERT_GT(unwritten, 0) << "the case is meant to leave angular slots unwritten";
  ASSERT_FALSE(fitting.empty());
  const std::vector<double> got = aevRows(tight, allRows(n), species, p), want = aevRows(roomy, allRows(n), species, p);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < kAevLength; ++k) {
      const double g = got[static_cast<size_t>(i) * kAevLength + k];
      if (tight.nR[i] > capR) ASSERT_EQ(g, 0.0) << "overflowed centre " << i << " column " << k;
      else ASSERT_EQ(g, want[static_cast<size_t>(i) * kAevLength + k]) << "centre " << i << " column " << k;
    }
  // The backward: the gradient of the fitting centres' rows alone.
  Rng rng(seed + 7);
  std::vector<double> G(static_cast<size_t>(n) * kAevLength), Gfit;
  for (double& g : G) g = rng.uniform() - 0.5;
  for (int i : fitting) Gfit.insert(Gfit.end(), G.begin() + static_cast<long>(i) * kAevLength, G.begin() + static_cast<long>(i + 1) * kAevLength);
  const std::vector<double> gradTight = aevGradient(tight, allRows(n), species, p, G), gradFit = aevGradient(roomy, fitting, species, p, Gfit);
  for (size_t k = 0; k < gradTight.size(); ++k) {
    ASSERT_TRUE(std::isfinite(gradTight[k])) << "component " << k;
    EXPECT_NEAR(gradTight[k], gradFit[k], 1e-12 * (1 + std::abs(gradFit[k]))) << "component " << k;
  }
}

TEST(AniCudaKernelsOnHost, FusedAevIsThePlainAev) {
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const AevParameters p;
  const auto c = aev::makeConsts<double>(p);
  for (const System& s : {test::randomCluster(90, seed, kElements, 0.08, 0.95), periodic(seed, true)}) {
    const int n = static_cast<int>(s.size());
    const std::vector<int> species = speciesOfSystem(s);
    const std::vector<double> got = kernelAev(s, species, p);
    for (int i = 0; i < n; ++i) {
      // All pairs, all triples, straight from the definition.
      std::vector<double> want(kAevLength, 0.0);
      std::vector<int> ang;
      for (int j = 0; j < n; ++j) {
        if (j == i) continue;
        const Vec3 d = displacement(s, i, j);
        const double r = norm(d);
        if (r < p.Rcr) aev::addRadial<double>(c, r, &want[species[j] * kRadialShifts]);
        if (r <= p.Rca) ang.push_back(j);
      }
      for (size_t a = 0; a < ang.size(); ++a)
        for (size_t b = a + 1; b < ang.size(); ++b) {
          const Vec3 d1 = displacement(s, i, ang[a]), d2 = displacement(s, i, ang[b]);
          const double v1[3] = {d1.x, d1.y, d1.z}, v2[3] = {d2.x, d2.y, d2.z};
          aev::addAngular<double>(c, v1, norm(d1), v2, norm(d2),
                                  &want[kRadialLength + pairIndex(species[ang[a]], species[ang[b]]) * kAngularSub]);
        }
      for (int k = 0; k < kAevLength; ++k)
        ASSERT_NEAR(got[static_cast<size_t>(i) * kAevLength + k], want[k], 1e-12 * (1 + std::abs(want[k]))) << "atom " << i << " column " << k;
    }
  }
}

TEST(AniCudaKernelsOnHost, AevBackwardIsTheGradientOfGDotAev) {
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  const AevParameters p;
  System s = test::randomCluster(14, seed, kElements, 0.08, 0.95);
  const int n = static_cast<int>(s.size());
  const std::vector<int> species = speciesOfSystem(s);
  Rng rng(seed + 1);
  std::vector<double> G(static_cast<size_t>(n) * kAevLength);
  for (double& g : G) g = rng.uniform() - 0.5;
  auto objective = [&](const System& at) {
    const std::vector<double> a = kernelAev(at, species, p);
    double e = 0;
    for (size_t k = 0; k < a.size(); ++k) e += G[k] * a[k];
    return e;
  };
  const std::vector<double> grad = aevGradient(buildLists(s, p.Rcr, p.Rca, 200, 100), allRows(n), species, p, G);
  const double h = 1e-5;
  for (int i = 0; i < n; ++i)
    for (int q = 0; q < 3; ++q) {
      System plus = s, minus = s;
      plus.positions[i][q] += h;
      minus.positions[i][q] -= h;
      const double fd = (objective(plus) - objective(minus)) / (2 * h);
      EXPECT_NEAR(grad[3 * i + q], fd, 1e-6 * (1 + std::abs(fd))) << "atom " << i << " component " << q;
    }
}

TEST(AniCudaKernelsOnHost, ElementwiseNetworkKernelsMatchTheCpu) {
  Rng rng(test::freshSeed());
  const int rows = 7, h = 5, cols = kMembers * h;
  std::vector<double> z(rows * cols), bias(cols), w4(cols);
  for (double& v : z) v = 2 * rng.uniform() - 1;
  for (double& v : bias) v = rng.uniform() - 0.5;
  for (double& v : w4) v = rng.uniform() - 0.5;
  std::vector<double> zCpu = z, dCpu(z.size()), dGpu(z.size());
  biasCeluForward(zCpu.data(), dCpu.data(), bias.data(), rows, cols, kCeluAlpha);
  launchOnHost(static_cast<long>(rows) * cols, biasCelu<double>, static_cast<long>(rows), cols, cols, z.data(), dGpu.data(), bias.data(),
               kCeluAlpha);
  for (size_t k = 0; k < z.size(); ++k) {
    EXPECT_NEAR(z[k], zCpu[k], 1e-15);
    EXPECT_NEAR(dGpu[k], dCpu[k], 1e-15);
  }
  std::vector<double> d3 = dGpu;
  launchOnHost(static_cast<long>(rows) * cols, scaleOutputGradient<double>, static_cast<long>(rows), h, d3.data(), w4.data());
  for (int r = 0; r < rows; ++r)
    for (int k = 0; k < cols; ++k) EXPECT_DOUBLE_EQ(d3[r * cols + k], dGpu[r * cols + k] * w4[k] / kMembers);
  std::vector<double> a = z, b = d3;
  launchOnHost(static_cast<long>(a.size()), hadamard<double>, static_cast<long>(a.size()), a.data(), b.data());
  for (size_t k = 0; k < a.size(); ++k) EXPECT_DOUBLE_EQ(a[k], z[k] * d3[k]);
  // sumEnergy: the per-atom energies' sum.
  const std::vector<double> atomEnergy{0.25, -1.5, 3.0, 1e-3};
  double total = 0;
  launchOnHost(1, sumEnergy, 4, atomEnergy.data(), &total);
  EXPECT_DOUBLE_EQ(total, 0.25 - 1.5 + 3.0 + 1e-3);
  // boundingBox (open systems' cells from device positions) and gradientToForces.
  const std::vector<double> xyz{1, -2, 3, -4, 5, 0.5, 2, 2, -7};
  std::vector<double> bounds(6);
  launchOnHost(1, boundingBox, 3, xyz.data(), bounds.data());
  EXPECT_EQ(bounds, (std::vector<double>{-4, -2, -7, 2, 5, 3}));
  std::vector<double> forces(xyz.size());
  launchOnHost(static_cast<long>(xyz.size()), gradientToForces, static_cast<long>(xyz.size()), xyz.data(), 2.0, forces.data());
  for (size_t k = 0; k < xyz.size(); ++k) EXPECT_EQ(forces[k], -2.0 * xyz[k]);
  // countWork: directed pairs and angular triples, clamped to the capacities.
  const std::vector<int> nR{3, 9, 0}, nA{2, 7, 0};
  std::vector<unsigned long long> out{0, 0};
  launchOnHost(3, countWork, 3, nR.data(), nA.data(), 8, 5, out.data());
  EXPECT_EQ(out[0], 3u + 8u);
  EXPECT_EQ(out[1], 1u + 10u);
}
