// Suites: the poly-alanine sizes and finding a suite by name (the built-in suites register in
// SuitesEntry.cpp).
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

}  // namespace mlffb
