#pragma once
// Deterministic random numbers: the same seed gives the same stream on every platform
// (std::mt19937_64 raw output, our own transforms instead of std:: distributions, whose
// algorithms differ between standard libraries).
#include <cmath>
#include <cstdint>
#include <random>

#include "systems/Vec3.hpp"

namespace mlffb {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi].
  int uniformInt(int lo, int hi) {
    return lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
  }
  /// Standard normal (Box–Muller, one value per call).
  double normal() {
    double u1 = uniform();
    while (u1 <= 0) u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
  }
  /// Uniformly distributed unit vector.
  Vec3 unitVector() {
    const double z = uniform(-1.0, 1.0), phi = uniform(0.0, 2.0 * kPi);
    const double r = std::sqrt(1.0 - z * z);
    return {r * std::cos(phi), r * std::sin(phi), z};
  }
  std::uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

}  // namespace mlffb
