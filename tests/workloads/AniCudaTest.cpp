// ANI-2x's shared AEV arithmetic (AniAevMath.hpp, which both kernel sets run) and the CUDA kernel
// set. The arithmetic is checked on the host: pair indices against the model's, analytic
// derivatives against central finite differences in float64. The CUDA set (built with the CUDA
// toolkit; skipped without a visible device) is checked against the CPU native set on fresh random
// structures (open and triclinic periodic), poly-alanine slices and a replicated solvated box:
// float32 within 1e-5 relative energy and 1e-4 relative force norm, float64 within 1e-10; tiny
// list capacities must grow and retry to the same result;
// chunked rows, CUDA graphs (replayed) and Verlet lists must not change it; tf32 and bf16 stay
// within bounds of float64.
#include <gtest/gtest.h>

#include <cmath>

#include "../PhysicsTestUtil.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/Rng.hpp"
#include "systems/Solvator.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"
#include "workloads/ani2x/AniAevMath.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniNative.hpp"

#ifdef MLFFB_HAVE_ANI_CUDA
#include <cuda_runtime.h>

#include "workloads/ani2x/cuda/AniCudaSupport.hpp"
#endif

using namespace mlffb;
using namespace mlffb::ani;

TEST(AevMath, PairIndexMatchesTheModel) {
  for (int a = 0; a < kSpecies; ++a)
    for (int b = 0; b < kSpecies; ++b) EXPECT_EQ(aev::pairIndexOf(a, b), pairIndex(a, b)) << a << "," << b;
}

TEST(AevMath, AnalyticDerivativesMatchFiniteDifferences) {
  const auto c = aev::makeConsts<double>(AevParameters{});
  Rng rng(test::freshSeed());
  for (int trial = 0; trial < 20; ++trial) {
    // Radial: dE/dr of Σ_k G_k term_k(r).
    double G[kAngularSub];
    for (double& g : G) g = rng.uniform() - 0.5;
    const double r = 0.8 + 4.2 * rng.uniform();
    auto radialE = [&](double x) {
      double t[kRadialShifts] = {};
      aev::addRadial<double>(c, x, t);
      double e = 0;
      for (int k = 0; k < kRadialShifts; ++k) e += G[k] * t[k];
      return e;
    };
    const double h = 1e-6;
    EXPECT_NEAR(aev::radialDerivative<double>(c, r, G), (radialE(r + h) - radialE(r - h)) / (2 * h), 1e-7) << "r " << r;
    // Angular: gradients with respect to both displacement vectors.
    double v1[3], v2[3];
    for (int q = 0; q < 3; ++q) {
      v1[q] = rng.uniform() * 4 - 2;
      v2[q] = rng.uniform() * 4 - 2;
    }
    auto len = [](const double* v) { return std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]); };
    if (len(v1) < 0.8 || len(v1) > 3.4 || len(v2) < 0.8 || len(v2) > 3.4) continue;
    auto angularE = [&](const double* a, const double* b) {
      double t[kAngularSub] = {};
      aev::addAngular<double>(c, a, len(a), b, len(b), t);
      double e = 0;
      for (int k = 0; k < kAngularSub; ++k) e += G[k] * t[k];
      return e;
    };
    double g1[3], g2[3];
    aev::angularGradient<double>(c, v1, len(v1), v2, len(v2), G, g1, g2);
    for (int q = 0; q < 3; ++q) {
      double p[3] = {v1[0], v1[1], v1[2]}, m[3] = {v1[0], v1[1], v1[2]};
      p[q] += h;
      m[q] -= h;
      EXPECT_NEAR(g1[q], (angularE(p, v2) - angularE(m, v2)) / (2 * h), 1e-6) << "v1 component " << q;
      double p2[3] = {v2[0], v2[1], v2[2]}, m2[3] = {v2[0], v2[1], v2[2]};
      p2[q] += h;
      m2[q] -= h;
      EXPECT_NEAR(g2[q], (angularE(v1, p2) - angularE(v1, m2)) / (2 * h), 1e-6) << "v2 component " << q;
    }
  }
}

#ifdef MLFFB_HAVE_ANI_CUDA
namespace {

/// Host memory standing in for the device's, with a log of the calls and a switch that makes the
/// next allocation fail as cudaMalloc does when the device is full.
struct RecordingAllocator {
  static inline std::vector<std::string> log;
  static inline bool failNext = false;
  static void* allocate(size_t bytes) {
    log.push_back("allocate " + std::to_string(bytes));
    if (failNext) {
      failNext = false;
      throw cuda::DeviceOutOfMemory("out of memory (recording allocator)");
    }
    return ::operator new(bytes);
  }
  static void free(void* p) {
    log.push_back("free");
    ::operator delete(p);
  }
};

}  // namespace

// Growing a buffer allocates the new storage before it frees the old; when the allocation fails
// the buffer keeps its old storage and the account is unchanged (a captured CUDA graph or a list
// capacity not yet raised still points at live memory).
TEST(DeviceBuffer, GrowsByAllocatingFirstAndKeepsItsStorageWhenThatFails) {
  RecordingAllocator::log.clear();
  cuda::MemoryAccount account;
  {
    cuda::DeviceBuffer<double, RecordingAllocator> b;
    b.setAccount(&account);
    ASSERT_TRUE(b.reserve(8));
    double* first = b.get();
    const size_t capacity = b.capacity();
    EXPECT_EQ(account.bytes, capacity * sizeof(double));
    EXPECT_FALSE(b.reserve(capacity));  // fits: nothing moves
    RecordingAllocator::failNext = true;
    EXPECT_THROW(b.reserve(1000), cuda::DeviceOutOfMemory);
    EXPECT_EQ(b.get(), first);
    EXPECT_EQ(b.capacity(), capacity);
    EXPECT_EQ(account.bytes, capacity * sizeof(double));
    ASSERT_TRUE(b.reserve(1000));
    EXPECT_EQ(b.capacity(), 1000u + 1000u / 8);
    EXPECT_EQ(account.bytes, b.capacity() * sizeof(double));
    EXPECT_EQ(account.peak, (capacity + b.capacity()) * sizeof(double)) << "both live while the data moves";
  }
  EXPECT_EQ(account.bytes, 0u);
  const std::vector<std::string> want{"allocate " + std::to_string(9 * sizeof(double)), "allocate " + std::to_string(1125 * sizeof(double)),
                                      "allocate " + std::to_string(1125 * sizeof(double)), "free", "free"};
  EXPECT_EQ(RecordingAllocator::log, want);
}

namespace {

bool haveDevice() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return n > 0;
}

const std::vector<int> kElements{1, 1, 1, 1, 6, 6, 6, 7, 8, 16, 9, 17};

System periodicSystem(std::uint64_t seed) {
  System s = test::randomCluster(300, seed, kElements, 0.08, 0.95);
  // The cluster's atoms in a triclinic cell wider than twice the cutoff (wrapped in).
  s.box = Box::fromLengthsAngles(16.5, 17.0, 18.0, 80, 95, 105);
  for (auto& p : s.positions) p = s.box->wrap(p);
  return s;
}

PotentialOptions native(Device d, Precision p, OptionValues extra = {}) {
  PotentialOptions o;
  o.flavor = "native";
  o.device = d;
  o.precision = p;
  o.seed = 11;
  o.options = std::move(extra);
  o.options["weights"] = "random";
  return o;
}

EnergyForces evaluate(Potential& pot, const System& s) {
  pot.setSystem(s);
  return pot.compute(s.positions, s.box, true);
}

class AniCuda : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!haveDevice()) GTEST_SKIP() << "no CUDA device visible";
    seed_ = test::freshSeed();
  }
  std::uint64_t seed_ = 0;
};

}  // namespace

TEST_F(AniCuda, MatchesTheCpuKernelSet) {
  SCOPED_TRACE("seed " + std::to_string(seed_));
  for (Precision p : {Precision::Float32, Precision::Float64}) {
    for (const System& s : {test::randomCluster(257, seed_, kElements, 0.08, 0.95), periodicSystem(seed_ + 1)}) {
      auto cpu = createPotential("ani2x", native(Device::cpu(), p));
      auto gpu = createPotential("ani2x", native(Device::parse("cuda"), p));
      const EnergyForces want = evaluate(*cpu, s), got = evaluate(*gpu, s);
      const double energyTol = p == Precision::Float64 ? 1e-10 : 1e-5, forceTol = p == Precision::Float64 ? 1e-10 : 1e-4;
      EXPECT_LT(std::abs(got.energy - want.energy) / std::abs(want.energy), energyTol) << toString(p) << (s.box ? " periodic" : " open");
      EXPECT_LT(relativeForceError(got.forces, want.forces), forceTol) << toString(p) << (s.box ? " periodic" : " open");
    }
  }
}

TEST_F(AniCuda, MatchesTheCpuKernelSetOnPolyalanineSlicesAndASolvatedBox) {
  const PolyAlanineBuilder chain(PolyAlanineOptions{});
  SolvationOptions so;
  so.seed = seed_;
  const System solvated = Solvator(so).solvate(chain.build(10));
  for (const System& s : {chain.build(10), chain.build(100), replicate(solvated, 2, 1, 1)}) {
    for (Precision p : {Precision::Float32, Precision::Float64}) {
      auto cpu = createPotential("ani2x", native(Device::cpu(), p));
      auto gpu = createPotential("ani2x", native(Device::parse("cuda"), p));
      const EnergyForces want = evaluate(*cpu, s), got = evaluate(*gpu, s);
      const double energyTol = p == Precision::Float64 ? 1e-10 : 1e-5, forceTol = p == Precision::Float64 ? 1e-10 : 1e-4;
      const std::string what = toString(p) + " " + std::to_string(s.size()) + " atoms";
      EXPECT_LT(std::abs(got.energy - want.energy) / std::abs(want.energy), energyTol) << what;
      EXPECT_LT(relativeForceError(got.forces, want.forces), forceTol) << what;
    }
  }
}

TEST_F(AniCuda, TinyListCapacitiesGrowAndRetry) {
  const System s = periodicSystem(seed_);
  const AniModelData data = randomAniModel(5);
  const PotentialOptions o = native(Device::parse("cuda"), Precision::Float64);
  auto run = [&](cuda::CudaKernelOptions k, bool verlet) {
    auto set = cuda::makeAniCudaKernelSet(data, Precision::Float64, o.device, k);
    set->bind(speciesOfSystem(s), s.size());
    if (verlet) set->buildVerletList(s.positions, s.box, 1.0);
    set->neighbors(s.positions, s.box);
    set->descriptor();
    EnergyForces r;
    r.energy = set->networks();
    set->backward(r.forces);
    return std::make_pair(r, set->details());
  };
  const auto [want, roomy] = run({}, false);
  cuda::CudaKernelOptions tiny;
  tiny.radialCapacity = 2;
  tiny.angularCapacity = 1;
  tiny.candidateCapacity = 3;
  for (bool verlet : {false, true}) {
    const auto [got, stats] = run(tiny, verlet);
    EXPECT_NEAR(got.energy, want.energy, 1e-10 * std::abs(want.energy)) << (verlet ? "verlet" : "cells");
    EXPECT_LT(relativeForceError(got.forces, want.forces), 1e-10);
    EXPECT_GT(stats["neighbor_retries"].get<int>(), 0) << stats.dump();
    EXPECT_GT(stats["neighbor_capacity"]["radial"].get<int>(), 2);
  }
  EXPECT_EQ(roomy["neighbor_retries"].get<int>(), 0);
}

TEST_F(AniCuda, ChunksGraphsAndReplaysGiveTheSameResult) {
  const System s = test::randomCluster(200, seed_, kElements, 0.08, 0.95);
  auto plain = createPotential("ani2x", native(Device::parse("cuda"), Precision::Float64));
  const EnergyForces want = evaluate(*plain, s);
  for (const OptionValues& extra : std::vector<OptionValues>{{{"chunk_atoms", "37"}}, {{"cuda_graph", "true"}}, {{"cuda_graph", "true"}, {"chunk_atoms", "37"}}}) {
    auto pot = createPotential("ani2x", native(Device::parse("cuda"), Precision::Float64, extra));
    pot->setSystem(s);
    for (int replay = 0; replay < 3; ++replay) {
      const EnergyForces got = pot->compute(s.positions, s.box, true);
      EXPECT_NEAR(got.energy, want.energy, 1e-10 * std::abs(want.energy)) << nlohmann::json(extra).dump() << " call " << replay;
      EXPECT_LT(relativeForceError(got.forces, want.forces), 1e-10) << nlohmann::json(extra).dump() << " call " << replay;
    }
  }
}

// The small case scripts/gpu-check.sh runs under compute-sanitizer's memcheck, racecheck and
// initcheck: 48 atoms in a periodic cell through every path of the set at once — lists too small
// (grown and retried, cells and Verlet candidates), several chunks, a graph captured and replayed,
// bf16 (its conversions) — each result checked against the float64 CPU set.
TEST_F(AniCuda, SmallCaseThroughEveryPathForTheSanitizers) {
  System s = test::randomCluster(48, seed_, kElements, 0.08, 0.95);
  s.box = Box::orthorhombic({13.0, 13.5, 14.0});  // wider than twice cutoff + skin
  for (auto& p : s.positions) p = s.box->wrap(p);
  auto cpu = createPotential("ani2x", native(Device::cpu(), Precision::Float64));
  const EnergyForces want = evaluate(*cpu, s);
  const AniModelData data = randomAniModel(11);
  cuda::CudaKernelOptions tiny;
  tiny.radialCapacity = 2;
  tiny.angularCapacity = 1;
  tiny.candidateCapacity = 3;
  tiny.chunkAtoms = 20;
  for (Precision p : {Precision::Float32, Precision::Bf16}) {
    for (bool graph : {false, true}) {
      cuda::CudaKernelOptions k = tiny;
      k.cudaGraph = graph;
      if (graph) k.chunkAtoms = 1 << 20;  // graphs are captured when one chunk holds every centre
      // The stage driver over this set: it adds the self energies and converts the units.
      auto pot = makeAniNative(data, native(Device::parse("cuda"), p), cuda::makeAniCudaKernelSet(data, p, Device::parse("cuda"), k));
      pot->setSystem(s);
      for (int call = 0; call < 3; ++call) {
        if (call == 1) pot->buildNeighborList(s.positions, s.box, 1.0);
        const EnergyForces got = pot->compute(s.positions, s.box, true);
        const std::string what = toString(p) + (graph ? " graph" : " chunks") + " call " + std::to_string(call);
        const double tol = p == Precision::Float32 ? 1e-5 : 2e-3;
        EXPECT_LT(std::abs(got.energy - want.energy) / std::abs(want.energy), tol) << what;
        EXPECT_LT(relativeForceError(got.forces, want.forces), p == Precision::Float32 ? 1e-4 : 1e-1) << what;
      }
    }
  }
}

TEST_F(AniCuda, ReducedPrecisionsStayNearFloat64) {
  const System s = test::randomCluster(300, seed_, kElements, 0.08, 0.95);
  auto ref = createPotential("ani2x", native(Device::parse("cuda"), Precision::Float64));
  const EnergyForces want = evaluate(*ref, s);
  for (auto [p, energyTol, forceTol] : {std::tuple{Precision::Tf32, 2e-4, 2e-2}, std::tuple{Precision::Bf16, 2e-3, 1e-1}}) {
    auto pot = createPotential("ani2x", native(Device::parse("cuda"), p));
    const EnergyForces got = evaluate(*pot, s);
    const double e = std::abs(got.energy - want.energy) / std::abs(want.energy), f = relativeForceError(got.forces, want.forces);
    std::cout << toString(p) << " vs float64 (300 atoms): energy " << e << " relative, forces " << f << " relative\n";
    EXPECT_LT(e, energyTol) << toString(p);
    EXPECT_LT(f, forceTol) << toString(p);
  }
}
#endif
