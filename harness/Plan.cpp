#include "harness/Plan.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "backends/EngineRegistry.hpp"
#include "harness/Environment.hpp"
#include "harness/OptionCatalog.hpp"
#include "harness/Suites.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/RandomSystemBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/torchscript/ModelExport.hpp"

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

std::string SystemSpec::name() const {
  if (kind == "polyala") return "polyala-" + std::to_string(size);
  if (kind == "random") return "random-" + std::to_string(size) + "-n" + std::to_string(static_cast<int>(std::lround(neighbors)));
  if (kind == "water") return "water-" + std::to_string(size);
  if (kind == "solvated") return "solvated-" + std::to_string(size);
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
  System s;
  if (kind == "polyala") {
    PolyAlanineOptions o;
    o.seed = seed;
    o.chainResidues = std::max(1000, size);
    s = PolyAlanineBuilder(o).build(size);
  } else if (kind == "random") {
    RandomSystemOptions o;
    o.atoms = size;
    o.neighbors = neighbors;
    o.seed = seed;
    s = buildRandomSystem(o);
  } else if (kind == "water") {
    s = buildWaterBox(size, seed);
  } else if (kind == "solvated") {
    PolyAlanineOptions o;
    o.seed = seed;
    SolvationOptions so;
    so.seed = seed;
    const System box = Solvator(so).solvate(PolyAlanineBuilder(o).build(kSolvatedSliceResidues));
    const auto grid = replicaGrid(static_cast<double>(size) / static_cast<double>(box.size()));
    s = replicate(box, grid[0], grid[1], grid[2]);
    s.provenance.builder = "solvated-replicas";
    for (auto& [k, v] : s.provenance.parameters)
      if (k == "residues") k = "slice_residues";  // the record counts the copies' residues
    s.provenance.parameters.emplace_back("requested_atoms", std::to_string(size));
  } else {
    s = readSystem(path, ReadOptions{frame});
  }
  const std::string where = kind == "file" ? path : name();
  applyPbc(s, pbc, where);
  requireSeparated(s, minDistance, where);
  s.name = name();
  return s;
}

Json SystemSpec::summary() const {
  Json j = {{"name", name()}, {"kind", kind}};
  if (kind == "file") j["file"] = path;
  if (kind == "polyala") j["residues"] = size;
  if (kind == "random" || kind == "solvated") j["requested_atoms"] = size;
  if (kind == "water") j["molecules"] = size;
  return j;
}

std::string Point::id() const {
  return system.name() + "/" + model + "/" + flavor + "/" + (engine != "none" ? engine + "/" : "") + toString(configuration) + "/" +
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
  j["engine"] = engine;
  j["ranks"] = ranks;
  j["weak_scaling"] = weakScaling;
  j["configuration"] = toString(configuration);
  j["mode"] = toString(mode);
  j["device"] = device.str();
  j["precision"] = toString(precision);
  j["repeat"] = repeat;
  j["warmup"] = warmup;
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
  p.engine = j.at("engine");
  p.ranks = j.value("ranks", 0);
  p.weakScaling = j.value("weak_scaling", false);
  p.configuration = parseConfiguration(j.at("configuration"));
  p.mode = parseMode(j.at("mode"));
  p.device = Device::parse(j.at("device"));
  p.precision = parsePrecision(j.at("precision"));
  p.repeat = j.at("repeat");
  p.warmup = j.at("warmup");
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

int visibleCudaDevices() { return static_cast<int>(cudaDevices().size()); }

std::string deviceUnavailableReason(const Device& d) {
  if (!d.isCuda()) return "";
  const int n = visibleCudaDevices();
  if (n == 0) return "no CUDA device visible on this machine";
  if (d.index >= n) return "device " + d.str() + " asked for, but " + std::to_string(n) + " CUDA device(s) are visible";
  return "";
}

namespace {
const std::string kClassicalModel = "classical";
template <class T>
std::vector<T> pick(const std::vector<T>& over, const std::vector<T>& base) {
  return over.empty() ? base : over;
}

/// Parses every value of an axis (an unknown one is a usage error naming the option).
template <class T, class Parse>
std::vector<T> parseAxis(const std::vector<std::string>& values, const char* option, Parse parse) {
  std::vector<T> out;
  for (const auto& v : values) {
    try {
      out.push_back(parse(v));
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(option) + ": " + e.what());
    }
  }
  return out;
}

/// The options of `values` that `declared` declares.
OptionValues declaredSubset(const OptionValues& values, const std::vector<OptionSpec>& declared) {
  OptionValues out;
  for (const auto& spec : declared)
    if (auto it = values.find(spec.key); it != values.end()) out[spec.key] = it->second;
  return out;
}

std::string listOf(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

/// Files with one stem (a/x.pdb, b/x.pdb) get names told apart by their folders (x~a, x~b), or
/// by their place in the list when the folders have one name too.
void labelFilesApart(std::vector<SystemSpec>& files) {
  std::map<std::string, std::vector<SystemSpec*>> byStem;
  for (auto& f : files) byStem[fs::path(f.path).stem().string()].push_back(&f);
  for (auto& [stem, group] : byStem) {
    if (group.size() < 2) continue;
    std::set<std::string> folders;
    for (auto* f : group) folders.insert(fs::path(f->path).parent_path().filename().string());
    for (size_t k = 0; k < group.size(); ++k)
      group[k]->label = stem + "~" +
                        (folders.size() == group.size() ? fs::path(group[k]->path).parent_path().filename().string() : std::to_string(k + 1));
  }
}

/// Why a point cannot run in this build on this machine, or empty (the order is the order a
/// user would fix things in: the flavour, its device, the machine, precision, the engine).
std::string skipReasonOf(const Point& p, const ModelEntry& model) {
  if (const Availability a = model.availability(); !a.available) return model.name + " is unavailable: " + a.reason;
  const Capabilities mc = model.capabilities();
  if (!mc.supports(p.device.kind)) {
    std::vector<std::string> kinds;
    for (auto k : mc.devices) kinds.push_back(toString(k));
    return model.name + " cannot run on " + toString(p.device.kind) + " in this build (it runs on: " + listOf(kinds) + ")";
  }
  if (const std::string why = deviceUnavailableReason(p.device); !why.empty()) return why;
  if (model.unsupportedReason)
    if (const std::string why = model.unsupportedReason(p.device.kind, p.precision); !why.empty()) return model.name + ": " + why;
  if (!mc.supports(p.precision)) return model.name + " has no " + toString(p.precision) + " (it has: " + joinNames(mc.precisions) + ")";
  if (!mc.supports(p.device.kind, p.precision)) {
    std::vector<std::string> where;
    for (const auto& [q, k] : mc.precisionOnlyOn)
      if (q == p.precision) where.push_back(toString(k));
    return model.name + " runs " + toString(p.precision) + " on " + listOf(where) + " only, not on " + toString(p.device.kind);
  }
  if (p.mode == Mode::SinglePoint && p.engine == "none") {
    if (p.configuration != Configuration::Mlff)
      return "a single point evaluates the model alone (configuration mlff); " + toString(p.configuration) +
             " needs an MD engine with classical force fields";
    return "";
  }
  const EngineEntry& engine = findEngine(p.engine);
  if (!engine.unavailableFor)
    if (const Availability a = engine.availability(); !a.available) return "engine " + engine.name + " is unavailable: " + a.reason;
  const Capabilities ec = engine.capabilities();
  if (!ec.supports(p.configuration)) {
    std::vector<std::string> others;
    for (const auto& e : EngineRegistry::instance().entries())
      if (e.available() && e.capabilities().supports(p.configuration)) others.push_back(e.name);
    return "engine " + engine.name + " runs configuration " + joinNames(ec.configurations) + " only; " +
           (others.empty() ? "no engine in this build runs " + toString(p.configuration)
                           : "engines that run " + toString(p.configuration) + ": " + listOf(others));
  }
  if (!ec.supports(p.device.kind)) return "engine " + engine.name + " cannot drive a model on " + toString(p.device.kind);
  if (!engine.modelFlavor.empty() && p.configuration != Configuration::Cff && p.flavor != engine.modelFlavor)
    return "engine " + engine.name + " evaluates the model as exported TorchScript, the " + engine.modelFlavor +
           " flavour's computation: ask for --flavor " + engine.modelFlavor;
  if (!engine.modelFlavor.empty() && p.configuration != Configuration::Cff && !model.exporter)
    return "engine " + engine.name + " evaluates the model as exported TorchScript, and " + model.name + " declares no export (models that do: " +
           exportableModelList() + ")";
  if (engine.distributed && !model.subdomain) {
    std::vector<std::string> able;
    for (const auto& e : ModelRegistry::instance().entries())
      if (e.subdomain) able.push_back(e.name);
    return model.name + " cannot evaluate a subdomain (owned + ghost atoms), which engine " + engine.name + " needs; flavours that can: " + listOf(able);
  }
  if (engine.unavailableFor)
    if (std::string why = engine.unavailableFor(p.configuration, p.engineOptions); !why.empty()) return "engine " + engine.name + ": " + why;
  if (!ec.supports(p.precision)) return "engine " + engine.name + " runs " + joinNames(ec.precisions) + " only";
  return "";
}

/// Every option given on the command line must be declared by an entry this plan uses, and
/// every value must fit its declaration; both are checked before any work starts.
void checkOptions(const OptionValues& given, const std::set<std::string>& usedEntries) {
  for (const auto& [key, value] : given) {
    const CatalogOption* c = findOption(key);
    if (!c) throw std::invalid_argument("unknown option '" + key + "'");
    const std::string why = c->spec.check(value);
    if (!why.empty()) throw std::invalid_argument(why);
    bool used = false;
    for (const auto& owner : c->owners) used = used || usedEntries.count(owner);
    if (!used)
      throw std::invalid_argument("--" + c->spec.flag + " is an option of " + c->ownerList() + ", which this plan does not run");
  }
}
}  // namespace

Json planIdentity(const Json& suite, const std::vector<Point>& points) {
  Json id = suite;
  for (const char* k : {"points", "skipped_at_plan_time", "axes", "plan_identity", "journal_lines_skipped"}) id.erase(k);
  Json ids = Json::array();
  for (const auto& p : points) ids.push_back(p.id());
  id["point_ids"] = ids;
  return id;
}

namespace {
SuiteSpec specOf(const RunRequest& r) { return r.files.empty() ? findSuite(r.suite.empty() ? "polyala" : r.suite).spec : SuiteSpec{}; }
}  // namespace

std::optional<SizeSearch> sizeSearchOf(const RunRequest& r) {
  const SuiteSpec s = specOf(r);
  if (!s.sizeSearch) {
    if (r.searchLimit > 0) throw std::invalid_argument("--search-limit applies to size-search suites (max-atoms)");
    if (r.searchTime > 0) throw std::invalid_argument("--search-time applies to size-search suites (max-atoms)");
    return std::nullopt;
  }
  SizeSearch search;
  const std::vector<int> sizes = r.sizes.empty() ? s.sizes : r.sizes;
  if (sizes.size() != 1) throw std::invalid_argument("--sizes: a size search starts from one size");
  search.start = sizes.front();
  search.limit = r.searchLimit > 0 ? r.searchLimit : (r.quick && s.quickSearchLimit > 0 ? s.quickSearchLimit : s.searchLimit);
  search.timeSeconds = r.searchTime;
  if (search.start > search.limit)
    throw std::invalid_argument("--sizes: the search starts at " + std::to_string(search.start) + ", beyond its limit " + std::to_string(search.limit));
  return search;
}

std::vector<Point> expandPlan(const RunRequest& r) {
  sizeSearchOf(r);  // refuses a search it cannot run before anything else
  SuiteSpec s;
  if (!r.files.empty()) {
    if (!r.systems.empty()) throw std::invalid_argument("--systems chooses a suite's system families; --in runs the files given");
    s.systems = {"files"};
    s.files = r.files;
    s.models = {"ani2x"};
  } else {
    s = findSuite(r.suite.empty() ? "polyala" : r.suite).spec;
  }
  if (r.quick) {
    if (!s.quickSizes.empty()) s.sizes = s.quickSizes;
    if (!s.quickNeighbors.empty()) s.neighbors = s.quickNeighbors;
    if (!s.quickRanks.empty()) s.ranks = s.quickRanks;
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
  std::vector<std::string> deviceNames = pick(r.devices, s.devices);
  if (deviceNames.empty()) {
    deviceNames = {"cpu"};
    if (visibleCudaDevices() > 0) deviceNames.push_back("cuda");
  }
  const auto devices = parseAxis<Device>(deviceNames, "--device", Device::parse);
  const auto modes = parseAxis<Mode>(pick(r.modes, s.modes), "--mode", parseMode);
  const auto configurations = parseAxis<Configuration>(pick(r.configurations, s.configurations), "--configuration", parseConfiguration);
  const auto precisions = parseAxis<Precision>(pick(r.precisions, s.precisions), "--precision", parsePrecision);
  const int repeat = r.repeat > 0 ? r.repeat : s.repeat;
  const int warmup = r.warmup >= 0 ? r.warmup : s.warmup;
  if (r.repeat == 0) throw std::invalid_argument("--repeat must be at least 1");
  if (r.frame < 1) throw std::invalid_argument("--frame must be at least 1");

  std::vector<std::string> models = pick(r.models, s.models);
  // The classical force field is the model of every cff point (and of cff points only).
  const bool wantsCff = std::find(configurations.begin(), configurations.end(), Configuration::Cff) != configurations.end();
  if (wantsCff && std::find(models.begin(), models.end(), kClassicalModel) == models.end()) models.push_back(kClassicalModel);
  for (const auto& m : models)
    if (!knownModel(m) && r.flavors.empty()) findModel(m, "native");  // throws with the known models
  // The flavours of each model: the asked ones (torchscript serves any model), or all registered.
  std::map<std::string, std::vector<const ModelEntry*>> flavorsByModel;
  for (const auto& m : models) {
    if (r.flavors.empty() || m == kClassicalModel) {
      flavorsByModel[m] = flavorsOf(m);
      continue;
    }
    for (const auto& f : r.flavors) {
      bool exists = false;
      for (const auto& e : ModelRegistry::instance().entries()) exists = exists || ((e.model == m || e.model == "*") && e.flavor == f);
      if (exists) flavorsByModel[m].push_back(&findModel(m, f));
    }
  }
  for (const auto& f : r.flavors) {
    bool used = false;
    for (const auto& [m, entries] : flavorsByModel)
      for (const ModelEntry* e : entries) used = used || (m != kClassicalModel && e->flavor == f);
    if (!used) findModel(models.front(), f);  // throws with the known model/flavour pairs
  }
  const std::vector<std::string> engines = pick(r.engines, s.engines);
  for (const auto& e : engines) findEngine(e);  // throws with the list
  // Single points evaluate the model alone, or through the engines asked for when every one of
  // them can (lammps: a system spread over ranks).
  std::vector<std::string> singlePointEngines{"none"};
  if (!r.engines.empty() &&
      std::all_of(r.engines.begin(), r.engines.end(), [](const std::string& e) { return findEngine(e).singlePoint; }))
    singlePointEngines = r.engines;
  const std::vector<int> ranks = pick(r.ranks, s.ranks);
  for (int p : ranks)
    if (p < 1) throw std::invalid_argument("--ranks: rank counts must be at least 1 (got " + std::to_string(p) + ")");
  if (!r.ranks.empty() && std::none_of(engines.begin(), engines.end(), [](const std::string& e) { return findEngine(e).distributed; }))
    throw std::invalid_argument("--ranks needs an engine that spreads a system over ranks (--engine lammps)");

  // Collectors: the default ones, then those asked for.
  std::vector<std::string> collectors;
  for (const auto& e : profilers::CollectorRegistry::instance().entries())
    if (e.defaultOn) collectors.push_back(e.name);
  for (const auto& name : r.settings.profile) {
    if (!profilers::CollectorRegistry::instance().find(name))
      throw std::invalid_argument("--profile: unknown collector '" + name + "' (known: " + profilers::CollectorRegistry::instance().names() + ")");
    if (std::find(collectors.begin(), collectors.end(), name) == collectors.end()) collectors.push_back(name);
  }

  std::vector<SystemSpec> systems;
  const std::vector<std::string> families = pick(r.systems, s.systems);
  for (size_t k = 0; k < families.size(); ++k) {
    const std::string& f = families[k];
    if (f != "polyala" && f != "random" && f != "water" && f != "solvated" && !(f == "files" && r.systems.empty()))
      throw std::invalid_argument("--systems: unknown system family '" + f + "' (known: polyala, random, solvated, water)");
    if (std::find(families.begin(), families.begin() + static_cast<long>(k), f) != families.begin() + static_cast<long>(k))
      throw std::invalid_argument("--systems: " + f + " is given twice");
  }
  if (!r.neighbors.empty() && std::find(families.begin(), families.end(), "random") == families.end())
    throw std::invalid_argument("--neighbors sets the random systems' neighbourhood, and this plan has none (--systems random)");
  for (const auto& family : families) {
    if (family == "polyala") {
      for (int n : sizes) {
        if (n > 10000) throw std::invalid_argument("--sizes: " + std::to_string(n) + " residues; poly-alanine slices go up to 10000");
        systems.push_back({"polyala", n, 0, "", r.settings.seed, r.pbc, r.frame, r.minDistance, ""});
      }
    } else if (family == "random") {
      for (int n : sizes)
        for (double m : neighbors.empty() ? std::vector<double>{kWaterNeighbors} : neighbors)
          systems.push_back({"random", n, m, "", r.settings.seed, r.pbc, r.frame, r.minDistance, ""});
    } else if (family == "water" || family == "solvated") {
      for (int n : sizes) systems.push_back({family, n, 0, "", r.settings.seed, r.pbc, r.frame, r.minDistance, ""});
    }
  }
  if (families == std::vector<std::string>{"files"}) {
    std::set<std::string> seenFiles;
    for (const auto& f : s.files) {
      if (!fs::is_regular_file(f)) throw std::invalid_argument(f + ": cannot open");
      const std::string abs = fs::weakly_canonical(fs::absolute(f)).string();
      if (!seenFiles.insert(abs).second) throw std::invalid_argument("--in: " + f + " is given twice");
      systems.push_back({"file", 0, 0, abs, r.settings.seed, r.pbc, r.frame, r.minDistance, ""});
    }
    labelFilesApart(systems);
  }

  std::set<std::string> usedEntries(collectors.begin(), collectors.end());
  std::vector<Point> points;
  for (const auto& sys : systems)
    for (const Mode mode : modes) {
      if (r.quick && mode == Mode::Md && r.sizes.empty() && !s.quickMdSizes.empty() &&
          std::find(s.quickMdSizes.begin(), s.quickMdSizes.end(), sys.size) == s.quickMdSizes.end())
        continue;
      for (const auto& model : models)
        for (const ModelEntry* entry : flavorsByModel[model])
          for (const auto& engine : mode == Mode::Md ? engines : singlePointEngines)
            for (const Configuration config : configurations) {
              if ((model == kClassicalModel) != (config == Configuration::Cff)) continue;
              // A suite's engines × configurations: only the pairs the engine runs at all (an
              // engine asked for by name still gets its points, skipped with the reason).
              if (mode == Mode::Md && r.engines.empty() && !findEngine(engine).capabilities().supports(config)) continue;
              // An engine that runs an export of the model gets the flavour the export mirrors.
              if (mode == Mode::Md && r.flavors.empty() && config != Configuration::Cff && !findEngine(engine).modelFlavor.empty() &&
                  findEngine(engine).modelFlavor != entry->flavor)
                continue;
              const bool distributed = engine != "none" && findEngine(engine).distributed;
              // A suite's distributed engine gets the flavours that can evaluate a subdomain.
              if (distributed && r.flavors.empty() && !entry->subdomain) continue;
              for (const int nranks : distributed ? ranks : std::vector<int>{0})
              for (const Device& device : devices)
                for (const Precision prec : precisions) {
                  Point p;
                  p.system = sys;
                  p.ranks = nranks;
                  p.weakScaling = s.weakScaling && nranks > 0;
                  // Weak scaling: the suite's size is per rank.
                  if (s.weakScaling && nranks > 1) p.system.size *= nranks;
                  p.model = model;
                  p.flavor = entry->flavor;
                  p.engine = engine;
                  p.configuration = config;
                  p.mode = mode;
                  p.device = device;
                  p.precision = prec;
                  p.repeat = repeat;
                  p.warmup = warmup;
                  p.md = r.settings.md;
                  if (!r.mdStepsSet) p.md.steps = s.mdSteps;
                  if (!r.mdWarmupSet) p.md.warmupSteps = s.mdWarmupSteps;
                  if (!r.minimizeSet && s.minimizeSteps >= 0) p.md.minimizeSteps = s.minimizeSteps;
                  if (r.quick && !r.mdStepsSet) p.md.minimizeSteps = std::min(p.md.minimizeSteps, s.quickMinimizeSteps);
                  p.seed = r.settings.seed;
                  p.md.seed = p.seed;
                  p.traceDir = r.settings.traceDir;
                  p.modelOptions = declaredSubset(r.settings.options, entry->allOptions());
                  // The model as a physical potential (e.g. the real weights) unless the user chose otherwise.
                  applyPhysicalDefaults(*entry, p.modelOptions);
                  usedEntries.insert(entry->name);
                  if (engine != "none") {
                    const EngineEntry& ee = findEngine(engine);
                    p.engineOptions = declaredSubset(r.settings.options, ee.options);
                    usedEntries.insert(ee.name);
                  }
                  for (const auto& c : collectors) {
                    const auto* ce = profilers::CollectorRegistry::instance().find(c);
                    for (auto& [k, v] : declaredSubset(r.settings.options, ce->options)) p.collectorOptions[k] = v;
                  }
                  p.collectors = collectors;
                  p.skipReason = skipReasonOf(p, *entry);
                  points.push_back(std::move(p));
                }
            }
    }
  checkOptions(r.settings.options, usedEntries);
  return points;
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
    add("engines", p.engine);
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
  }
  return j;
}

}  // namespace mlffb
