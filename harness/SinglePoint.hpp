#pragma once
// Single-point benchmark of one (system, potential) point: warm-up, repeated energy+forces
// evaluations timed per stage, FLOPs, memory.
#include <string>

#include "harness/Json.hpp"
#include "systems/System.hpp"
#include "workloads/Potential.hpp"

namespace mlffb {

struct SinglePointOptions {
  int warmup = 1;
  int repeat = 5;
};

/// Measures `potential` on `system`; fills record["model"/"status"/"message"/"measurements"].
/// A failure is thrown to the caller, which turns it into the record's status.
/// `sgemmGflops` (> 0) lets the record state the network stage's fraction of the GEMM floor.
void measureSinglePoint(Potential& potential, const System& system, const SinglePointOptions& options,
                        double sgemmGflops, Json& record);

/// Peak memory of the run just finished: host VmHWM and the model's
/// device allocator peaks.
Json peakMemoryRecord(const Potential& potential);

}  // namespace mlffb
