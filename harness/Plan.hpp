#pragma once
// A plan: the points of a suite (one system × model × flavour × engine × configuration × mode ×
// device × precision each), as data a worker process can run on its own.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "backends/Engine.hpp"
#include "harness/Json.hpp"
#include "harness/Suites.hpp"
#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

struct SystemSpec {
  std::string kind;       // polyala | random | file
  int size = 0;           // residues (polyala) or atoms (random)
  double neighbors = 0;   // random
  std::string path;       // file
  std::uint64_t seed = 42;
  std::string name() const;
  Json toJson() const;
  static SystemSpec fromJson(const Json& j);
  /// Builds the system (poly-alanine slices come from one chain of ≥ 1000 residues).
  System build() const;
};

/// What configures the model and the dynamics, set once per command and shared by its points.
struct RunSettings {
  MdOptions md;
  std::string integrator = "langevin";
  std::string traceDir;
  std::string weights;
  int member = -1;
  std::uint64_t seed = 42;
  std::map<std::string, std::string> modelSettings;

  /// The options a Potential of this flavour/device/precision is created with.
  PotentialOptions potentialOptions(const std::string& flavor, const std::string& device, Precision precision) const;
};

struct Point {
  SystemSpec system;
  std::string model, flavor, engine, configuration, mode, device, precision;
  int repeat = 5, warmup = 1;
  RunSettings settings;

  std::string id() const;
  Json toJson() const;
  static Point fromJson(const Json& j);
};

/// Everything `run` can set; empty vectors mean "the suite's axis".
struct RunRequest {
  std::string suite;
  std::vector<std::string> files;
  std::vector<int> sizes;
  std::vector<double> neighbors;
  std::vector<std::string> models, flavors, engines, configurations, modes, devices, precisions;
  int repeat = -1, warmup = -1;
  bool quick = false;
  bool mdStepsSet = false, mdWarmupSet = false;
  RunSettings settings;
};

/// Expands the request into points; throws std::invalid_argument for unknown names or values.
std::vector<Point> expandPlan(const RunRequest& request);
/// The suite section of the report for this request.
Json suiteJson(const RunRequest& request, const std::vector<Point>& points);
/// The real ANI-2x weights MD points use when no --weights is given (random weights are no
/// physical potential): $MLFFB_ANI2X_WEIGHTS, else ../shared/models/ani-2x_8x beside the source
/// tree; empty if neither exists.
std::string defaultAniWeights();
/// CUDA devices visible (0 without a driver or device).
int visibleCudaDevices();

}  // namespace mlffb
