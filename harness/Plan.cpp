#include "harness/Plan.hpp"

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "backends/EngineRegistry.hpp"
#include "harness/Environment.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/RandomSystemBuilder.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace fs = std::filesystem;

std::string SystemSpec::name() const {
  if (kind == "polyala") return "polyala-" + std::to_string(size);
  if (kind == "random") return "random-" + std::to_string(size) + "-n" + std::to_string(static_cast<int>(std::lround(neighbors)));
  return fs::path(path).stem().string();
}

Json SystemSpec::toJson() const {
  return {{"kind", kind}, {"size", size}, {"neighbors", neighbors}, {"path", path}, {"seed", seed}};
}

SystemSpec SystemSpec::fromJson(const Json& j) {
  SystemSpec s;
  s.kind = j.at("kind");
  s.size = j.at("size");
  s.neighbors = j.at("neighbors");
  s.path = j.at("path");
  s.seed = j.at("seed");
  return s;
}

System SystemSpec::build() const {
  if (kind == "polyala") {
    PolyAlanineOptions o;
    o.seed = seed;
    o.chainResidues = std::max(1000, size);
    System s = PolyAlanineBuilder(o).build(size);
    return s;
  }
  if (kind == "random") {
    RandomSystemOptions o;
    o.atoms = size;
    o.neighbors = neighbors;
    o.seed = seed;
    return buildRandomSystem(o);
  }
  return readSystem(path);
}

PotentialOptions RunSettings::potentialOptions(const std::string& flavor, const std::string& device, Precision precision) const {
  PotentialOptions po;
  po.flavor = flavor;
  po.device = device;
  po.precision = precision;
  po.weightsDir = weights;
  po.seed = seed;
  po.extra = modelSettings;
  if (member >= 0) po.extra["member"] = std::to_string(member);
  return po;
}

std::string Point::id() const {
  std::string id = system.name() + "/" + model + "/" + flavor + "/" + (mode == "md" ? engine + "/" : "") + configuration + "/" + mode +
                   "/" + device + "/" + precision;
  return id;
}

Json Point::toJson() const {
  Json j;
  j["id"] = id();
  j["system"] = system.toJson();
  j["model"] = model;
  j["flavor"] = flavor;
  j["engine"] = engine;
  j["configuration"] = configuration;
  j["mode"] = mode;
  j["device"] = device;
  j["precision"] = precision;
  j["repeat"] = repeat;
  j["warmup"] = warmup;
  const MdOptions& md = settings.md;
  j["md"] = {{"steps", md.steps},
             {"warmup_steps", md.warmupSteps},
             {"dt_fs", md.timestepFs},
             {"integrator", settings.integrator},
             {"temperature_k", md.temperatureK},
             {"friction_per_ps", md.frictionPerPs},
             {"minimize_steps", md.minimizeSteps},
             {"minimize_tolerance", md.minimizeToleranceKJPerMolA},
             {"skin", md.skinAngstrom},
             {"trace_every", md.traceEvery}};
  j["trace_dir"] = settings.traceDir;
  j["weights"] = settings.weights;
  j["member"] = settings.member;
  j["seed"] = settings.seed;
  j["model_settings"] = settings.modelSettings;
  return j;
}

Point Point::fromJson(const Json& j) {
  Point p;
  p.system = SystemSpec::fromJson(j.at("system"));
  p.model = j.at("model");
  p.flavor = j.at("flavor");
  p.engine = j.at("engine");
  p.configuration = j.at("configuration");
  p.mode = j.at("mode");
  p.device = j.at("device");
  p.precision = j.at("precision");
  p.repeat = j.at("repeat");
  p.warmup = j.at("warmup");
  const Json& m = j.at("md");
  RunSettings& st = p.settings;
  st.md.steps = m.at("steps");
  st.md.warmupSteps = m.at("warmup_steps");
  st.md.timestepFs = m.at("dt_fs");
  st.integrator = m.at("integrator");
  st.md.temperatureK = m.at("temperature_k");
  st.md.frictionPerPs = m.at("friction_per_ps");
  st.md.minimizeSteps = m.at("minimize_steps");
  st.md.minimizeToleranceKJPerMolA = m.at("minimize_tolerance");
  st.md.skinAngstrom = m.at("skin");
  st.md.traceEvery = m.at("trace_every");
  st.traceDir = j.at("trace_dir");
  st.weights = j.at("weights");
  st.member = j.at("member");
  st.seed = j.at("seed");
  st.modelSettings = j.at("model_settings").get<std::map<std::string, std::string>>();
  return p;
}

int visibleCudaDevices() { return static_cast<int>(cudaDevices().size()); }

std::string defaultAniWeights() {
  if (const char* e = std::getenv("MLFFB_ANI2X_WEIGHTS")) return fs::is_directory(e) ? std::string(e) : std::string();
  const fs::path p = fs::path(MLFFB_SOURCE_DIR).parent_path() / "shared" / "models" / "ani-2x_8x";
  return fs::is_directory(p) ? p.lexically_normal().string() : std::string();
}

namespace {
template <class T>
std::vector<T> pick(const std::vector<T>& over, const std::vector<T>& base) {
  return over.empty() ? base : over;
}

/// The flavours of `model` to run: the asked ones it has (torchscript serves any model), or all
/// of its registered ones.
std::vector<std::string> flavorsOf(const std::string& model, const std::vector<std::string>& asked) {
  std::vector<std::string> f;
  for (const auto& e : modelRegistry())
    if (asked.empty() ? e.model == model
                      : ((e.model == model || e.model == "*") && std::find(asked.begin(), asked.end(), e.flavor) != asked.end()))
      f.push_back(e.flavor);
  return f;
}
}  // namespace

std::vector<Point> expandPlan(const RunRequest& r) {
  SuiteSpec s;
  if (!r.files.empty()) {
    s.name = "files";
    s.systems = "files";
    s.files = r.files;
    s.models = {"ani2x"};
  } else {
    s = findSuite(r.suite.empty() ? "polyala" : r.suite);
  }
  if (r.quick) {
    if (!s.quickSizes.empty()) s.sizes = s.quickSizes;
    if (!s.quickNeighbors.empty()) s.neighbors = s.quickNeighbors;
    s.repeat = 3;
    s.mdSteps = 100;
    s.mdWarmupSteps = 10;
  }
  const std::vector<int> sizes = pick(r.sizes, s.sizes);
  for (int n : sizes)
    if (n <= 0) throw std::invalid_argument("--sizes: sizes must be positive (got " + std::to_string(n) + ")");
  const std::vector<double> neighbors = pick(r.neighbors, s.neighbors);
  for (double m : neighbors)
    if (!(m > 0)) throw std::invalid_argument("--neighbors must be positive");
  std::vector<std::string> devices = pick(r.devices, s.devices);
  if (devices.empty()) {
    devices = {"cpu"};
    if (visibleCudaDevices() > 0) devices.push_back("cuda");
  }
  const int repeat = r.repeat > 0 ? r.repeat : s.repeat;
  const int warmup = r.warmup >= 0 ? r.warmup : s.warmup;
  if (r.repeat == 0) throw std::invalid_argument("--repeat must be at least 1");
  std::vector<std::string> modes = pick(r.modes, s.modes);
  for (const auto& m : modes)
    if (m != "single-point" && m != "md") throw std::invalid_argument("--mode must be single-point or md (got '" + m + "')");
  for (const auto& c : pick(r.configurations, s.configurations))
    if (c != "mlff" && c != "cff" && c != "cml") throw std::invalid_argument("--configuration must be mlff, cff or cml (got '" + c + "')");
  for (const auto& p : pick(r.precisions, s.precisions)) parsePrecision(p);
  parseIntegrator(r.settings.integrator);
  const std::vector<std::string> models = pick(r.models, s.models);
  for (const auto& m : models) {
    bool known = false;
    for (const auto& e : modelRegistry()) known = known || e.model == m;
    if (!known) findModel(m, r.flavors.empty() ? "native" : r.flavors.front());  // throws with the known models
  }
  for (const auto& f : r.flavors) {
    bool used = false;
    for (const auto& m : models) {
      const auto fl = flavorsOf(m, {f});
      used = used || !fl.empty();
    }
    if (!used) findModel(models.front(), f);  // throws with the known model/flavour pairs
  }
  for (const auto& e : pick(r.engines, s.engines)) {
    bool known = false;
    for (const auto& x : engineRegistry()) known = known || x.name == e;
    if (!known) createEngine(e);  // throws with the list
  }

  std::vector<SystemSpec> systems;
  if (s.systems == "polyala") {
    for (int n : sizes) systems.push_back({"polyala", n, 0, "", r.settings.seed});
  } else if (s.systems == "random") {
    for (int n : sizes)
      for (double m : neighbors) systems.push_back({"random", n, m, "", r.settings.seed});
  } else {
    for (const auto& f : s.files) {
      if (!fs::is_regular_file(f)) throw std::invalid_argument(f + ": cannot open");
      systems.push_back({"file", 0, 0, fs::absolute(f).string(), r.settings.seed});
    }
  }
  std::vector<Point> points;
  for (const auto& sys : systems)
    for (const auto& mode : modes) {
      if (r.quick && mode == "md" && r.sizes.empty() && !s.quickMdSizes.empty() &&
          std::find(s.quickMdSizes.begin(), s.quickMdSizes.end(), sys.size) == s.quickMdSizes.end())
        continue;
      for (const auto& model : models)
        for (const auto& flavor : flavorsOf(model, r.flavors))
          for (const auto& engine : mode == "md" ? pick(r.engines, s.engines) : std::vector<std::string>{"none"})
            for (const auto& config : pick(r.configurations, s.configurations))
              for (const auto& device : devices)
                for (const auto& prec : pick(r.precisions, s.precisions)) {
                  Point p;
                  p.system = sys;
                  p.model = model;
                  p.flavor = flavor;
                  p.engine = engine;
                  p.configuration = config;
                  p.mode = mode;
                  p.device = device;
                  p.precision = prec;
                  p.repeat = repeat;
                  p.warmup = warmup;
                  p.settings = r.settings;
                  MdOptions& md = p.settings.md;
                  if (!r.mdStepsSet) md.steps = s.mdSteps;
                  if (!r.mdWarmupSet) md.warmupSteps = s.mdWarmupSteps;
                  if (r.quick && !r.mdStepsSet) md.minimizeSteps = std::min(md.minimizeSteps, s.quickMinimizeSteps);
                  if (p.settings.weights.empty() && mode == "md" && model == "ani2x") p.settings.weights = defaultAniWeights();
                  points.push_back(std::move(p));
                }
    }
  return points;
}

Json suiteJson(const RunRequest& r, const std::vector<Point>& points) {
  Json j;
  j["name"] = r.files.empty() ? (r.suite.empty() ? "polyala" : r.suite) : "files";
  j["quick"] = r.quick;
  j["points"] = points.size();
  j["seed"] = r.settings.seed;
  j["weights"] = r.settings.weights.empty() ? "random(seed=" + std::to_string(r.settings.seed) + ")" : r.settings.weights;
  j["model_settings"] = r.settings.modelSettings;
  std::map<std::string, std::vector<std::string>> axes;
  auto add = [&](const std::string& axis, const std::string& v) {
    auto& a = axes[axis];
    if (std::find(a.begin(), a.end(), v) == a.end()) a.push_back(v);
  };
  for (const auto& p : points) {
    add("systems", p.system.name());
    add("models", p.model);
    add("flavors", p.flavor);
    add("engines", p.engine);
    add("configurations", p.configuration);
    add("modes", p.mode);
    add("devices", p.device);
    add("precisions", p.precision);
  }
  j["axes"] = axes;
  if (!points.empty()) {
    j["repeat"] = points.front().repeat;
    j["warmup"] = points.front().warmup;
    j["md"] = points.front().toJson()["md"];
  }
  return j;
}

}  // namespace mlffb
