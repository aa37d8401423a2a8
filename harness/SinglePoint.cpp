#include "harness/SinglePoint.hpp"

#include "profilers/MemoryProbe.hpp"
#include "profilers/Range.hpp"
#include "profilers/WallClockCollector.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mlffb {

Json peakMemoryRecord(const Potential& potential) {
  Json mem = Json::object();
  mem["host_peak_rss"] = profilers::peakRssBytes();
  const Json deviceMemory = potential.memoryStats();
  for (auto& [k, v] : deviceMemory.items()) mem[k] = v;
  return mem;
}

namespace {
Json timingJson(const profilers::TimingSummary& t) {
  return {{"median_ms", t.medianMs}, {"min_ms", t.minMs}, {"max_ms", t.maxMs}, {"spread", t.spread}, {"samples", t.samples}};
}
}  // namespace

void measureSinglePoint(Potential& potential, const System& system, const SinglePointOptions& o, double sgemmGflops,
                        Json& record) {
  potential.setSystem(system);
  record["model"] = potential.describe();
  const std::optional<Vec3> box = system.box;
  for (int w = 0; w < o.warmup; ++w) potential.compute(system.positions, box, true);
  const bool rssReset = profilers::resetPeakRss();
  potential.resetMemoryStats();
  profilers::WallClockCollector clock;
  EnergyForces last;
  {
    profilers::ScopedCollector attached(&clock);
    for (int r = 0; r < o.repeat; ++r) {
      {
        profilers::Range total("total");
        last = potential.compute(system.positions, box, true);
      }
      clock.endSample();
    }
  }
  Json m;
  m["warmup"] = o.warmup;
  m["repeats"] = o.repeat;
#ifdef _OPENMP
  m["threads"] = omp_get_max_threads();
#else
  m["threads"] = 1;
#endif
  m["energy_kj_mol"] = last.energy;
  Json stages = Json::object();
  std::map<std::string, double> medians;
  for (const auto& name : potential.stages()) {
    auto it = clock.samples().find(name);
    if (it == clock.samples().end()) continue;
    const auto t = profilers::summarize(it->second);
    stages[name] = timingJson(t);
    medians[name] = t.medianMs;
  }
  const auto total = profilers::summarize(clock.samples().at("total"));
  stages["total"] = timingJson(total);
  m["stages"] = stages;
  Json flops = Json::object(), rates = Json::object();
  double flopsTotal = 0;
  for (const auto& [stage, f] : potential.stageFlops()) {
    flops[stage] = f;
    flopsTotal += f;
    if (medians.count(stage) && medians[stage] > 0) rates[stage] = f / (medians[stage] * 1e-3) * 1e-9;
  }
  if (flopsTotal > 0) {
    flops["total"] = flopsTotal;
    rates["total"] = flopsTotal / (total.medianMs * 1e-3) * 1e-9;
  }
  m["flops"] = flops;
  m["gflops_per_s"] = rates;
  if (sgemmGflops > 0 && rates.contains("energy"))
    m["energy_fraction_of_sgemm_rate"] = rates["energy"].get<double>() / sgemmGflops;
  m["peak_memory_bytes"] = peakMemoryRecord(potential);
  m["host_peak_rss_is_per_run"] = rssReset;
  record["measurements"] = m;
  record["status"] = "ok";
  record["message"] = "";
}

}  // namespace mlffb
