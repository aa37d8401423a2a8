#pragma once
// Suites: named sets of benchmark axes. A plan is the cartesian product of the axes, each of
// which the command line can override.
#include <string>
#include <vector>

#include "harness/Json.hpp"

namespace mlffb {

struct SuiteSpec {
  std::string name;
  std::string description;
  std::string systems = "polyala";     // polyala | random | files
  std::vector<int> sizes;              // residues (polyala) or atoms (random)
  std::vector<double> neighbors;       // random: mean neighbours within 5.1 Å
  std::vector<std::string> files;      // files: structure files
  std::vector<std::string> models{"ani2x", "et"};
  std::vector<std::string> flavors;    // empty: every flavour of each model
  std::vector<std::string> engines{"native"};
  std::vector<std::string> configurations{"mlff"};
  std::vector<std::string> modes{"single-point"};
  std::vector<std::string> devices;    // empty: cpu, plus cuda when a device is present
  std::vector<std::string> precisions{"float32"};
  int repeat = 5, warmup = 1;
  int mdSteps = 1000, mdWarmupSteps = 100;
  /// The quick variant: a few sizes, fewer repeats and steps.
  std::vector<int> quickSizes;
  std::vector<int> quickMdSizes;  // MD points of the quick variant only at these sizes
  int quickMinimizeSteps = 20;
  std::vector<double> quickNeighbors;
};

const std::vector<SuiteSpec>& builtinSuites();
/// Throws std::invalid_argument listing the known suites if `name` is not one.
const SuiteSpec& findSuite(const std::string& name);
/// The seed paper's slices: 10, 20, …, 100, 200, …, 1000 residues.
std::vector<int> polyalaSizes();

}  // namespace mlffb
