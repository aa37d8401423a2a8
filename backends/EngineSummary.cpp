// mdSummary: every engine's run reported the same way (see Engine.hpp).
#include <stdexcept>

#include "backends/Engine.hpp"
#include "core/Units.hpp"
#include "profilers/WallClockCollector.hpp"

namespace mlffb {
namespace {
/// Least-squares slope of y against x.
double slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (x.size() < 2) return 0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    sx += x[i];
    sy += y[i];
    sxx += x[i] * x[i];
    sxy += x[i] * y[i];
  }
  const double den = n * sxx - sx * sx;
  return den > 0 ? (n * sxy - sx * sy) / den : 0;
}
}  // namespace

Integrator parseIntegrator(const std::string& s) {
  if (s == "langevin") return Integrator::Langevin;
  if (s == "nve") return Integrator::Nve;
  throw std::invalid_argument("unknown integrator '" + s + "' (langevin, nve)");
}
std::string toString(Integrator i) { return i == Integrator::Langevin ? "langevin" : "nve"; }

nlohmann::ordered_json mdSummary(const EngineRequest& rq, const EngineResult& r, const std::vector<double>& stepMs) {
  const MdOptions& o = rq.md;
  const MinimizationSummary& m = r.minimization;
  nlohmann::ordered_json out;
  const size_t simulated = r.atoms > 0 ? r.atoms : rq.system ? rq.system->size() : 0;
  out["atoms"] = simulated;  // what the engine simulated, solvent it added included
  out["minimization"] = {{"steps", m.steps},
                         {"converged", m.converged},
                         {"tolerance_kj_mol_a", m.toleranceKJPerMolA},
                         {"final_max_force_kj_mol_a", m.finalMaxForce},
                         {"initial_energy_kj_mol", m.initialEnergy},
                         {"final_energy_kj_mol", m.finalEnergy}};
  out["integrator"] = toString(o.integrator);
  out["timestep_fs"] = o.timestepFs;
  out["steps"] = r.productionSteps > 0 ? r.productionSteps : static_cast<long>(o.steps);
  out["warmup_steps"] = o.warmupSteps;
  out["temperature_target_k"] = o.temperatureK;
  // An engine with its own thermostat names it in extra["integrator"] (it replaces this one).
  if (o.integrator == Integrator::Langevin && !r.extra.contains("integrator")) out["friction_per_ps"] = o.frictionPerPs;
  double median = 0;
  if (!stepMs.empty()) {
    median = profilers::percentile(stepMs, 0.5);
    out["ms_per_step"] = {{"median", median}, {"p10", profilers::percentile(stepMs, 0.1)}, {"p90", profilers::percentile(stepMs, 0.9)}};
    out["step_timing"] = "per-step wall clock in process";
  } else {
    median = r.reportedMsPerStep.value_or(0.0);
    out["ms_per_step"] = {{"median", median}, {"p10", median}, {"p90", median}};
    out["step_timing"] = r.reportedMsPerStep ? "reported by the engine (average)" : "not measured";
  }
  out["ns_per_day"] = units::nsPerDay(o.timestepFs, median);
  out["neighbor_rebuilds"] = r.neighborRebuilds;
  out["neighbor_list"] = r.neighborList;
  double meanT = 0;
  for (double t : r.temperatureK) meanT += t;
  out["mean_temperature_k"] = r.temperatureK.empty() ? 0.0 : meanT / static_cast<double>(r.temperatureK.size());
  std::vector<double> totals(r.potentialKJPerMol.size());
  for (size_t i = 0; i < totals.size(); ++i) totals[i] = r.potentialKJPerMol[i] + r.kineticKJPerMol[i];
  const double atoms = simulated > 0 ? static_cast<double>(simulated) : 1.0;
  out["energy_drift_kj_mol_ps_atom"] = slope(r.timePs, totals) / atoms;
  out["final_potential_energy_kj_mol"] = r.potentialKJPerMol.empty() ? 0.0 : r.potentialKJPerMol.back();
  for (auto& [k, v] : r.extra.items()) out[k] = v;
  return out;
}

nlohmann::ordered_json mdProtocolJson(const MdOptions& md) {
  return {{"steps", md.steps},
          {"warmup_steps", md.warmupSteps},
          {"dt_fs", md.timestepFs},
          {"integrator", toString(md.integrator)},
          {"temperature_k", md.temperatureK},
          {"friction_per_ps", md.frictionPerPs},
          {"minimize_steps", md.minimizeSteps},
          {"minimize_tolerance", md.minimizeToleranceKJPerMolA},
          {"skin", md.skinAngstrom}};
}

void readMdProtocol(const nlohmann::ordered_json& j, MdOptions& md) {
  md.steps = j.at("steps");
  md.warmupSteps = j.at("warmup_steps");
  md.timestepFs = j.at("dt_fs");
  md.integrator = parseIntegrator(j.at("integrator"));
  md.temperatureK = j.at("temperature_k");
  md.frictionPerPs = j.at("friction_per_ps");
  md.minimizeSteps = j.at("minimize_steps");
  md.minimizeToleranceKJPerMolA = j.at("minimize_tolerance");
  md.skinAngstrom = j.at("skin");
}

}  // namespace mlffb
