#include "harness/PointRunner.hpp"

#include <algorithm>
#include <filesystem>
#include <new>

#include "backends/EngineRegistry.hpp"
#include "harness/SinglePoint.hpp"
#include "harness/SystemRecord.hpp"
#include "profilers/MemoryProbe.hpp"
#include "workloads/BlasProbe.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

void runMd(const Point& p, Potential& potential, const System& system, Json& rec) {
  MdOptions md = p.settings.md;
  md.configuration = p.configuration;
  md.integrator = parseIntegrator(p.settings.integrator);
  md.seed = p.settings.seed;
  if (!p.settings.traceDir.empty()) {
    std::string stem = p.id();
    std::replace(stem.begin(), stem.end(), '/', '_');
    md.tracePath = (fs::path(p.settings.traceDir) / (stem + ".csv")).string();
    md.trajectoryPath = (fs::path(p.settings.traceDir) / (stem + ".xyz")).string();
  }
  auto engine = createEngine(p.engine);
  const bool rssReset = profilers::resetPeakRss();
  potential.resetMemoryStats();
  try {
    Json m;
    m["md"] = engine->run(system, potential, md);
    m["peak_memory_bytes"] = peakMemoryRecord(potential);
    m["host_peak_rss_is_per_run"] = rssReset;
    rec["model"] = potential.describe();
    rec["measurements"] = m;
    rec["status"] = "ok";
    rec["message"] = "";
  } catch (const MdBlowUp& e) {
    rec["status"] = "error";
    rec["message"] = e.what();
  }
}

}  // namespace

Json startedRecord(const Point& p, const System& system) {
  Json rec;
  rec["id"] = p.id();
  rec["system"] = systemRecord(system, p.system.kind == "file" ? p.system.path : "");
  rec["model"] = {{"name", p.model}, {"flavor", p.flavor}};
  rec["engine"] = p.engine;
  rec["configuration"] = p.configuration;
  rec["mode"] = p.mode;
  rec["device"] = p.device;
  rec["precision"] = p.precision;
  rec["status"] = "error";
  rec["message"] = "did not finish";
  rec["measurements"] = Json::object();
  return rec;
}

Json runPoint(const Point& p) {
  System system;
  try {
    system = p.system.build();
  } catch (const std::exception& e) {
    Json rec;
    rec["id"] = p.id();
    rec["status"] = "error";
    rec["message"] = e.what();
    return rec;
  }
  system.name = p.system.name();
  Json rec = startedRecord(p, system);
  if (p.configuration != "mlff") {
    rec["status"] = "skipped";
    rec["message"] = "configuration " + p.configuration +
                     " needs an engine with classical force fields (OpenMM, GROMACS); none is available in this build";
    return rec;
  }
  try {
    auto potential = createPotential(p.model, p.settings.potentialOptions(p.flavor, p.device, parsePrecision(p.precision)));
    if (p.mode == "md") {
      runMd(p, *potential, system, rec);
    } else {
      // The GEMM floor, measured in this process right before the point: an sgemm shaped like
      // ANI-2x's stacked first hydrogen layer, on the BLAS the flavours use.
      const Json sgemm = measureSgemm(1700, 2048, 1008, 5);
      measureSinglePoint(*potential, system, SinglePointOptions{p.warmup, p.repeat}, sgemm["gflops_per_s"].get<double>(), rec);
      if (rec.contains("measurements") && rec["measurements"].is_object()) rec["measurements"]["sgemm_reference"] = sgemm;
    }
  } catch (const std::bad_alloc&) {
    rec["status"] = "oom";
    rec["message"] = "out of memory";
  } catch (const std::exception& e) {
    const std::string what = e.what();
    if (what.find("out of memory") != std::string::npos)  // e.g. LibTorch's CUDA allocator
      rec["status"] = "oom";
    else
      rec["status"] = what.find("unavailable") != std::string::npos ? "skipped" : "error";
    rec["message"] = what.substr(0, what.find('\n'));
  }
  return rec;
}

}  // namespace mlffb
