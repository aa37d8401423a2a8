#include "harness/Measurement.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>

#include "backends/EngineRegistry.hpp"
#include "core/Units.hpp"
#include "harness/Environment.hpp"
#include "harness/PointProgress.hpp"
#include "harness/Roofline.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "profilers/Range.hpp"
#include "profilers/Stopping.hpp"
#include "profilers/WallClockCollector.hpp"
#include "workloads/BlasProbe.hpp"
#include "workloads/CublasProbe.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mlffb {
namespace fs = std::filesystem;
using profilers::Collector;
using profilers::CollectorEntry;
using profilers::CollectorRegistry;

namespace {

/// The collectors of one pass; the first pass is the timing pass. Every pass times its samples,
/// so a perturbing collector's overhead is its pass's sample time over the timing pass's.
struct Pass {
  std::vector<std::unique_ptr<Collector>> collectors;
  profilers::WallClockCollector* clock = nullptr;  // the timing pass's own collector
  std::unique_ptr<profilers::WallClockCollector> ownClock;  // the other passes' (not reported)
  std::string collector;  // the perturbing collector of a pass other than the first
};

/// Timing pass: every collector that does not perturb timing; then one pass per collector that
/// does. Collectors that cannot work here are listed with the reason and skipped.
std::vector<Pass> planPasses(const Point& p, Json& status) {
  std::vector<Pass> passes(1);
  for (const auto& name : p.collectors) {
    const CollectorEntry* e = CollectorRegistry::instance().find(name);
    if (!e) throw std::invalid_argument("unknown collector '" + name + "'");
    const Availability a = e->availability();
    if (!a.available) {
      status[name] = {{"status", "unavailable"}, {"reason", a.reason}};
      continue;
    }
    std::unique_ptr<Collector> c = e->create(p.collectorOptions);
    if (e->perturbsTiming) {
      status[name] = {{"status", "ok"}, {"pass", passes.size()}};
      Pass& pass = passes.emplace_back();
      pass.collectors.push_back(std::move(c));
      pass.ownClock = std::make_unique<profilers::WallClockCollector>();
      pass.collector = name;
    } else {
      status[name] = {{"status", "ok"}, {"pass", 0}};
      if (auto* w = dynamic_cast<profilers::WallClockCollector*>(c.get())) passes[0].clock = w;
      passes[0].collectors.push_back(std::move(c));
    }
  }
  if (!passes[0].clock) {  // the timing pass always times
    auto w = std::make_unique<profilers::WallClockCollector>();
    passes[0].clock = w.get();
    passes[0].collectors.push_back(std::move(w));
  }
  return passes;
}

/// Runs `work` with the pass's collectors attached and merges their fragments.
template <class Work>
void runPass(Pass& pass, Potential* potential, const Point& p, Json& measurements, Work&& work) {
  profilers::RunContext ctx;
  ctx.pointId = p.id();
  if (p.device.isCuda()) ctx.cudaDevice = std::max(0, p.device.index);
  if (potential) {
    ctx.deviceMemory = [potential] { return potential->memoryStats(); };
    ctx.resetDeviceMemory = [potential] { potential->resetMemoryStats(); };
    if (potential->timesOperatorsRemotely()) {
      ctx.beginRemoteOperators = [potential] { potential->beginRemoteOperators(); };
      ctx.endRemoteOperators = [potential] { return potential->endRemoteOperators(); };
    }
  }
  profilers::setRunContext(ctx);
  std::vector<std::unique_ptr<profilers::ScopedCollector>> attached;
  for (auto& c : pass.collectors) attached.push_back(std::make_unique<profilers::ScopedCollector>(c.get()));
  if (pass.ownClock) attached.push_back(std::make_unique<profilers::ScopedCollector>(pass.ownClock.get()));
  // User replay: a hardware-counter collector may need the same work once per counter pass.
  do work();
  while (std::any_of(pass.collectors.begin(), pass.collectors.end(), [](const auto& c) { return c->needsReplay(); }));
  attached.clear();
  Json& status = measurements["collectors"];
  for (auto& c : pass.collectors) {
    if (const std::string why = c->failure(); !why.empty()) {  // found only at run time: the run goes on
      status[c->name()] = {{"status", "unavailable"}, {"reason", why}};
      continue;
    }
    const Json fragment = c->fragment();
    for (auto& [k, v] : fragment.items()) measurements[k] = v;
  }
}

/// The sample time of each perturbing collector's pass against the timing pass's (the `total`
/// range of a single point, `md_step` of MD): its overhead, in the collector's status.
void recordOverheads(const std::vector<Pass>& passes, Json& measurements) {
  auto sampleMs = [](const profilers::WallClockCollector& w) {
    for (const char* range : {"total", "md_step"})
      if (auto it = w.samples().find(range); it != w.samples().end() && !it->second.empty()) return profilers::summarize(it->second).medianMs;
    return 0.0;
  };
  if (passes.empty() || !passes[0].clock) return;
  const double base = sampleMs(*passes[0].clock);
  for (const auto& pass : passes) {
    if (!pass.ownClock || base <= 0) continue;
    Json& st = measurements["collectors"][pass.collector];
    if (st.value("status", "") != "ok") continue;
    const double with = sampleMs(*pass.ownClock);
    if (with > 0) st["overhead"] = {{"sample_ms", with}, {"timing_pass_sample_ms", base}, {"ratio", with / base}};
  }
}

int threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

/// How far a reduced-precision result is from the same flavour in float64 on the same structure
/// and device (on the CPU when the flavour has no float64 on that device): energy and the relative
/// error of the whole force field. Evaluated after the measured passes, so it costs them nothing.
Json precisionError(const Point& p, const ModelEntry& entry, const System& system, const EnergyForces& got) {
  PotentialOptions o = p.potentialOptions();
  o.precision = Precision::Float64;
  const Capabilities c = entry.capabilities();
  if (!c.supports(o.device.kind, Precision::Float64)) o.device = Device::cpu();
  if (!c.supports(o.device.kind, Precision::Float64))
    return {{"status", "unavailable"}, {"reason", entry.name + " has no float64 to compare with"}};
  try {
    auto ref = createPotential(p.model, o);
    ref->setSystem(system);
    const EnergyForces want = ref->compute(system.positions, system.box, true);
    requireFinite(want, system);
    return {{"status", "ok"},
            {"reference", entry.name + " float64 on " + o.device.str()},
            {"energy_abs_kj_mol", std::abs(got.energy - want.energy)},
            {"energy_rel", std::abs(got.energy - want.energy) / std::max(std::abs(want.energy), 1e-300)},
            {"force_rel", relativeForceError(got.forces, want.forces)}};
  } catch (const std::exception& e) {
    return {{"status", "unavailable"}, {"reason", std::string("the float64 evaluation failed: ") + e.what()}};
  }
}

/// The progress line of a point being sampled: "12 samples, ±1.3 % (≤ 2 %), 3.1 s of ≤ 20 s".
std::string samplingProgress(const profilers::StoppingRule& rule, const std::vector<double>& samples, double measuredS, const char* what) {
  const profilers::StoppingCriteria& c = rule.criteria();
  char line[200];
  if (!c.adaptive) {
    std::snprintf(line, sizeof line, "%zu of %d %s", samples.size(), c.fixedSamples, what);
    return line;
  }
  const double noise = samples.size() >= 2 ? profilers::sampleStats(samples).noise : 0;
  if (samples.size() >= 2)
    std::snprintf(line, sizeof line, "%zu %s, ±%.1f %% (≤ %.1f %%), %.1f s of ≤ %.0f s", samples.size(), what, 100 * noise, 100 * c.maxNoise, measuredS, c.maxTimeS);
  else
    std::snprintf(line, sizeof line, "%zu %s, %.1f s of ≤ %.0f s", samples.size(), what, measuredS, c.maxTimeS);
  return line;
}

/// MD windows: the mean ms/step of each kMdWindowSteps consecutive production steps, kept up to
/// date as steps arrive (the criteria ask after every step; windows are formed once each).
struct MdWindows {
  std::vector<double> ms;  // one per complete window
  size_t used = 0;         // steps consumed
  double measuredS = 0;
  void update(const std::vector<double>& stepMs) {
    while (stepMs.size() >= used + kMdWindowSteps) {
      double sum = 0;
      for (size_t i = used; i < used + kMdWindowSteps; ++i) sum += stepMs[i];
      ms.push_back(sum / kMdWindowSteps);
      measuredS += sum * 1e-3;
      used += kMdWindowSteps;
    }
  }
};

/// ns/day over the run: the first quarter of the windows against the last (at least 20 windows).
/// A drift is significant when the two quarters' 95 % intervals of the median do not overlap.
Json mdDrift(const std::vector<double>& windowMs, double dtFs) {
  const size_t n = windowMs.size();
  // Quarters of 5 windows at least: with fewer, an interval is the range of 2–4 values, and the
  // default suite's short adaptive runs flagged ±5–20 % "drifts" from them.
  if (n < 20) return {{"status", "unavailable"}, {"reason", "fewer than 20 windows of " + std::to_string(kMdWindowSteps) + " steps"}};
  const size_t q = n / 4;
  const std::vector<double> first(windowMs.begin(), windowMs.begin() + static_cast<long>(q)), lastQ(windowMs.end() - static_cast<long>(q), windowMs.end());
  const profilers::SampleStats a = profilers::sampleStats(first), b = profilers::sampleStats(lastQ);
  const double f = units::nsPerDay(dtFs, a.median), l = units::nsPerDay(dtFs, b.median);
  return {{"windows_per_quarter", q},
          {"first_ns_per_day", f},
          {"last_ns_per_day", l},
          {"relative", f > 0 ? (l - f) / f : 0.0},
          {"significant", a.hi < b.lo || b.hi < a.lo}};
}

/// Single point: warm-up evaluations, then measured ones until the point's criteria stop them (each a sample, inside a
/// `total` range); energy, analytic FLOPs and rates from the timing pass.
void measureSinglePoint(const Point& p, const ModelEntry& entry, Potential& pot, const System& system, std::vector<Pass>& passes,
                        Json& m) {
  // The GEMM floor, measured in this process right before the point: the model's reference
  // GEMM shape on the BLAS the native flavours use.
  // On a GPU: cuBLAS in the point's precision on its device, the shape of this system's largest network GEMM.
  Json sgemm;
  std::array<int, 3> shape = entry.referenceGemm;
  if (entry.gemmShapeFor) shape = entry.gemmShapeFor(system);
  if (shape[0] > 0) {
    if (p.device.isCuda()) {
      try {
        sgemm = measureCublasGemm(shape[0], shape[1], shape[2], p.precision, std::max(0, p.device.index), 5);
      } catch (const std::exception& e) {
        m["sgemm_reference_unavailable"] = e.what();
      }
    } else {
      sgemm = measureSgemm(shape[0], shape[1], shape[2], 5);
    }
  }
  pot.setSystem(system);
  EnergyForces last;
  // The timing pass samples until its criteria stop it; every other pass takes as many samples,
  // so a collector's overhead compares like with like.
  profilers::StoppingRule rule(p.criteria);
  std::vector<double> samples;
  double measuredS = 0;
  int taken = -1;  // samples of the timing pass, once it has run
  using Clock = std::chrono::steady_clock;
  for (auto& pass : passes) {
    runPass(pass, &pot, p, m, [&] {
      for (int w = 0; w < p.warmup; ++w) requireFinite(pot.compute(system.positions, system.box, true), system);
      profilers::MeasuredSection measured;
      const bool timing = taken < 0;
      for (int r = 0; timing ? rule.more(samples, measuredS) : r < taken; ++r) {
        const Clock::time_point t0 = Clock::now();
        {
          profilers::Range total("total");
          last = pot.compute(system.positions, system.box, true);
        }
        const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        profilers::sampleEnd();
        requireFinite(last, system);  // a non-finite result is never ok
        if (!timing) continue;
        samples.push_back(ms);
        measuredS += ms * 1e-3;
        if (pointProgressDue()) sayPointProgress(samplingProgress(rule, samples, measuredS, "samples"));
      }
      if (timing) taken = static_cast<int>(samples.size());
    });
  }
  m["warmup"] = p.warmup;
  m["repeats"] = taken;
  m["threads"] = threads();
  m["timing"] = rule.describe(samples, measuredS, "ms per energy+forces");
  const double median = m["timing"]["median_ms"].get<double>(), atoms = static_cast<double>(std::max<size_t>(1, system.size()));
  m["throughput"] = {{"ms_per_evaluation", median}, {"us_per_atom_step", 1e3 * median / atoms}, {"atom_steps_per_s", median > 0 ? atoms / (median * 1e-3) : 0.0}};
  m["energy_kj_mol"] = last.energy;
  if (p.precision != Precision::Float64) m["precision_error"] = precisionError(p, entry, system, last);
  Json flops = Json::object(), rates = Json::object();
  double flopsTotal = 0;
  const Json& stages = m["stages"];
  for (const auto& [stage, f] : pot.stageFlops()) {
    flops[stage] = f;
    flopsTotal += f;
    if (stages.contains(stage) && stages[stage]["median_ms"].get<double>() > 0)
      rates[stage] = f / (stages[stage]["median_ms"].get<double>() * 1e-3) * 1e-9;
  }
  if (flopsTotal > 0 && stages.contains("total")) {
    flops["total"] = flopsTotal;
    rates["total"] = flopsTotal / (stages["total"]["median_ms"].get<double>() * 1e-3) * 1e-9;
  }
  m["flops"] = flops;
  m["gflops_per_s"] = rates;
  if (!sgemm.is_null()) {
    if (rates.contains("energy")) m["energy_fraction_of_sgemm_rate"] = rates["energy"].get<double>() / sgemm["gflops_per_s"].get<double>();
    m["sgemm_reference"] = sgemm;
  }
}

/// What a point asks of its engine: the system, the model as data, configuration, protocol,
/// engine options and ranks.
EngineRequest engineRequest(const Point& p, const System& system) {
  EngineRequest rq;
  rq.system = &system;
  rq.model = {p.model, p.potentialOptions()};
  rq.configuration = p.configuration;
  rq.md = p.md;
  rq.options = p.engineOptions;
  rq.ranks = std::max(1, p.ranks);
  return rq;
}

/// The trace and trajectory files of point `p` in its --trace-dir: POINT.csv and POINT.xyz, or
/// POINT-2, POINT-3, … where an earlier run's files are (another seed, another report): a run
/// never replaces another's traces.
void setTracePaths(const Point& p, MdOptions& md) {
  std::string stem = p.id();
  std::replace(stem.begin(), stem.end(), '/', '_');
  const auto taken = [](const fs::path& f) {
    std::error_code ec;
    return fs::exists(fs::symlink_status(f, ec));
  };
  for (int k = 1;; ++k) {
    const fs::path base = fs::path(p.traceDir) / (k == 1 ? stem : stem + "-" + std::to_string(k));
    const fs::path csv = base.string() + ".csv", xyz = base.string() + ".xyz";
    if (taken(csv) || taken(xyz)) continue;
    md.tracePath = csv.string();
    md.trajectoryPath = xyz.string();
    return;
  }
}

/// MD: the engine runs minimisation, warm-up and production; production is the measured section
/// and each step a sample. The summary uses the timing pass's per-step wall clock.
void measureMd(const Point& p, Potential* pot, const System& system, std::vector<Pass>& passes, Json& m) {
  EngineRequest rq = engineRequest(p, system);
  rq.potential = pot;
  EngineResult timing;
  std::vector<double> stepMs;
  MdOptions traced;  // traces from the timing pass only
  if (!p.traceDir.empty()) setTracePaths(p, traced);
  // The timing pass's production ends when the windows meet the criteria (in-process engines ask
  // after every step); the other passes then run as many steps.
  profilers::StoppingRule rule(p.criteria);
  MdWindows windows;
  const bool inProcess = findEngine(*p.engine).inProcess;
  for (size_t k = 0; k < passes.size(); ++k) {
    EngineRequest passRequest = rq;
    if (k == 0) {
      passRequest.md.tracePath = traced.tracePath;
      passRequest.md.trajectoryPath = traced.trajectoryPath;
      const profilers::WallClockCollector* clock = passes[0].clock;
      passRequest.enough = [&, clock](long steps) {
        if (steps % kMdWindowSteps) return false;
        const auto& s = clock->samples();
        const auto it = s.find("md_step");
        if (it == s.end()) return false;
        windows.update(it->second);
        const bool more = p.criteria.adaptive ? rule.more(windows.ms, windows.measuredS) : true;
        if (pointProgressDue())
          sayPointProgress(p.criteria.adaptive ? "step " + std::to_string(steps) + ": " + samplingProgress(rule, windows.ms, windows.measuredS, "windows")
                                               : "step " + std::to_string(steps) + " of " + std::to_string(p.criteria.fixedSamples));
        return !more;
      };
    } else if (timing.productionSteps > 0) {
      passRequest.md.steps = static_cast<int>(timing.productionSteps);
    }
    auto engine = createEngine(*p.engine, p.engineOptions);
    EngineResult result;
    runPass(passes[k], pot, p, m, [&] { result = engine->run(passRequest); });
    if (k == 0) {
      timing = std::move(result);
      const auto& samples = passes[0].clock->samples();
      if (auto it = samples.find("md_step"); it != samples.end()) stepMs = it->second;
    }
  }
  m["md"] = mdSummary(rq, timing, stepMs);
  Json& md = m["md"];
  // The timing record: windows of steps (in process), or the engine's own average.
  windows.update(stepMs);
  if (!stepMs.empty() && !windows.ms.empty()) {
    profilers::StoppingRule described = rule;
    if (!p.criteria.adaptive) {  // a fixed step count: its windows, described as such
      described = profilers::StoppingRule(profilers::StoppingCriteria::fixed(static_cast<int>(windows.ms.size())));
      described.setStoppedBy("fixed-count");
    } else if (described.stoppedBy().empty()) {
      described.setStoppedBy("max-steps");
    }
    Json t = described.describe(windows.ms, windows.measuredS, "ms per step (means of windows of " + std::to_string(kMdWindowSteps) + " steps)");
    if (!p.criteria.adaptive) t["criteria"] = {{"mode", "fixed"}, {"steps", p.criteria.fixedSamples}};
    const Json ci = t["ci95_ms"];
    // The interval is of the windows' median (each window's mean step, neighbour-list rebuilds
    // included), which ns_per_day_windows gives; ns_per_day, from the median single step, can lie
    // just outside it.
    md["ns_per_day_windows"] = units::nsPerDay(p.md.timestepFs, t["median_ms"].get<double>());
    md["ns_per_day_ci95"] = {units::nsPerDay(p.md.timestepFs, ci[1].get<double>()), units::nsPerDay(p.md.timestepFs, ci[0].get<double>())};
    md["windows"] = {{"steps_per_window", kMdWindowSteps}, {"ns_per_day", Json::array()}};
    for (double w : windows.ms) md["windows"]["ns_per_day"].push_back(units::nsPerDay(p.md.timestepFs, w));
    md["drift"] = mdDrift(windows.ms, p.md.timestepFs);
    m["timing"] = t;
  } else {
    m["timing"] = {{"criteria", {{"mode", "fixed"}, {"steps", p.md.steps}}},
                   {"unit", inProcess ? "ms per step" : "ms per step (the engine's own average over the run)"},
                   {"samples", stepMs.size()},
                   {"median_ms", md["ms_per_step"]["median"]},
                   {"ci95_ms", nullptr},
                   {"noise", nullptr},
                   {"met", true},
                   {"stopped_by", "fixed-count"}};
  }
  const double msPerStep = md["ms_per_step"]["median"].get<double>();
  const double atoms = std::max(1.0, md["atoms"].get<double>());
  m["throughput"] = {{"ms_per_step", msPerStep},
                     {"us_per_atom_step", 1e3 * msPerStep / atoms},
                     {"atom_steps_per_s", msPerStep > 0 ? atoms / (msPerStep * 1e-3) : 0.0},
                     {"ns_per_day", md["ns_per_day"]}};
  // The record names the files this run wrote (an engine may write no trajectory).
  for (const std::string& f : {traced.tracePath, traced.trajectoryPath}) {
    std::error_code ec;
    if (!f.empty() && fs::is_regular_file(fs::symlink_status(f, ec))) m["md"]["trace_files"].push_back(f);
  }
}

/// Single point through an engine (lammps over ranks): the engine evaluates `warmup` + `repeat`
/// times and reports the energy and each timed evaluation's wall time, the `total` stage here.
void measureEngineSinglePoint(const Point& p, const System& system, std::vector<Pass>& passes, Json& m) {
  EngineRequest rq = engineRequest(p, system);
  rq.mode = Mode::SinglePoint;
  rq.repeat = p.repeat;
  rq.warmup = p.warmup;
  auto engine = createEngine(*p.engine, p.engineOptions);
  EngineResult result;
  runPass(passes[0], nullptr, p, m, [&] { result = engine->run(rq); });
  if (!result.singlePointEnergy || !std::isfinite(*result.singlePointEnergy))
    throw std::runtime_error("engine " + *p.engine + " returned no finite single-point energy");
  const profilers::TimingSummary t = profilers::summarize(result.evaluationMs);
  m["stages"] = {{"total", {{"median_ms", t.medianMs}, {"min_ms", t.minMs}, {"max_ms", t.maxMs}, {"spread", t.spread}, {"samples", t.samples}}}};
  m["warmup"] = p.warmup;
  m["repeats"] = p.repeat;
  profilers::StoppingRule fixed(profilers::StoppingCriteria::fixed(p.repeat));
  fixed.setStoppedBy("fixed-count");
  double measuredS = 0;
  for (double ms : result.evaluationMs) measuredS += ms * 1e-3;
  m["timing"] = fixed.describe(result.evaluationMs, measuredS, "ms per energy+forces (timed by the engine)");
  const double atoms = static_cast<double>(std::max<size_t>(1, result.atoms ? result.atoms : system.size()));
  m["throughput"] = {{"ms_per_evaluation", t.medianMs}, {"us_per_atom_step", 1e3 * t.medianMs / atoms}, {"atom_steps_per_s", t.medianMs > 0 ? atoms / (t.medianMs * 1e-3) : 0.0}};
  m["energy_kj_mol"] = *result.singlePointEnergy;
  for (auto& [k, v] : result.extra.items()) m[k] = v;
}

}  // namespace

Measurement measure(const Point& p, const System& system) {
  const ModelEntry& entry = findModel(p.model, p.flavor);
  checkModelOptions(entry, p.modelOptions);
  Json collectorStatus = Json::object();
  std::vector<Pass> passes = planPasses(p, collectorStatus);
  // Out-of-process engines build the model themselves; everything else evaluates a live one.
  // The classical force field (cff) is built by the engine itself from the topology.
  const bool live = (p.evaluatesDirectly() || findEngine(*p.engine).inProcess) && p.configuration != Configuration::Cff;
  std::unique_ptr<Potential> pot = live ? createPotential(p.model, p.potentialOptions()) : nullptr;
  Measurement out;
  out.measurements = Json::object();
  const bool outOfProcess = p.engine && !findEngine(*p.engine).inProcess;
  if (outOfProcess || (p.engine && p.mode == Mode::SinglePoint)) {
    // The model runs in the engine's own processes: in-process collectors of their own pass see nothing.
    for (size_t k = 1; k < passes.size(); ++k)
      collectorStatus[passes[k].collector] = {{"status", "unavailable"}, {"reason", "the " + *p.engine + " engine evaluates the model in its own processes"}};
    passes.resize(1);
  }
  out.measurements["collectors"] = collectorStatus;
  if (p.mode == Mode::SinglePoint && p.engine)
    measureEngineSinglePoint(p, system, passes, out.measurements);
  else if (p.mode == Mode::SinglePoint)
    measureSinglePoint(p, entry, *pot, system, passes, out.measurements);
  else
    measureMd(p, pot.get(), system, passes, out.measurements);
  recordOverheads(passes, out.measurements);
  // Measured bytes per stage and analytic FLOPs: the stages' place on the device's roofline.
  if (p.device.isCuda() && out.measurements.contains("traffic") && out.measurements.contains("flops")) {
    const Json gpus = cudaDevices();
    const int index = std::max(0, p.device.index);
    if (index < static_cast<int>(gpus.size())) {
      Json roof = rooflineSection(out.measurements["traffic"], out.measurements["flops"], devicePeaks(gpus[index]));
      if (!roof.empty()) out.measurements["roofline"] = roof;
    }
  }
  out.model = pot ? pot->describe() : Json{{"name", p.model}, {"flavor", p.flavor}, {"options", p.modelOptions}};
  // A peer flavour runs a package's own implementation: every record names the package.
  if (const std::string& peer = findModel(p.model, p.flavor).peer; !peer.empty()) out.model["peer"] = peer;
  return out;
}

}  // namespace mlffb
