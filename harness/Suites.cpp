#include "harness/Suites.hpp"

#include <stdexcept>

namespace mlffb {

std::vector<int> polyalaSizes() {
  std::vector<int> s;
  for (int n = 10; n <= 100; n += 10) s.push_back(n);
  for (int n = 200; n <= 1000; n += 100) s.push_back(n);
  return s;
}

const std::vector<SuiteSpec>& builtinSuites() {
  static const std::vector<SuiteSpec> suites{
      {"polyala", "folded poly-alanine slices of 10..100 (step 10) and 200..1000 (step 100) residues", polyalaSizes()},
  };
  return suites;
}

const SuiteSpec& findSuite(const std::string& name) {
  std::string known;
  for (const auto& s : builtinSuites()) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  throw std::invalid_argument("unknown suite '" + name + "' (known: " + known + ")");
}

}  // namespace mlffb
