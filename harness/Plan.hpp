#pragma once
// A plan: the points of a suite (one system × model × flavour × engine × configuration × mode ×
// device × precision each) with every axis parsed once into its typed value, as data a worker
// process can run on its own. The planner consults the registries: a point this build or this
// machine cannot run carries the reason and is recorded `skipped` without starting a worker.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "backends/Engine.hpp"
#include "core/Axes.hpp"
#include "core/Options.hpp"
#include "harness/Json.hpp"
#include "harness/SizeSearch.hpp"
#include "profilers/Stopping.hpp"
#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

/// auto: periodic when the structure has a cell; off: vacuum (a file's cell is ignored); on: a
/// cell is required.
enum class PbcMode { Auto, On, Off };
PbcMode parsePbcMode(const std::string& s);
std::string toString(PbcMode m);
/// Applies the mode to a system read or built; `where` names it in the error.
void applyPbc(System& system, PbcMode mode, const std::string& where);

/// The engine a report names for a point that evaluates the model directly (no engine).
inline constexpr const char* kNoEngine = "none";

struct SystemFamilyEntry;

struct SystemSpec {
  std::string kind;       // a system family (systems/SystemFamily.hpp) or "file"
  int size = 0;           // in the family's unit: residues (polyala), atoms (random; solvated: about), molecules (water)
  double neighbors = 0;   // families that take the neighbour axis (random)
  std::string path;       // file
  std::uint64_t seed = 42;
  PbcMode pbc = PbcMode::Auto;
  int frame = 1;          // MODEL of a multi-model PDB
  double minDistance = 0.5;  // Å: closer atoms are refused (0: no check)
  std::string label;      // file: a name that tells apart files with one stem (set by the planner)
  bool isFile() const { return kind == "file"; }
  /// The registered family that builds it; nullptr for a file (or a kind no family registered:
  /// read from `path` and named by its stem, like a file).
  const SystemFamilyEntry* family() const;
  /// The family's name for the system ("polyala-10", "random-5000-n55"), or the file's.
  std::string name() const;
  Json toJson() const;
  static SystemSpec fromJson(const Json& j);
  /// Builds the system with its family's builder, or reads the file, then applies the periodic
  /// mode and the minimum distance check.
  System build() const;
  /// The record's system section when the system was not built (a point skipped at plan time).
  Json summary() const;
};

/// What the command line sets once for every point.
struct RunSettings {
  MdOptions md;
  std::string traceDir;
  std::uint64_t seed = 42;
  OptionValues options;              // model, engine and collector options, by key
  std::vector<std::string> profile;  // collectors asked for (wallclock and memory are always on)
};

struct Point {
  SystemSpec system;
  std::string model, flavor;
  /// The engine; none: the model is evaluated directly (single points, unless an engine that
  /// evaluates single points was asked for).
  std::optional<std::string> engine;
  int ranks = 0;                // MPI ranks of a distributed engine (0: not distributed)
  bool weakScaling = false;     // the system's size is per rank (size = size per rank × ranks)
  Configuration configuration = Configuration::Mlff;
  Mode mode = Mode::SinglePoint;
  Device device;
  Precision precision = Precision::Float32;
  int repeat = 5, warmup = 1;
  /// When the timing stops: single points count evaluations, MD windows of kMdWindowSteps steps.
  /// Fixed (exactly `repeat` evaluations, `md.steps` steps) where the user or the suite fixed
  /// them, and for engines that time themselves.
  profilers::StoppingCriteria criteria;
  MdOptions md;
  std::string traceDir;
  std::uint64_t seed = 42;
  OptionValues modelOptions, engineOptions, collectorOptions;  // only what each entry declares
  std::vector<std::string> collectors;                         // the defaults, then --profile
  std::string skipReason;  // non-empty: recorded skipped at plan time

  std::string id() const;
  bool evaluatesDirectly() const { return !engine; }
  /// The engine's name, or kNoEngine: what plans and reports say.
  std::string engineName() const { return engine.value_or(kNoEngine); }
  PotentialOptions potentialOptions() const;
  Json toJson() const;
  static Point fromJson(const Json& j);
};

/// Steps per MD window: an adaptive MD point's samples are windows' mean ms/step.
inline constexpr int kMdWindowSteps = 10;
/// Production steps an adaptive MD point may run at most (its max-time stops it first).
inline constexpr int kMdAdaptiveMaxSteps = 100000;

/// The stopping criteria the command line set (0: the default of the point's mode).
struct CriteriaRequest {
  int minSamples = 0;
  double minTimeS = 0, maxNoise = 0, maxTimeS = 0;
  bool any() const { return minSamples > 0 || minTimeS > 0 || maxNoise > 0 || maxTimeS > 0; }
};
/// The default criteria of a mode: single points (evaluations) and MD (windows), with `set` applied.
profilers::StoppingCriteria defaultCriteria(Mode mode, const CriteriaRequest& set);

/// Everything `run` can set; empty vectors mean "the suite's axis".
struct RunRequest {
  std::string suite;
  std::vector<std::string> files;
  std::vector<std::string> systems;  // system families (default: the suite's)
  std::vector<int> sizes;
  std::vector<double> neighbors;
  std::vector<std::string> models, flavors, engines, configurations, modes, devices, precisions;
  std::vector<int> ranks;
  int repeat = -1, warmup = -1;
  CriteriaRequest criteria;
  bool quick = false;
  bool mdStepsSet = false, mdWarmupSet = false, minimizeSet = false;
  PbcMode pbc = PbcMode::Auto;
  int frame = 1;
  double minDistance = 0.5;
  int searchLimit = 0;      // a size search's limit (0: the suite's)
  double searchTime = 0;    // a size search's time budget per series, seconds (0: none)
  RunSettings settings;
};

/// The size search of a search suite (max-atoms) with the request's limit; nothing for other suites.
std::optional<SizeSearch> sizeSearchOf(const RunRequest& request);

/// What identifies a plan (its journal's header): the suite section's settings, the point ids and
/// the content hashes of the inputs the points read (InputIdentity.hpp).
Json planIdentity(const Json& suite, const std::vector<Point>& points);

/// Expands the request into points; throws std::invalid_argument for unknown names, values or
/// options. Points that cannot run here carry their skipReason.
std::vector<Point> expandPlan(const RunRequest& request);
/// The suite section of the report for this request.
Json suiteJson(const RunRequest& request, const std::vector<Point>& points);
/// CUDA devices visible (0 without a driver or device).
int visibleCudaDevices();
/// Why `device` cannot be used on this machine, or empty.
std::string deviceUnavailableReason(const Device& device);

}  // namespace mlffb
