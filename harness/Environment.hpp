#pragma once
// The machine and build a measurement came from, so reports from different machines compare.
#include "harness/Json.hpp"

namespace mlffb {

struct Component {
  std::string name;
  bool enabled;
  std::string reason;
};

/// Optional components compiled in (or not, with the reason).
std::vector<Component> components();
/// {"version", "git_revision", "build_type", "components": {...}}
Json toolInfo();
/// host, os, cpu model, cores, memory, compiler, library versions, gpus (when CUDA finds any).
Json environmentInfo();
/// CUDA devices seen by the runtime (empty array without a driver or device).
Json cudaDevices();

}  // namespace mlffb
