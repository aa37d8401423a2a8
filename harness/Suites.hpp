#pragma once
// Suites: named sets of benchmark axes, registered like models and engines. A plan is the
// cartesian product of a suite's axes, each of which the command line can override.
#include <map>
#include <string>
#include <vector>

#include "core/Registry.hpp"

namespace mlffb {

struct SuiteSpec {
  /// System families (systems/SystemFamily.hpp), each at every size, or files.
  std::vector<std::string> systems{"polyala"};
  std::vector<int> sizes;              // in each family's unit: residues (polyala), atoms (random, solvated), molecules (water)
  /// A family's own sizes where its unit makes `sizes` wrong for it (e.g. water in molecules beside
  /// solvated in atoms); --sizes overrides both. The quick variant's likewise.
  std::map<std::string, std::vector<int>> familySizes, quickFamilySizes;
  std::vector<double> neighbors;       // families that take the neighbour axis (random): mean neighbours within 5.1 Å
  std::vector<std::string> files;      // files: structure files
  std::vector<std::string> models{"ani2x", "et"};
  /// The models of the per-model comparisons (model-costs, the scaling suites, max-atoms): a
  /// strictly local model (ANI-2x) beside message-passing ones (ET, TensorNet, MACE).
  static std::vector<std::string> everyModel() { return {"ani2x", "et", "tensornet", "mace"}; }
  /// Whether the models' peer flavours (the packages' own implementations: ModelEntry::peer) are on
  /// the flavour axis when the command line names no --flavor.
  bool peers = false;
  std::vector<std::string> engines{"native"};
  std::vector<std::string> configurations{"mlff"};
  std::vector<std::string> modes{"single-point"};
  std::vector<std::string> devices;    // empty: cpu, plus cuda when a device is present
  std::vector<std::string> precisions{"float32"};
  /// MPI ranks of distributed engines (lammps); every point of another engine runs on one.
  std::vector<int> ranks{1};
  /// Weak scaling: a system's size is per rank (the point with P ranks runs size × P).
  bool weakScaling = false;
  std::vector<int> quickRanks;  // the quick variant's ranks (empty: the same)
  /// Collectors the suite runs besides the default ones (their passes), before --profile's.
  std::vector<std::string> profile;
  int repeat = 5, warmup = 1;
  /// Whether points sample until the stopping criteria (the default) or run exactly `repeat`
  /// evaluations and mdSteps steps (a size search asks whether a size runs, not how well it is timed).
  bool adaptive = true;
  int mdSteps = 1000, mdWarmupSteps = 100;
  int minimizeSteps = -1;  // the suite's minimisation limit (-1: the command line's default)
  /// The quick variant: a few sizes, fewer repeats and steps.
  std::vector<int> quickSizes;
  std::vector<int> quickMdSizes;  // MD points of the quick variant only at these sizes
  int quickMinimizeSteps = 20;
  std::vector<double> quickNeighbors;
  /// A size search (max-atoms): each point starts at its size (sizes has one) and its probes
  /// double it up to searchLimit, then bisect (harness/SizeSearch.hpp).
  bool sizeSearch = false;
  int searchLimit = 0, quickSearchLimit = 0;
};

struct SuiteEntry : EntryInfo {
  SuiteSpec spec;
};
using SuiteRegistry = Registry<SuiteEntry>;

/// Throws std::invalid_argument listing the known suites if `name` is not one.
const SuiteEntry& findSuite(const std::string& name);
/// The seed paper's slices: 10, 20, …, 100, 200, …, 1000 residues.
std::vector<int> polyalaSizes();

}  // namespace mlffb
