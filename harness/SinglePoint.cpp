#include "harness/SinglePoint.hpp"

#include <new>

#include "harness/SystemRecord.hpp"
#include "profilers/MemoryProbe.hpp"
#include "profilers/Range.hpp"
#include "profilers/WallClockCollector.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mlffb {

Json runRecord(const System& system, const std::string& systemFile, const std::string& model,
               const std::string& flavor, const std::string& device, Precision precision) {
  Json r;
  r["id"] = system.name + "/" + model + "/" + flavor + "/" + device + "/" + toString(precision);
  r["system"] = systemRecord(system, systemFile);
  r["model"] = {{"name", model}, {"flavor", flavor}};
  r["engine"] = "none";
  r["configuration"] = "mlff";
  r["mode"] = "single-point";
  r["device"] = device;
  r["precision"] = toString(precision);
  r["status"] = "skipped";
  r["message"] = "";
  r["measurements"] = Json::object();
  return r;
}

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
  try {
    potential.setSystem(system);
    record["model"] = potential.describe();
    const std::optional<Vec3> box = system.box;
    for (int w = 0; w < o.warmup; ++w) potential.compute(system.positions, box, true);
    const bool rssReset = profilers::resetPeakRss();
    potential.resetMemoryStats();
    profilers::WallClockCollector clock;
    profilers::attach(&clock);
    EnergyForces last;
    try {
      for (int r = 0; r < o.repeat; ++r) {
        {
          profilers::Range total("total");
          last = potential.compute(system.positions, box, true);
        }
        clock.endSample();
      }
    } catch (...) {
      profilers::detach(&clock);
      throw;
    }
    profilers::detach(&clock);
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
  } catch (const std::bad_alloc&) {
    record["status"] = "oom";
    record["message"] = "out of memory";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    const bool oom = what.find("out of memory") != std::string::npos || what.find("CUDA out of memory") != std::string::npos;
    record["status"] = oom ? "oom" : "error";
    record["message"] = what.substr(0, what.find('\n'));
  }
}

}  // namespace mlffb
