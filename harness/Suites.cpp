// The built-in suites: the seed paper's poly-alanine slices (single point and MD), MD only, and
// the random workloads of controlled neighbourhood size.
#include "harness/Suites.hpp"

#include <stdexcept>

namespace mlffb {

std::vector<int> polyalaSizes() {
  std::vector<int> s;
  for (int n = 10; n <= 100; n += 10) s.push_back(n);
  for (int n = 200; n <= 1000; n += 100) s.push_back(n);
  return s;
}

const SuiteEntry& findSuite(const std::string& name) {
  if (const SuiteEntry* e = SuiteRegistry::instance().find(name)) return *e;
  throw std::invalid_argument("unknown suite '" + name + "' (known: " + SuiteRegistry::instance().names() + ")");
}

namespace {

SuiteEntry polyala() {
  SuiteEntry e;
  e.name = "polyala";
  e.description = "folded poly-alanine slices 10..100 (step 10), 200..1000 (step 100): single-point stages and MD";
  e.spec.sizes = polyalaSizes();
  e.spec.modes = {"single-point", "md"};
  e.spec.quickSizes = {10, 50, 100};
  e.spec.quickMdSizes = {10};
  return e;
}

const Registrar<SuiteEntry> kPolyala{polyala()};

const Registrar<SuiteEntry> kPolyalaMd{[] {
  SuiteEntry e = polyala();
  e.name = "polyala-md";
  e.description = "poly-alanine slices through MD engines: minimise, then 1000 steps of 0.5 fs (ns/day); MLFFsys (native, OpenMM, "
                  "GROMACS NNPot), CMLsys (OpenMM, GROMACS NNPot) and CFFsys (OpenMM, GROMACS): the seed's Figs. 11-12";
  e.spec.modes = {"md"};
  e.spec.engines = {"native", "openmm", "gromacs"};
  e.spec.configurations = {"mlff", "cml", "cff"};
  return e;
}()};

const Registrar<SuiteEntry> kNeighbors{[] {
  SuiteEntry e;
  e.name = "neighbors";
  e.description = "random workloads of 5000 atoms with 10..100 neighbours within 5.1 Å (the seed's Figs. 4 and 8)";
  e.spec.systems = "random";
  e.spec.sizes = {5000};
  e.spec.quickSizes = {2000};
  for (int m = 10; m <= 100; m += 10) e.spec.neighbors.push_back(m);
  e.spec.quickNeighbors = {10, 50, 100};
  return e;
}()};

}  // namespace
}  // namespace mlffb
