#include "workloads/ResultCheck.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

namespace mlffb {

void requireFinite(const EnergyForces& r, const System& s) {
  std::vector<size_t> bad;
  for (size_t i = 0; i < r.forces.size(); ++i)
    if (!isFinite(r.forces[i])) bad.push_back(i);
  if (std::isfinite(r.energy) && bad.empty()) return;
  std::ostringstream msg;
  if (!std::isfinite(r.energy)) msg << "non-finite energy (" << r.energy << " kJ/mol)";
  if (!bad.empty()) {
    msg << (std::isfinite(r.energy) ? "" : "; ") << "non-finite forces on " << bad.size() << " atom" << (bad.size() > 1 ? "s" : "") << ": ";
    for (size_t k = 0; k < bad.size() && k < 4; ++k) msg << (k ? ", " : "") << s.atomLabel(bad[k]);
    if (bad.size() > 4) msg << ", …";
  }
  throw NonFiniteResult(msg.str());
}

double relativeForceError(const std::vector<Vec3>& forces, const std::vector<Vec3>& reference) {
  if (forces.size() != reference.size())
    throw std::invalid_argument("relativeForceError: " + std::to_string(forces.size()) + " forces against " + std::to_string(reference.size()));
  double num = 0, den = 0;
  for (size_t i = 0; i < forces.size(); ++i) {
    num += norm2(forces[i] - reference[i]);
    den += norm2(reference[i]);
  }
  return std::sqrt(num / std::max(den, 1e-300));
}

}  // namespace mlffb
