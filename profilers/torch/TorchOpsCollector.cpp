#include "profilers/torch/TorchOpsCollector.hpp"

#include <ATen/record_function.h>

#include <atomic>
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
};

std::unique_ptr<at::ObserverContext> onStart(const at::RecordFunction&) {
  tFrames.push_back({Clock::now(), 0.0});
  auto ctx = std::make_unique<OpContext>();
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
  if (TorchOpsCollector* c = gActive.load()) c->record(fn.name(), ms, ms - f.childMs);
}

nlohmann::ordered_json statsJson(const OperatorStats& s, int samples) {
  const double n = samples > 0 ? samples : 1;
  return {{"calls", static_cast<double>(s.calls) / n}, {"self_ms", s.selfMs / n}, {"total_ms", s.totalMs / n}};
}

}  // namespace

TorchOpsCollector::~TorchOpsCollector() { runEnd(); }

void TorchOpsCollector::runBegin(const RunContext&) {
  std::lock_guard lock(mutex_);
  byStage_.clear();
  stageWallMs_.clear();
  open_.clear();
  stack_.clear();
  samples_ = 0;
  gActive.store(this);
  if (!handle_)
    handle_ = at::addGlobalCallback(
        at::RecordFunctionCallback(&onStart, &onEnd).scopes({at::RecordScope::FUNCTION, at::RecordScope::BACKWARD_FUNCTION}));
}

void TorchOpsCollector::runEnd() {
  if (handle_) at::removeCallback(handle_);
  handle_ = 0;
  TorchOpsCollector* self = this;
  gActive.compare_exchange_strong(self, nullptr);
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

void TorchOpsCollector::record(const std::string& op, double totalMs, double selfMs) {
  std::lock_guard lock(mutex_);
  OperatorStats& s = byStage_[stack_.innermost()][op];
  ++s.calls;
  s.totalMs += totalMs;
  s.selfMs += selfMs;
}

nlohmann::ordered_json TorchOpsCollector::fragment() const {
  // "operators": over all stages; "operators_by_stage": per stage, with the stage's wall time and
  // the operators' self time in it (their sum is the time spent inside operators). Per sample.
  std::map<std::string, OperatorStats> all;
  nlohmann::ordered_json byStage = nlohmann::ordered_json::object();
  for (const auto& [stage, ops] : byStage_) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    double self = 0;
    for (const auto& [op, s] : ops) {
      o[op] = statsJson(s, samples_);
      self += s.selfMs;
      OperatorStats& a = all[op];
      a.calls += s.calls;
      a.totalMs += s.totalMs;
      a.selfMs += s.selfMs;
    }
    const double n = samples_ > 0 ? samples_ : 1;
    auto wall = stageWallMs_.find(stage);
    byStage[stage] = {{"stage_ms", wall == stageWallMs_.end() ? 0.0 : wall->second / n}, {"operators_self_ms", self / n}, {"operators", o}};
  }
  nlohmann::ordered_json ops = nlohmann::ordered_json::object();
  for (const auto& [op, s] : all) ops[op] = statsJson(s, samples_);
  return {{"operators", ops}, {"operators_by_stage", byStage}, {"operator_samples", samples_}};
}

std::unique_ptr<Collector> makeTorchOpsCollector() { return std::make_unique<TorchOpsCollector>(); }

}  // namespace mlffb::profilers
