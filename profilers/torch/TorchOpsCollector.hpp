#pragma once
// Framework operator timing for the LibTorch flavours (the seed paper's Figs. 5 and 9): every
// operator (aten::linear, aten::index_add_, ...) and autograd node (AddmmBackward0, ...) timed
// through RecordFunction callbacks (at::addGlobalCallback), which Debian's CPU-only libtorch 1.13,
// built without Kineto, has as well as PyTorch's CUDA LibTorch. Each call is attributed to the
// innermost stage open when it ran; self time is its time less that of the operators it called on
// the same thread. Times are host times: on CUDA they are dispatch times unless a stage
// synchronises. The callbacks cost time, so the harness runs this collector in a pass of its own.
// The GEMM family (aten::mm, addmm, bmm, baddbmm — what linear, matmul and einsum become) is also
// counted from its operands' shapes: 2·m·n·k FLOPs per product and the bytes of its operands and
// result read and written once (the least traffic the product needs), so any model run through
// LibTorch, a TorchScript file included, gets its GEMM work per atom without a model of its own.
// A model evaluated in another process (a Python worker) has its operators timed there, with the
// same GEMM counting, and merged here (RunContext::endRemoteOperators).
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <functional>
#include <vector>

#include "profilers/Collector.hpp"
#include "profilers/StageStack.hpp"

namespace mlffb::profilers {

struct OperatorStats {
  long long calls = 0;
  double totalMs = 0;  // inclusive
  double selfMs = 0;   // less the operators it called
  double flops = 0;    // GEMM family only: 2·m·n·k per product
  double bytes = 0;    // GEMM family only: operands and result, once each
};

/// FLOPs and least bytes of one call of a GEMM-family operator from its operands' sizes
/// (a: [b,]m×k, b: [b,]k×n) and element size; zeros for any other operator.
struct GemmWork {
  double flops = 0, bytes = 0;
};
GemmWork gemmWork(const std::string& op, const std::vector<std::vector<int64_t>>& shapes, int elementBytes);

class TorchOpsCollector : public Collector {
 public:
  TorchOpsCollector() = default;
  ~TorchOpsCollector() override;
  std::string name() const override { return "torch-ops"; }
  void runBegin(const RunContext&) override;
  void runEnd() override;
  void rangeBegin(const char* name) override;
  void rangeEnd(const char* name) override;
  void sampleEnd() override;
  nlohmann::ordered_json fragment() const override;
  /// A run in which no LibTorch operator ran (a native flavour) has nothing to report.
  std::string failure() const override {
    return samples_ > 0 && byStage_.empty() ? "no LibTorch operator ran in the measured section (the flavour does not use LibTorch)" : "";
  }

  /// Per stage, per operator, summed over the measured samples.
  const std::map<std::string, std::map<std::string, OperatorStats>>& byStage() const { return byStage_; }
  /// Wall time of each stage summed over the samples (this pass's own clock).
  const std::map<std::string, double>& stageWallMs() const { return stageWallMs_; }
  int samples() const { return samples_; }

  // Called from the RecordFunction callbacks (any thread).
  void record(const std::string& op, double totalMs, double selfMs, const GemmWork& work = {});
  /// Adds operators timed elsewhere ({stage: {operator: stats summed over the run}}).
  void mergeRemote(const nlohmann::ordered_json& byStage);

 private:
  using Clock = std::chrono::steady_clock;
  std::mutex mutex_;
  StageStack stack_;
  std::map<std::string, Clock::time_point> open_;
  std::map<std::string, std::map<std::string, OperatorStats>> byStage_;
  std::map<std::string, double> stageWallMs_;
  int samples_ = 0;
  uint64_t handle_ = 0;
  std::function<nlohmann::ordered_json()> endRemote_;  // the run's remote operators, until collected
};

/// The collector (only where LibTorch is built in; the entry in TorchOpsEntry.cpp says so otherwise).
std::unique_ptr<Collector> makeTorchOpsCollector();

}  // namespace mlffb::profilers
