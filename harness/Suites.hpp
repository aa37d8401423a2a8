#pragma once
// Built-in suites: named sets of benchmark axes.
#include <string>
#include <vector>

namespace mlffb {

struct SuiteSpec {
  std::string name;
  std::string description;
  std::vector<int> sizes;  // residues
};

const std::vector<SuiteSpec>& builtinSuites();
/// Throws std::invalid_argument listing the known suites if `name` is not one.
const SuiteSpec& findSuite(const std::string& name);
/// The seed paper's slices: 10, 20, …, 100, 200, …, 1000 residues.
std::vector<int> polyalaSizes();

}  // namespace mlffb
