#include "profilers/torch/TorchOpsCollector.hpp"

#include <ATen/record_function.h>

#include <atomic>
#include <utility>
#include <vector>


namespace mlffb::profilers {
namespace {

using Clock = std::chrono::steady_clock;

// RecordFunction takes plain function pointers: the collector measuring now.
std::atomic<TorchOpsCollector*> gActive{nullptr};

// Per thread, the operators open on it, so a parent's self time excludes its children.
struct Frame {
  Clock::time_point start;
  double childMs = 0;
};
thread_local std::vector<Frame> tFrames;

struct OpContext : at::ObserverContext {
  size_t depth = 0;
  GemmWork work;
};

/// The GEMM family's work from the operands (the shapes are read only for those operators).
GemmWork gemmWorkOf(const at::RecordFunction& fn) {
  const std::string name = fn.name();
  if (name != "aten::mm" && name != "aten::addmm" && name != "aten::bmm" && name != "aten::baddbmm") return {};
  std::vector<std::vector<int64_t>> shapes;
  int elementBytes = 0;
  for (const c10::IValue& v : fn.inputs()) {
    if (!v.isTensor()) continue;
    const at::Tensor& t = v.toTensor();
    shapes.push_back(t.sizes().vec());
    elementBytes = static_cast<int>(t.element_size());
  }
  return gemmWork(name, shapes, elementBytes);
}

std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction& fn) {
  auto ctx = std::make_unique<OpContext>();
  ctx->work = gemmWorkOf(fn);
  tFrames.push_back({Clock::now(), 0.0});
  ctx->depth = tFrames.size();
  return ctx;
}

void onEnd(const at::RecordFunction& fn, at::ObserverContext* raw) {
  auto* ctx = static_cast<OpContext*>(raw);
  // Callbacks added while an operator was already open see only its end: ignore those.
  if (!ctx || tFrames.size() != ctx->depth) return;
  const Frame f = tFrames.back();
  tFrames.pop_back();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - f.start).count();
  if (!tFrames.empty()) tFrames.back().childMs += ms;
  if (TorchOpsCollector* c = gActive.load()) c->record(fn.name(), ms, ms - f.childMs, ctx->work);
}

nlohmann::ordered_json statsJson(const OperatorStats& s, int samples) {
  const double n = samples > 0 ? samples : 1;
  nlohmann::ordered_json j = {{"calls", static_cast<double>(s.calls) / n}, {"self_ms", s.selfMs / n}, {"total_ms", s.totalMs / n}};
  if (s.flops > 0) j.update({{"flops", s.flops / n}, {"bytes", s.bytes / n}});
  return j;
}

void accumulate(OperatorStats& into, const OperatorStats& s) {
  into.calls += s.calls;
  into.totalMs += s.totalMs;
  into.selfMs += s.selfMs;
  into.flops += s.flops;
  into.bytes += s.bytes;
}

}  // namespace

GemmWork gemmWork(const std::string& op, const std::vector<std::vector<int64_t>>& shapes, int elementBytes) {
  // addmm and baddbmm take the added term first: the two factors are the last two tensors.
  const bool batched = op == "aten::bmm" || op == "aten::baddbmm";
  const bool gemm = batched || op == "aten::mm" || op == "aten::addmm";
  if (!gemm || shapes.size() < 2) return {};
  const auto& a = shapes[shapes.size() - 2];
  const auto& b = shapes[shapes.size() - 1];
  const size_t rank = batched ? 3 : 2;
  if (a.size() != rank || b.size() != rank) return {};
  const double batch = batched ? static_cast<double>(a[0]) : 1.0;
  const double m = static_cast<double>(a[rank - 2]), k = static_cast<double>(a[rank - 1]), n = static_cast<double>(b[rank - 1]);
  return {2.0 * batch * m * n * k, static_cast<double>(elementBytes) * batch * (m * k + k * n + m * n)};
}

TorchOpsCollector::~TorchOpsCollector() {
  endRemote_ = nullptr;  // the model may be gone: only the callbacks are removed
  runEnd();
}

void TorchOpsCollector::runBegin(const RunContext& ctx) {
  std::lock_guard lock(mutex_);
  endRemote_ = ctx.endRemoteOperators;
  if (endRemote_ && ctx.beginRemoteOperators) ctx.beginRemoteOperators();
  byStage_.clear();
  stageWallMs_.clear();
  open_.clear();
  stack_.clear();
  samples_ = 0;
  gActive.store(this);
  if (!handle_)
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(&onStart, &onEnd).needsInputs(true).scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
}

void TorchOpsCollector::runEnd() {
  if (handle_) at::removeCallback(handle_);
  handle_ = 0;
  TorchOpsCollector* self = this;
  gActive.compare_exchange_strong(self, nullptr);
  if (auto end = std::exchange(endRemote_, nullptr)) mergeRemote(end());
}

void TorchOpsCollector::mergeRemote(const nlohmann::ordered_json& byStage) {
  std::lock_guard lock(mutex_);
  for (const auto& [stage, ops] : byStage.items())
    for (const auto& [op, st] : ops.items())
      accumulate(byStage_[stage][op], {st.value("calls", 0LL), st.value("total_ms", 0.0), st.value("self_ms", 0.0), st.value("flops", 0.0),
                                       st.value("bytes", 0.0)});
}

void TorchOpsCollector::rangeBegin(const char* name) {
  std::lock_guard lock(mutex_);
  stack_.push(name);
  open_[name] = Clock::now();
}

void TorchOpsCollector::rangeEnd(const char* name) {
  std::lock_guard lock(mutex_);
  stack_.pop(name);
  if (auto it = open_.find(name); it != open_.end()) {
    stageWallMs_[name] += std::chrono::duration<double, std::milli>(Clock::now() - it->second).count();
    open_.erase(it);
  }
}

void TorchOpsCollector::sampleEnd() {
  std::lock_guard lock(mutex_);
  ++samples_;
}

void TorchOpsCollector::record(const std::string& op, double totalMs, double selfMs, const GemmWork& work) {
  std::lock_guard lock(mutex_);
  accumulate(byStage_[stack_.innermost()][op], {1, totalMs, selfMs, work.flops, work.bytes});
}

nlohmann::ordered_json TorchOpsCollector::fragment() const {
  // "operators": over all stages; "operators_by_stage": per stage, with the stage's wall time and
  // the operators' self time in it (their sum is the time spent inside operators). Per sample.
  std::map<std::string, OperatorStats> all;
  nlohmann::ordered_json byStage = nlohmann::ordered_json::object();
  for (const auto& [stage, ops] : byStage_) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    double self = 0, flops = 0, bytes = 0;
    for (const auto& [op, s] : ops) {
      o[op] = statsJson(s, samples_);
      self += s.selfMs;
      flops += s.flops;
      bytes += s.bytes;
      accumulate(all[op], s);
    }
    const double n = samples_ > 0 ? samples_ : 1;
    auto wall = stageWallMs_.find(stage);
    byStage[stage] = {{"stage_ms", wall == stageWallMs_.end() ? 0.0 : wall->second / n}, {"operators_self_ms", self / n},
                      {"gemm_flops", flops / n}, {"gemm_bytes", bytes / n}, {"operators", o}};
  }
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (const auto& [op, s] : all) ops[op] = statsJson(s, samples_);
  return {{"operators", ops}, {"operators_by_stage", byStage}, {"operator_samples", samples_}};
}

std::unique_ptr<Collector> makeTorchOpsCollector() { return std::make_unique<TorchOpsCollector>(); }

}  // namespace mlffb::profilers
