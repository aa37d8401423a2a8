#pragma once
// A collector turns what happens during a measured run into numbers: the measured section's
// begin and end (warm-up excluded), the ranges that mark stages, the end of each sample (one
// evaluation, one MD step). Its fragment is merged into the run record's measurements. Collectors
// coexist: every attached one sees every event. One that perturbs timing (replay, counters,
// per-operator callbacks) is run by the harness in a pass of its own.
#include <functional>
#include <nlohmann/json.hpp>
#include <string>

namespace mlffb::profilers {

/// What a collector may need from the run it measures.
struct RunContext {
  std::string pointId;
  /// The model's device-memory peaks since the last reset (empty on the CPU), and the reset.
  std::function<nlohmann::ordered_json()> deviceMemory;
  std::function<void()> resetDeviceMemory;
  /// The CUDA device the run computes on (-1: none), whose memory in use is sampled at every range end.
  int cudaDevice = -1;
  /// A model that evaluates in another process (a Python worker) times its framework operators
  /// there: begin, and end returning {stage: {operator: {calls, self_ms, total_ms[, flops, bytes]}}}
  /// summed over every call since begin (unset: the model has no such operators).
  std::function<void()> beginRemoteOperators;
  std::function<nlohmann::ordered_json()> endRemoteOperators;
};

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string name() const = 0;
  /// The measured section begins (after warm-up) and ends.
  virtual void runBegin(const RunContext&) {}
  virtual void runEnd() {}
  virtual void rangeBegin(const char* /*name*/) {}
  virtual void rangeEnd(const char* /*name*/) {}
  /// One sample finished: an evaluation of a single point, a step of an MD run.
  virtual void sampleEnd() {}
  /// Its measurements: each key is merged into the record's "measurements".
  virtual nlohmann::ordered_json fragment() const = 0;
  /// Why it could not measure the run it was attached to, found only at run time (another CUPTI
  /// subscriber, counters refused): the run goes on and the record says `unavailable` with this.
  virtual std::string failure() const { return {}; }
  /// User replay: after the measured section ended, whether the collector needs the same work run
  /// again (one hardware-counter pass per run); the harness re-runs the pass until it says no.
  virtual bool needsReplay() const { return false; }
};

}  // namespace mlffb::profilers
