// The planner: expands a request (a suite with the command line's overrides) into its points.
// Every axis is parsed and checked once, in the order a user sees the errors; the registries
// (system families, models, engines, collectors) say what exists, and a point that cannot run
// in this build on this machine carries the reason and is recorded skipped without a worker.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include "backends/EngineRegistry.hpp"
#include "harness/OptionCatalog.hpp"
#include "harness/Plan.hpp"
#include "harness/Suites.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "systems/InputFile.hpp"
#include "systems/SystemFamily.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/torchscript/ModelExport.hpp"

namespace mlffb {
namespace fs = std::filesystem;

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

/// Why the model cannot run the point in this build on this machine, or empty (the order is the
/// order a user would fix things in: the flavour, its device, the machine, precision).
std::string modelSkipReason(const Point& p, const ModelEntry& model) {
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
  return "";
}

/// Why the point's engine cannot run it, or empty: its availability, configuration, device, the
/// flavour its export mirrors, a subdomain for a distributed engine, its own set-up, precision.
std::string engineSkipReason(const Point& p, const ModelEntry& model) {
  const EngineEntry& engine = findEngine(*p.engine);
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
    return "engine " + engine.name + (engine.exportsModel ? " evaluates the model as exported TorchScript, the " : " evaluates the package's own model, the ") +
           engine.modelFlavor + " flavour's computation: ask for --flavor " + engine.modelFlavor;
  if (engine.exportsModel && !engine.modelFlavor.empty() && p.configuration != Configuration::Cff && !model.exporter)
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

/// Why a point cannot run in this build on this machine, or empty: the model first, then how it
/// is evaluated (directly: mlff only; else through its engine).
std::string skipReasonOf(const Point& p, const ModelEntry& model) {
  if (std::string why = modelSkipReason(p, model); !why.empty()) return why;
  if (!p.evaluatesDirectly()) return engineSkipReason(p, model);
  if (p.configuration != Configuration::Mlff)
    return "a single point evaluates the model alone (configuration mlff); " + toString(p.configuration) +
           " needs an MD engine with classical force fields";
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

namespace {
/// How many threads a point may ask for per hardware thread of this machine: MPI ranks and
/// OpenMP threads beyond it only wait for one another (and LAMMPS allocates per rank and thread).
constexpr int kOversubscription = 8;

/// A point's ranks × threads (--ranks, --threads) must be what this machine can run.
void checkMachineParallelism(const Point& p) {
  const long long ranks = std::max(1, p.ranks), threads = optionInt(p.engineOptions, "threads", 1);
  const long long hardware = std::max(1u, std::thread::hardware_concurrency()), limit = kOversubscription * hardware;
  if (ranks * threads <= limit) return;
  throw std::invalid_argument("--ranks " + std::to_string(ranks) + " × --threads " + std::to_string(threads) + " = " +
                              std::to_string(ranks * threads) + " threads is more than this machine can run (" + std::to_string(hardware) +
                              " hardware threads; at most " + std::to_string(kOversubscription) + " per hardware thread, " +
                              std::to_string(limit) + ")");
}

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

namespace {
/// The family name of the structure files given to --in (a suite of their own).
const std::string kFilesFamily = "files";

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

/// The suite a request runs (the files given to --in make one of their own), --quick applied.
SuiteSpec suiteOf(const RunRequest& r) {
  SuiteSpec s = specOf(r);
  if (!r.files.empty()) {
    if (!r.systems.empty()) throw std::invalid_argument("--systems chooses a suite's system families; --in runs the files given");
    s.systems = {kFilesFamily};
    s.files = r.files;
    s.models = {"ani2x"};
  }
  if (r.quick) {
    if (!s.quickSizes.empty()) s.sizes = s.quickSizes;
    if (!s.quickFamilySizes.empty()) s.familySizes = s.quickFamilySizes;
    if (!s.quickNeighbors.empty()) s.neighbors = s.quickNeighbors;
    if (!s.quickRanks.empty()) s.ranks = s.quickRanks;
    s.repeat = 3;
    s.mdSteps = 100;
    s.mdWarmupSteps = 10;
  }
  return s;
}

std::vector<int> checkedSizes(const std::vector<int>& sizes) {
  for (int n : sizes)
    if (n <= 0) throw std::invalid_argument("--sizes: sizes must be positive (got " + std::to_string(n) + ")");
  return sizes;
}

std::vector<double> checkedNeighbors(const std::vector<double>& neighbors) {
  for (double m : neighbors)
    if (!(m > 0)) throw std::invalid_argument("--neighbors must be positive");
  return neighbors;
}

/// The devices asked for, or the suite's, or the CPU plus CUDA when a device is visible.
std::vector<Device> devicesOf(const RunRequest& r, const SuiteSpec& s) {
  std::vector<std::string> names = pick(r.devices, s.devices);
  if (names.empty()) {
    names = {"cpu"};
    if (visibleCudaDevices() > 0) names.push_back("cuda");
  }
  return parseAxis<Device>(names, "--device", Device::parse);
}

/// The models asked for, or the suite's; the classical force field is the model of every cff
/// point (and of cff points only).
std::vector<std::string> modelsOf(const RunRequest& r, const SuiteSpec& s, const std::vector<Configuration>& configurations) {
  std::vector<std::string> models = pick(r.models, s.models);
  if (contains(configurations, Configuration::Cff) && !contains(models, kClassicalModel)) models.push_back(kClassicalModel);
  for (const auto& m : models)
    if (!knownModel(m) && r.flavors.empty()) findModel(m, "native");  // throws with the known models
  return models;
}

/// The entries of the flavours asked for that serve `model` (torchscript serves any model).
std::vector<const ModelEntry*> askedFlavors(const std::string& model, const std::vector<std::string>& flavors) {
  std::vector<const ModelEntry*> out;
  for (const auto& f : flavors) {
    bool exists = false;
    for (const auto& e : ModelRegistry::instance().entries()) exists = exists || ((e.model == model || e.model == "*") && e.flavor == f);
    if (exists) out.push_back(&findModel(model, f));
  }
  return out;
}

using FlavorsByModel = std::map<std::string, std::vector<const ModelEntry*>>;

/// The flavours of each model: the asked ones, or all registered (Planner::keeps leaves out the
/// peers a plan did not ask for); a flavour asked for that serves none of the models is an error.
FlavorsByModel flavorsByModel(const RunRequest& r, const std::vector<std::string>& models) {
  FlavorsByModel out;
  for (const auto& m : models) {
    if (r.flavors.empty() || m == kClassicalModel) {
      out[m] = flavorsOf(m);
      continue;
    }
    const auto asked = askedFlavors(m, r.flavors);
    out[m].insert(out[m].end(), asked.begin(), asked.end());
  }
  for (const auto& f : r.flavors) {
    bool used = false;
    for (const auto& [m, entries] : out)
      for (const ModelEntry* e : entries) used = used || (m != kClassicalModel && e->flavor == f);
    if (!used) findModel(models.front(), f);  // throws with the known model/flavour pairs
  }
  return out;
}

using EngineChoice = std::optional<std::string>;  // none: the model evaluated directly

/// The MD engines, each registered.
std::vector<EngineChoice> mdEnginesOf(const RunRequest& r, const SuiteSpec& s) {
  std::vector<EngineChoice> out;
  for (const auto& e : pick(r.engines, s.engines)) {
    findEngine(e);  // throws with the list
    out.emplace_back(e);
  }
  return out;
}

/// Single points evaluate the model directly, or through the engines asked for when every one of
/// them can (lammps: a system spread over ranks).
std::vector<EngineChoice> singlePointEnginesOf(const RunRequest& r) {
  if (r.engines.empty() || !std::all_of(r.engines.begin(), r.engines.end(), [](const std::string& e) { return findEngine(e).singlePoint; }))
    return {std::nullopt};
  return {r.engines.begin(), r.engines.end()};
}

std::vector<int> ranksOf(const RunRequest& r, const SuiteSpec& s, const std::vector<EngineChoice>& engines) {
  const std::vector<int> ranks = pick(r.ranks, s.ranks);
  for (int p : ranks)
    if (p < 1) throw std::invalid_argument("--ranks: rank counts must be at least 1 (got " + std::to_string(p) + ")");
  if (!r.ranks.empty() && std::none_of(engines.begin(), engines.end(), [](const EngineChoice& e) { return findEngine(*e).distributed; }))
    throw std::invalid_argument("--ranks needs an engine that spreads a system over ranks (--engine lammps)");
  return ranks;
}

/// The default collectors, then the suite's, then those asked for.
std::vector<std::string> collectorsOf(const RunRequest& r, const SuiteSpec& s) {
  const auto& registry = profilers::CollectorRegistry::instance();
  std::vector<std::string> collectors;
  for (const auto& e : registry.entries())
    if (e.defaultOn) collectors.push_back(e.name);
  std::vector<std::string> asked = s.profile;
  asked.insert(asked.end(), r.settings.profile.begin(), r.settings.profile.end());
  for (const auto& name : asked) {
    if (!registry.find(name)) throw std::invalid_argument("--profile: unknown collector '" + name + "' (known: " + registry.names() + ")");
    if (!contains(collectors, name)) collectors.push_back(name);
  }
  return collectors;
}

/// The families a plan names: each registered (the files of --in are the suite's own), none twice;
/// --neighbors only with a family that takes the neighbour axis.
void checkFamilies(const std::vector<std::string>& families, const RunRequest& r) {
  for (size_t k = 0; k < families.size(); ++k) {
    const std::string& f = families[k];
    if (!(f == kFilesFamily && r.systems.empty())) {
      try {
        findSystemFamily(f);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("--systems: ") + e.what());
      }
    }
    if (std::find(families.begin(), families.begin() + static_cast<long>(k), f) != families.begin() + static_cast<long>(k))
      throw std::invalid_argument("--systems: " + f + " is given twice");
  }
  const auto takers = neighborFamilies();
  if (!r.neighbors.empty() && std::none_of(families.begin(), families.end(), [&](const std::string& f) { return contains(takers, f); }))
    throw std::invalid_argument("--neighbors sets the " + listOf(takers) + " systems' neighbourhood, and this plan has none (--systems " +
                                listOf(takers) + ")");
}

SystemSpec systemSpec(const RunRequest& r, const std::string& kind, int size, double neighbors, const std::string& path) {
  return {kind, size, neighbors, path, r.settings.seed, r.pbc, r.frame, r.minDistance, ""};
}

/// A family's systems: every size (× every neighbour count, for a family that takes them).
std::vector<SystemSpec> familySystems(const SystemFamilyEntry& family, const std::vector<int>& sizes, const std::vector<double>& neighbors,
                                      const RunRequest& r) {
  const std::vector<double> counts = !family.takesNeighbors() ? std::vector<double>{0} : neighbors.empty() ? family.defaultNeighbors : neighbors;
  std::vector<SystemSpec> out;
  for (int n : sizes) {
    family.checkSize(n, "--sizes");
    for (double m : counts) out.push_back(systemSpec(r, family.name, n, m, ""));
  }
  return out;
}

/// The structure files, each once, their names told apart.
std::vector<SystemSpec> fileSystems(const std::vector<std::string>& files, const RunRequest& r) {
  std::vector<SystemSpec> out;
  std::set<std::string> seen;
  for (const auto& f : files) {
    try {
      InputFile(f, kStructureInput);  // a FIFO, a folder or a file too large is refused here, unopened
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());  // missing or unreadable: the command line cannot be run
    }
    const std::string abs = fs::weakly_canonical(fs::absolute(f)).string();
    if (!seen.insert(abs).second) throw std::invalid_argument("--in: " + f + " is given twice");
    out.push_back(systemSpec(r, "file", 0, 0, abs));
  }
  labelFilesApart(out);
  return out;
}

std::vector<SystemSpec> systemsOf(const RunRequest& r, const SuiteSpec& s, const std::vector<int>& sizes, const std::vector<double>& neighbors) {
  const std::vector<std::string> families = pick(r.systems, s.systems);
  checkFamilies(families, r);
  std::vector<SystemSpec> out;
  for (const auto& f : families) {
    const auto own = s.familySizes.find(f);
    const std::vector<int>& fs = r.sizes.empty() && own != s.familySizes.end() ? own->second : sizes;
    const auto more = f == kFilesFamily ? fileSystems(s.files, r) : familySystems(findSystemFamily(f), fs, neighbors, r);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

/// The MD protocol of every point: the command line's, with the suite's steps where it set none.
MdOptions mdOf(const RunRequest& r, const SuiteSpec& s) {
  MdOptions md = r.settings.md;
  if (!r.mdStepsSet) md.steps = s.mdSteps;
  if (!r.mdWarmupSet) md.warmupSteps = s.mdWarmupSteps;
  if (!r.minimizeSet && s.minimizeSteps >= 0) md.minimizeSteps = s.minimizeSteps;
  if (r.quick && !r.mdStepsSet) md.minimizeSteps = std::min(md.minimizeSteps, s.quickMinimizeSteps);
  md.seed = r.settings.seed;
  return md;
}

/// What a point runs before its system, ranks, device and precision: a model flavour through an
/// engine (or directly) in a configuration.
struct Variant {
  std::string model;
  const ModelEntry* entry = nullptr;
  EngineChoice engine;
  Configuration configuration = Configuration::Mlff;
};

/// Expands one request: the constructor parses and checks every axis once (in the order a user
/// sees the errors), points() forms their product.
class Planner {
 public:
  explicit Planner(const RunRequest& r);
  std::vector<Point> points();

 private:
  bool quickSkips(const SystemSpec& system, Mode mode) const;
  std::vector<Variant> variantsOf(Mode mode) const;
  bool keeps(Mode mode, const Variant& v) const;
  void addPoints(const SystemSpec& system, Mode mode, const Variant& v, std::vector<Point>& out);
  Point pointOf(const SystemSpec& system, Mode mode, const Variant& v, int ranks, const Device& device, Precision precision);
  void setCriteria(Point& p) const;
  void setOptions(Point& p, const ModelEntry& entry);

  const RunRequest& r_;
  SuiteSpec s_;
  std::vector<int> sizes_;
  std::vector<double> neighbors_;
  std::vector<Device> devices_;
  std::vector<Mode> modes_;
  std::vector<Configuration> configurations_;
  std::vector<Precision> precisions_;
  int repeat_ = 0, warmup_ = 0;
  std::vector<std::string> models_;
  FlavorsByModel flavors_;
  std::vector<EngineChoice> mdEngines_, singlePointEngines_;
  std::vector<int> ranks_;
  std::vector<std::string> collectors_;
  std::vector<SystemSpec> systems_;
  MdOptions md_;
  std::set<std::string> usedEntries_;  // the entries whose options this plan can take
};

Planner::Planner(const RunRequest& r) : r_(r), s_(suiteOf(r)) {
  sizes_ = checkedSizes(pick(r.sizes, s_.sizes));
  neighbors_ = checkedNeighbors(pick(r.neighbors, s_.neighbors));
  devices_ = devicesOf(r, s_);
  modes_ = parseAxis<Mode>(pick(r.modes, s_.modes), "--mode", parseMode);
  configurations_ = parseAxis<Configuration>(pick(r.configurations, s_.configurations), "--configuration", parseConfiguration);
  precisions_ = parseAxis<Precision>(pick(r.precisions, s_.precisions), "--precision", parsePrecision);
  repeat_ = r.repeat > 0 ? r.repeat : s_.repeat;
  warmup_ = r.warmup >= 0 ? r.warmup : s_.warmup;
  if (r.repeat == 0) throw std::invalid_argument("--repeat must be at least 1");
  for (Mode m : {Mode::SinglePoint, Mode::Md}) defaultCriteria(m, r.criteria);  // refuses --min-time > --max-time now
  if (r.frame < 1) throw std::invalid_argument("--frame must be at least 1");
  models_ = modelsOf(r, s_, configurations_);
  flavors_ = flavorsByModel(r, models_);
  mdEngines_ = mdEnginesOf(r, s_);
  singlePointEngines_ = singlePointEnginesOf(r);
  ranks_ = ranksOf(r, s_, mdEngines_);
  collectors_ = collectorsOf(r, s_);
  systems_ = systemsOf(r, s_, sizes_, neighbors_);
  md_ = mdOf(r, s_);
  usedEntries_.insert(collectors_.begin(), collectors_.end());
}

std::vector<Point> Planner::points() {
  std::vector<Point> out;
  for (const auto& system : systems_)
    for (const Mode mode : modes_) {
      if (quickSkips(system, mode)) continue;
      for (const Variant& v : variantsOf(mode)) addPoints(system, mode, v, out);
    }
  checkOptions(r_.settings.options, usedEntries_);
  return out;
}

/// The quick variant of a suite runs MD at its quick MD sizes only.
bool Planner::quickSkips(const SystemSpec& system, Mode mode) const {
  return r_.quick && mode == Mode::Md && r_.sizes.empty() && !s_.quickMdSizes.empty() && !contains(s_.quickMdSizes, system.size);
}

std::vector<Variant> Planner::variantsOf(Mode mode) const {
  std::vector<Variant> out;
  for (const auto& model : models_)
    for (const ModelEntry* entry : flavors_.at(model))
      for (const auto& engine : mode == Mode::Md ? mdEngines_ : singlePointEngines_)
        for (const Configuration c : configurations_)
          if (Variant v{model, entry, engine, c}; keeps(mode, v)) out.push_back(v);
  return out;
}

/// Whether the plan has points for a variant: the classical model runs cff and only it; a
/// suite's engines get the configurations they run, the flavour an exported model mirrors and,
/// when distributed, the flavours that evaluate a subdomain (an engine or flavour asked for by
/// name still gets its points, skipped with the reason).
bool Planner::keeps(Mode mode, const Variant& v) const {
  if ((v.model == kClassicalModel) != (v.configuration == Configuration::Cff)) return false;
  // A peer (a package's own implementation) only where asked for: by --flavor, by a suite that
  // holds peers, by an engine that runs the package's own model (openmm-ml runs TorchANI's), or
  // when the model has no flavour of ours (tensornet).
  const bool peerAsked = !r_.flavors.empty() || s_.peers || !defaultFlavorsOf(v.model).front()->peer.empty();
  if (!v.entry->peer.empty() && !peerAsked && (!v.engine || findEngine(*v.engine).modelFlavor != v.entry->flavor)) return false;
  if (!v.engine) return true;
  const EngineEntry& engine = findEngine(*v.engine);
  if (mode == Mode::Md && r_.engines.empty() && !engine.capabilities().supports(v.configuration)) return false;
  if (mode == Mode::Md && r_.flavors.empty() && v.configuration != Configuration::Cff && !engine.modelFlavor.empty() &&
      engine.modelFlavor != v.entry->flavor)
    return false;
  return !(engine.distributed && r_.flavors.empty() && !v.entry->subdomain);
}

/// The variant's points for one system: every rank count (a distributed engine's), device and precision.
void Planner::addPoints(const SystemSpec& system, Mode mode, const Variant& v, std::vector<Point>& out) {
  const bool distributed = v.engine && findEngine(*v.engine).distributed;
  for (const int ranks : distributed ? ranks_ : std::vector<int>{0})
    for (const Device& device : devices_)
      for (const Precision precision : precisions_) out.push_back(pointOf(system, mode, v, ranks, device, precision));
}

Point Planner::pointOf(const SystemSpec& system, Mode mode, const Variant& v, int ranks, const Device& device, Precision precision) {
  Point p;
  p.system = system;
  p.ranks = ranks;
  p.weakScaling = s_.weakScaling && ranks > 0;
  if (s_.weakScaling && ranks > 1) p.system.size *= ranks;  // weak scaling: the suite's size is per rank
  p.model = v.model;
  p.flavor = v.entry->flavor;
  p.engine = v.engine;
  p.configuration = v.configuration;
  p.mode = mode;
  p.device = device;
  p.precision = precision;
  p.repeat = repeat_;
  p.warmup = warmup_;
  p.md = md_;
  setCriteria(p);
  p.seed = r_.settings.seed;
  p.traceDir = r_.settings.traceDir;
  setOptions(p, *v.entry);
  checkMachineParallelism(p);
  p.collectors = collectors_;
  p.skipReason = skipReasonOf(p, *v.entry);
  return p;
}

/// Adaptive stopping criteria, except where a count is fixed: by the user (--repeat, --steps), by
/// --quick or a suite that fixes them (unless criteria were given), and for engines that time themselves (single points
/// through an engine, MD out of process), which run exactly `repeat` evaluations or `md.steps`.
/// An adaptive MD point may run up to kMdAdaptiveMaxSteps production steps; its criteria stop it.
void Planner::setCriteria(Point& p) const {
  const bool quickFixed = (r_.quick || !s_.adaptive) && !r_.criteria.any();
  if (p.mode == Mode::SinglePoint) {
    p.criteria = r_.repeat > 0 || quickFixed || p.engine ? profilers::StoppingCriteria::fixed(p.repeat) : defaultCriteria(p.mode, r_.criteria);
    return;
  }
  if (r_.mdStepsSet || quickFixed || (p.engine && !findEngine(*p.engine).inProcess)) {
    p.criteria = profilers::StoppingCriteria::fixed(p.md.steps);
    return;
  }
  p.criteria = defaultCriteria(p.mode, r_.criteria);
  p.md.steps = kMdAdaptiveMaxSteps;
}

/// The command line's options each of the point's entries declares (the model's with its
/// physical defaults, e.g. the real weights, unless the user chose otherwise).
void Planner::setOptions(Point& p, const ModelEntry& entry) {
  p.modelOptions = declaredSubset(r_.settings.options, entry.allOptions());
  applyPhysicalDefaults(entry, p.modelOptions);
  usedEntries_.insert(entry.name);
  if (p.engine) {
    const EngineEntry& engine = findEngine(*p.engine);
    p.engineOptions = declaredSubset(r_.settings.options, engine.options);
    usedEntries_.insert(engine.name);
  }
  for (const auto& c : collectors_)
    for (auto& [k, v] : declaredSubset(r_.settings.options, profilers::CollectorRegistry::instance().find(c)->options)) p.collectorOptions[k] = v;
}
}  // namespace

std::vector<Point> expandPlan(const RunRequest& r) {
  sizeSearchOf(r);  // refuses a search it cannot run before anything else
  return Planner(r).points();
}

}  // namespace mlffb
