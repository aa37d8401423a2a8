// mlff-bench-micro: Google Benchmark micro-benchmarks of the native ANI-2x stages.
//   build/bin/mlff-bench-micro --benchmark_format=json
#include <benchmark/benchmark.h>

#include <memory>

#include "systems/PolyAlanineBuilder.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/AniNative.hpp"
#include "workloads/ani2x/AniWorkload.hpp"

using namespace mlffb;

namespace {
struct Fixture {
  System system;
  std::unique_ptr<Potential> potential;
  AniNativeStages* stages;
  std::map<std::string, double> flops;
};

Fixture& fixture(int residues) {
  static std::map<int, std::unique_ptr<Fixture>> cache;
  auto& f = cache[residues];
  if (!f) {
    f = std::make_unique<Fixture>();
    static const PolyAlanineBuilder builder(PolyAlanineOptions{});
    f->system = builder.build(residues);
    PotentialOptions o;
    o.flavor = "native";
    f->potential = createPotential("ani2x", o);
    f->stages = dynamic_cast<AniNativeStages*>(f->potential.get());
    f->potential->setSystem(f->system);
    f->potential->compute(f->system.positions, std::nullopt, true);
    f->flops = f->potential->stageFlops();
  }
  return *f;
}

void setCounters(benchmark::State& state, const Fixture& f, const char* stage) {
  const double atoms = static_cast<double>(f.system.size());
  state.counters["atoms"] = atoms;
  state.counters["atoms_per_s"] = benchmark::Counter(atoms, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["GFLOP"] =
      benchmark::Counter(f.flops.at(stage) * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}
}  // namespace

static void BM_AniNeighbors(benchmark::State& state) {
  Fixture& f = fixture(static_cast<int>(state.range(0)));
  for (auto _ : state) f.stages->stageNeighbors(f.system.positions, std::nullopt);
  setCounters(state, f, "neighbors");
}

static void BM_AniDescriptor(benchmark::State& state) {
  Fixture& f = fixture(static_cast<int>(state.range(0)));
  f.stages->stageNeighbors(f.system.positions, std::nullopt);
  for (auto _ : state) f.stages->stageDescriptor();
  setCounters(state, f, "descriptor");
}

static void BM_AniNetworks(benchmark::State& state) {
  Fixture& f = fixture(static_cast<int>(state.range(0)));
  f.stages->stageNeighbors(f.system.positions, std::nullopt);
  f.stages->stageDescriptor();
  for (auto _ : state) benchmark::DoNotOptimize(f.stages->stageNetworks());
  setCounters(state, f, "energy");
}

static void BM_AniBackward(benchmark::State& state) {
  Fixture& f = fixture(static_cast<int>(state.range(0)));
  f.stages->stageNeighbors(f.system.positions, std::nullopt);
  f.stages->stageDescriptor();
  f.stages->stageNetworks();
  for (auto _ : state) {
    state.PauseTiming();
    f.stages->stageNetworks();  // backward overwrites the activations it reads
    state.ResumeTiming();
    f.stages->stageBackward();
  }
  setCounters(state, f, "forces");
}

#define SIZES ->Arg(10)->Arg(100)->Arg(340)->Arg(1000)->Unit(benchmark::kMillisecond)
BENCHMARK(BM_AniNeighbors) SIZES;
BENCHMARK(BM_AniDescriptor) SIZES;
BENCHMARK(BM_AniNetworks) SIZES;
BENCHMARK(BM_AniBackward) SIZES;

BENCHMARK_MAIN();
