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
  static const std::vector<SuiteSpec> suites = [] {
    std::vector<SuiteSpec> v;
    SuiteSpec polyala;
    polyala.name = "polyala";
    polyala.description = "folded poly-alanine slices 10..100 (step 10), 200..1000 (step 100): single-point stages and MD";
    polyala.sizes = polyalaSizes();
    polyala.modes = {"single-point", "md"};
    polyala.quickSizes = {10, 50, 100};
    polyala.quickMdSizes = {10};
    v.push_back(polyala);

    SuiteSpec md = polyala;
    md.name = "polyala-md";
    md.description = "poly-alanine slices through MD engines: minimise, then 1000 steps of 0.5 fs (ns/day)";
    md.modes = {"md"};
    v.push_back(md);

    SuiteSpec nb;
    nb.name = "neighbors";
    nb.description = "random workloads of 5000 atoms with 10..100 neighbours within 5.1 Å (the seed's Figs. 4 and 8)";
    nb.systems = "random";
    nb.sizes = {5000};
    nb.quickSizes = {2000};
    for (int m = 10; m <= 100; m += 10) nb.neighbors.push_back(m);
    nb.quickNeighbors = {10, 50, 100};
    v.push_back(nb);
    return v;
  }();
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
