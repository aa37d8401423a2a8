#include "harness/Budget.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace mlffb {

std::string seriesKey(const Point& p) {
  Point q = p;
  q.system.size = 0;
  q.system.path.clear();
  return q.id();
}

Json Prediction::toJson(double budgetS) const {
  return {{"seconds", seconds}, {"budget_s", budgetS}, {"exponent", exponent}, {"from", from}};
}

namespace {
/// The first MD point of a series, from the single point of the same model on the same system
/// (run just before it in a suite): every minimisation iteration, warm-up step and the fewest
/// production steps its criteria allow is one evaluation, at the single point's median. Neither
/// bound: less where minimisation converges early, more where its iterations backtrack (ANI-2x
/// torch in float32 at polyala-10: predicted 23 s, still running at 180 s).
std::optional<Prediction> predictMdFromSinglePoint(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan) {
  for (const Json& r : records) {
    if (r.value("status", "") != "ok") continue;
    const auto it = plan.find(r.value("id", ""));
    if (it == plan.end()) continue;
    const Point& q = *it->second;
    if (q.mode != Mode::SinglePoint || q.engine || q.system.name() != p.system.name() || q.model != p.model || q.flavor != p.flavor ||
        q.device.str() != p.device.str() || q.precision != p.precision || p.configuration != Configuration::Mlff)
      continue;
    const Json* ms = &r["measurements"]["timing"]["median_ms"];
    if (!ms->is_number()) continue;
    const double evalS = ms->get<double>() * 1e-3;
    double production = p.criteria.adaptive ? std::max<double>(p.criteria.minSamples * kMdWindowSteps, evalS > 0 ? p.criteria.minTimeS / evalS : 0)
                                            : p.criteria.fixedSamples;
    Prediction out;
    out.seconds = (p.md.minimizeSteps + p.md.warmupSteps + production) * evalS;
    out.exponent = 1;
    out.from.push_back({{"id", it->first}, {"size", q.system.size}, {"wall_s", r.value("wall_s", 0.0)}, {"ms_per_evaluation", ms->get<double>()},
                        {"evaluations", p.md.minimizeSteps + p.md.warmupSteps + production}});
    return out;
  }
  return std::nullopt;
}
}  // namespace

std::optional<Prediction> predictWall(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan) {
  if (p.system.isFile() || p.system.size <= 0) return std::nullopt;
  const std::string key = seriesKey(p);
  // Each point's wall time in two parts: its sampling (timing.measured_s), which the criteria bound
  // by max-time and which therefore does not grow past it, and the rest (setup, warm-up,
  // minimisation, the float64 check), which grows with size.
  struct Measured {
    int size;
    double wall, sampled;
    std::string id;
    double rest() const { return std::max(1e-9, wall - sampled); }
  };
  std::vector<Measured> measured;
  for (const Json& r : records) {
    if (r.value("status", "") != "ok" || !r.contains("wall_s")) continue;
    const auto it = plan.find(r.value("id", ""));
    if (it == plan.end() || it->second->system.size <= 0 || seriesKey(*it->second) != key) continue;
    double sampled = 0;
    if (r.contains("measurements") && r["measurements"].contains("timing") && r["measurements"]["timing"].contains("measured_s") &&
        r["measurements"]["timing"]["measured_s"].is_number())
      sampled = std::min(r["wall_s"].get<double>(), r["measurements"]["timing"]["measured_s"].get<double>());
    measured.push_back({it->second->system.size, r["wall_s"].get<double>(), sampled, it->first});
  }
  if (measured.empty()) return p.mode == Mode::Md ? predictMdFromSinglePoint(p, records, plan) : std::nullopt;
  std::sort(measured.begin(), measured.end(), [](const Measured& a, const Measured& b) { return a.size < b.size; });
  Prediction out;
  const Measured& top = measured.back();
  auto entry = [](const Measured& m) { return Json{{"id", m.id}, {"size", m.size}, {"wall_s", m.wall}, {"sampled_s", m.sampled}}; };
  if (measured.size() >= 2) {
    // The exponent through sizes at least a factor 2 apart where the series has them (90 and 100
    // residues differ by less than their noise: their ratio gave exponents past 3), else the next.
    const Measured* pick = &measured[measured.size() - 2];
    for (auto it = measured.rbegin() + 1; it != measured.rend(); ++it)
      if (2 * it->size <= top.size) {
        pick = &*it;
        break;
      }
    const Measured& below = *pick;
    if (top.size > below.size) out.exponent = std::log(top.rest() / below.rest()) / std::log(static_cast<double>(top.size) / below.size);
    out.exponent = std::clamp(out.exponent, 1.0, 3.0);
    out.from.push_back(entry(below));
  }
  out.from.push_back(entry(top));
  const double grow = std::pow(static_cast<double>(p.system.size) / top.size, out.exponent);
  const double sampled = p.criteria.adaptive ? std::min(p.criteria.maxTimeS, top.sampled * grow) : top.sampled * grow;
  out.seconds = top.rest() * grow + sampled;
  return out;
}

std::string smallerPastBudget(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan) {
  if (p.system.isFile() || p.system.size <= 0) return "";
  const std::string key = seriesKey(p);
  for (const Json& r : records) {
    if (r.value("status", "") != "skipped" || !r.contains("prediction")) continue;  // skipped for its budget
    const auto it = plan.find(r.value("id", ""));
    if (it != plan.end() && it->second->system.size > 0 && it->second->system.size < p.system.size && seriesKey(*it->second) == key)
      return it->second->system.name();
  }
  return "";
}

std::string describePrediction(const Prediction& p) {
  if (p.from.size() == 1 && p.from[0].contains("evaluations")) {  // an MD point from its single point
    char line[240];
    std::snprintf(line, sizeof line, "predicted %.0f s (%.0f evaluations — minimisation limit, warm-up, the fewest production steps — at %.1f ms each, from %s)",
                  p.seconds, p.from[0]["evaluations"].get<double>(), p.from[0]["ms_per_evaluation"].get<double>(), p.from[0]["id"].get<std::string>().c_str());
    return line;
  }
  char head[96];
  std::snprintf(head, sizeof head, "predicted %.0f s (∝ size^%.2f from ", p.seconds, p.exponent);
  std::string s = head;
  for (size_t i = 0; i < p.from.size(); ++i) {
    char one[160];
    std::snprintf(one, sizeof one, "%s%s at %.1f s", i ? " and " : "", p.from[i]["id"].get<std::string>().substr(0, p.from[i]["id"].get<std::string>().find('/')).c_str(),
                  p.from[i]["wall_s"].get<double>());
    s += one;
  }
  return s + ")";
}

}  // namespace mlffb
