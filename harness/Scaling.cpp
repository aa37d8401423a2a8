#include "harness/Scaling.hpp"

#include <algorithm>
#include <map>

namespace mlffb {
namespace {

/// The engine's section of a run (md.lammps for MD, lammps for single points), or null.
const Json* engineSection(const Json& run) {
  const Json& m = run.at("measurements");
  const std::string engine = run.value("engine", "");
  if (m.contains("md") && m["md"].contains(engine)) return &m["md"][engine];
  if (m.contains(engine)) return &m[engine];
  return nullptr;
}

double msPerEvaluation(const Json& run) {
  const Json& m = run.at("measurements");
  if (m.contains("md")) return m["md"]["ms_per_step"]["median"].get<double>();
  return m["stages"]["total"]["median_ms"].get<double>();
}

}  // namespace

Json scalingSeries(const Json& runs) {
  std::map<std::string, std::vector<const Json*>> series;
  for (const auto& r : runs) {
    if (!r.contains("ranks") || r.value("status", "") != "ok" || !engineSection(r)) continue;
    const bool weak = r.value("scaling", "") == "weak";
    // The id without its rank count (strong), or without system and ranks (weak: the size varies).
    std::string id = r.at("id").get<std::string>();
    id = id.substr(0, id.rfind("/np"));
    if (weak) id = "weak:" + std::to_string(r.value("size_per_rank", 0)) + ":" + id.substr(id.find('/') + 1);
    series[id].push_back(&r);
  }
  Json out = Json::array();
  for (auto& [key, points] : series) {
    std::sort(points.begin(), points.end(), [](const Json* a, const Json* b) { return (*a)["ranks"].get<int>() < (*b)["ranks"].get<int>(); });
    const Json& base = *points.front();
    const bool weak = base.value("scaling", "") == "weak";
    const int p0 = base["ranks"].get<int>();
    const double t0 = msPerEvaluation(base);
    Json s;
    s["kind"] = weak ? "weak" : "strong";
    s["series"] = key;
    s["model"] = base["model"];
    s["engine"] = base["engine"];
    s["mode"] = base["mode"];
    s["precision"] = base["precision"];
    s["receptive_field_angstrom"] = (*engineSection(base)).value("receptive_field_angstrom", 0.0);
    Json pts = Json::array();
    for (const Json* r : points) {
      const Json& l = *engineSection(*r);
      const int p = (*r)["ranks"].get<int>();
      const double t = msPerEvaluation(*r);
      Json q;
      q["ranks"] = p;
      q["system"] = (*r)["system"].value("name", "");
      q["atoms"] = (*r)["system"].value("atoms", 0);
      q["grid"] = l.value("grid", Json::array());
      q["ms_per_step"] = t;
      // Strong: t(P0)/t(P) relative to the series' first point; weak: the work grows with P, so the
      // speed-up is the scaled one, (P/P0) t(P0)/t(P).
      const double speedup = weak ? (static_cast<double>(p) / p0) * t0 / t : t0 / t;
      q["speedup"] = speedup;
      q["efficiency"] = speedup / (static_cast<double>(p) / p0);
      if (l.contains("eq3_speedup")) {
        q["eq3_speedup"] = l["eq3_speedup"];
        q["eq3_efficiency"] = l["eq3_efficiency"];
      }
      q["ghost_fraction"] = l.value("mean_ghost_fraction", 0.0);
      q["max_rss_mib_per_rank"] = l.value("max_rss_mib_per_rank", 0.0);
      if (l.contains("timing")) {
        q["atom_steps_per_s"] = l["timing"].value("atom_steps_per_s", 0.0);
        Json pct = Json::object();
        for (const auto& [k, v] : l["timing"]["breakdown"].items()) pct[k] = v.value("percent", 0.0);
        q["breakdown_percent"] = pct;
      }
      pts.push_back(q);
    }
    s["points"] = pts;
    out.push_back(s);
  }
  return out;
}

}  // namespace mlffb
