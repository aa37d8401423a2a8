// The run plan as data: the periodic mode, a system's and a point's specification (their names,
// JSON for the worker, the system built by its family or read from its file), the device checks,
// and the suite section and identity of a plan. The planner that forms the points is Planner.cpp.
#include "harness/Plan.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "harness/Environment.hpp"
#include "harness/InputIdentity.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemFamily.hpp"
#include "systems/SystemIO.hpp"

namespace mlffb {
namespace fs = std::filesystem;

PbcMode parsePbcMode(const std::string& s) {
  if (s == "auto") return PbcMode::Auto;
  if (s == "on") return PbcMode::On;
  if (s == "off") return PbcMode::Off;
  throw std::invalid_argument("unknown --pbc '" + s + "' (auto, on, off)");
}
std::string toString(PbcMode m) { return m == PbcMode::Auto ? "auto" : (m == PbcMode::On ? "on" : "off"); }

void applyPbc(System& s, PbcMode mode, const std::string& where) {
  if (mode == PbcMode::Off) s.box.reset();
  if (mode == PbcMode::On && !s.box)
    throw std::invalid_argument(where + ": --pbc on, but the structure has no periodic cell (CRYST1 record, GRO box line or XYZ Lattice)");
}

const SystemFamilyEntry* SystemSpec::family() const { return SystemFamilyRegistry::instance().find(kind); }

std::string SystemSpec::name() const {
  if (const SystemFamilyEntry* f = family()) return f->pointName({size, neighbors, seed});
  return (label.empty() ? fs::path(path).stem().string() : label) + (frame > 1 ? "-frame" + std::to_string(frame) : "");
}

Json SystemSpec::toJson() const {
  return {{"kind", kind}, {"size", size},     {"neighbors", neighbors}, {"path", path},          {"seed", seed},
          {"pbc", toString(pbc)}, {"frame", frame}, {"min_distance", minDistance}, {"label", label}};
}

SystemSpec SystemSpec::fromJson(const Json& j) {
  SystemSpec s;
  s.kind = j.at("kind");
  s.size = j.at("size");
  s.neighbors = j.at("neighbors");
  s.path = j.at("path");
  s.seed = j.at("seed");
  s.pbc = parsePbcMode(j.at("pbc"));
  s.frame = j.at("frame");
  s.minDistance = j.at("min_distance");
  s.label = j.at("label");
  return s;
}

System SystemSpec::build() const {
  const SystemFamilyEntry* f = family();
  System s = f ? f->build({size, neighbors, seed}) : readSystem(path, ReadOptions{frame});
  const std::string where = isFile() ? path : name();
  applyPbc(s, pbc, where);
  requireSeparated(s, minDistance, where);
  s.name = name();
  return s;
}

Json SystemSpec::summary() const {
  Json j = {{"name", name()}, {"kind", kind}};
  if (isFile()) j["file"] = path;
  if (const SystemFamilyEntry* f = family()) j[f->sizeField] = size;
  return j;
}

std::string Point::id() const {
  return system.name() + "/" + model + "/" + flavor + "/" + (engine ? *engine + "/" : "") + toString(configuration) + "/" +
         toString(mode) + "/" + device.str() + "/" + toString(precision) + (ranks > 0 ? "/np" + std::to_string(ranks) : "");
}

PotentialOptions Point::potentialOptions() const {
  PotentialOptions po;
  po.flavor = flavor;
  po.device = device;
  po.precision = precision;
  po.seed = seed;
  po.options = modelOptions;
  return po;
}

Json Point::toJson() const {
  Json j;
  j["id"] = id();
  j["system"] = system.toJson();
  j["model"] = model;
  j["flavor"] = flavor;
  j["engine"] = engineName();
  j["ranks"] = ranks;
  j["weak_scaling"] = weakScaling;
  j["configuration"] = toString(configuration);
  j["mode"] = toString(mode);
  j["device"] = device.str();
  j["precision"] = toString(precision);
  j["repeat"] = repeat;
  j["warmup"] = warmup;
  j["criteria"] = criteria.toJson();
  j["md"] = mdProtocolJson(md);
  j["md"]["trace_every"] = md.traceEvery;
  j["trace_dir"] = traceDir;
  j["seed"] = seed;
  j["model_options"] = modelOptions;
  j["engine_options"] = engineOptions;
  j["collector_options"] = collectorOptions;
  j["collectors"] = collectors;
  j["skip_reason"] = skipReason;
  return j;
}

Point Point::fromJson(const Json& j) {
  Point p;
  p.system = SystemSpec::fromJson(j.at("system"));
  p.model = j.at("model");
  p.flavor = j.at("flavor");
  if (const std::string engine = j.at("engine"); engine != kNoEngine) p.engine = engine;
  p.ranks = j.value("ranks", 0);
  p.weakScaling = j.value("weak_scaling", false);
  p.configuration = parseConfiguration(j.at("configuration"));
  p.mode = parseMode(j.at("mode"));
  p.device = Device::parse(j.at("device"));
  p.precision = parsePrecision(j.at("precision"));
  p.repeat = j.at("repeat");
  p.warmup = j.at("warmup");
  p.criteria = profilers::StoppingCriteria::fromJson(j.at("criteria"));
  const Json& m = j.at("md");
  readMdProtocol(m, p.md);
  p.md.traceEvery = m.at("trace_every");
  p.traceDir = j.at("trace_dir");
  p.seed = j.at("seed");
  p.md.seed = p.seed;
  p.modelOptions = j.at("model_options").get<OptionValues>();
  p.engineOptions = j.at("engine_options").get<OptionValues>();
  p.collectorOptions = j.at("collector_options").get<OptionValues>();
  p.collectors = j.at("collectors").get<std::vector<std::string>>();
  p.skipReason = j.at("skip_reason");
  return p;
}

profilers::StoppingCriteria defaultCriteria(Mode mode, const CriteriaRequest& set) {
  profilers::StoppingCriteria c;
  if (mode == Mode::Md) {  // windows of steps: a little longer, MD has minimisation and warm-up besides
    c.minTimeS = 2.0;
    c.maxTimeS = 30.0;
  }
  if (set.minSamples > 0) c.minSamples = set.minSamples;
  if (set.minTimeS > 0) c.minTimeS = set.minTimeS;
  if (set.maxNoise > 0) c.maxNoise = set.maxNoise;
  if (set.maxTimeS > 0) c.maxTimeS = set.maxTimeS;
  if (c.minTimeS > c.maxTimeS) throw std::invalid_argument("--min-time (" + std::to_string(c.minTimeS) + " s) exceeds --max-time (" + std::to_string(c.maxTimeS) + " s)");
  return c;
}

int visibleCudaDevices() { return static_cast<int>(cudaDevices().size()); }

std::string deviceUnavailableReason(const Device& d) {
  if (!d.isCuda()) return "";
  const int n = visibleCudaDevices();
  if (n == 0) return "no CUDA device visible on this machine";
  if (d.index >= n) return "device " + d.str() + " asked for, but " + std::to_string(n) + " CUDA device(s) are visible";
  return "";
}

Json planIdentity(const Json& suite, const std::vector<Point>& points) {
  Json id = suite;
  for (const char* k : {"points", "skipped_at_plan_time", "axes", "plan_identity", "journal_lines_skipped"}) id.erase(k);
  Json ids = Json::array();
  for (const auto& p : points) ids.push_back(p.id());
  id["point_ids"] = ids;
  id["inputs"] = inputDigests(points);
  return id;
}

Json suiteJson(const RunRequest& r, const std::vector<Point>& points) {
  Json j;
  j["name"] = r.files.empty() ? (r.suite.empty() ? "polyala" : r.suite) : "files";
  j["quick"] = r.quick;
  j["points"] = points.size();
  size_t skipped = 0;
  for (const auto& p : points) skipped += !p.skipReason.empty();
  j["skipped_at_plan_time"] = skipped;
  j["seed"] = r.settings.seed;
  j["model_settings"] = r.settings.options;  // as given; each run's model section says what it used
  j["pbc"] = toString(r.pbc);
  std::map<std::string, std::vector<std::string>> axes;
  auto add = [&](const std::string& axis, const std::string& v) {
    auto& a = axes[axis];
    if (std::find(a.begin(), a.end(), v) == a.end()) a.push_back(v);
  };
  for (const auto& p : points) {
    add("systems", p.system.name());
    add("models", p.model);
    add("flavors", p.flavor);
    add("engines", p.engineName());
    add("configurations", toString(p.configuration));
    add("modes", toString(p.mode));
    add("devices", p.device.str());
    add("precisions", toString(p.precision));
  }
  j["axes"] = axes;
  if (const auto search = sizeSearchOf(r))
    j["search"] = search->toJson();
  if (!points.empty()) {
    j["collectors"] = points.front().collectors;
    j["repeat"] = points.front().repeat;
    j["warmup"] = points.front().warmup;
    j["md"] = points.front().toJson()["md"];
    Json criteria = Json::object();  // per mode: what the points of that mode stop on
    for (const auto& p : points) criteria[toString(p.mode)] = p.criteria.toJson();
    j["criteria"] = criteria;
  }
  return j;
}

}  // namespace mlffb