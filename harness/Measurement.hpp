#pragma once
// The one measurement driver for single points and MD runs. It creates the model, then runs the
// point's workload under its collectors in passes: the timing pass with wall clock, memory and
// every collector that does not perturb timing, then one pass per collector that does, so the
// timing pass is never distorted. Each pass's fragments go into the measurements; the single
// point adds its energy, FLOPs and GEMM floor, the MD run its summary (Engine.hpp).
#include "harness/Json.hpp"
#include "harness/Plan.hpp"
#include "systems/System.hpp"

namespace mlffb {

struct Measurement {
  Json model;          // the model's description (hyper-parameters, weights)
  Json measurements;
};

/// Measures `point` on `system` in this process; throws on failure (the caller classifies it).
Measurement measure(const Point& point, const System& system);

}  // namespace mlffb
