#include "profilers/cupti/ActivityAggregator.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "profilers/StageStack.hpp"

namespace mlffb::profilers::cupti {

using Json = nlohmann::ordered_json;

void ActivityAggregator::rangeBegin(const std::string& name, uint64_t t) {
  open_.push_back(intervals_.size());
  intervals_.push_back({name, t, UINT64_MAX});
}

void ActivityAggregator::rangeEnd(const std::string& name, uint64_t t) {
  for (auto it = open_.rbegin(); it != open_.rend(); ++it)
    if (intervals_[*it].name == name) {
      intervals_[*it].end = t;
      open_.erase(std::next(it).base());
      return;
    }
}

void ActivityAggregator::add(KernelActivity k) {
  k.name = demangle(k.name);
  kernels_.push_back(std::move(k));
}

void ActivityAggregator::add(ApiActivity a) {
  if (isLaunch(a.name)) launches_[a.correlationId] = a;
  apis_.push_back(std::move(a));
}

void ActivityAggregator::add(MemoryActivity m) { memory_.push_back(std::move(m)); }

void ActivityAggregator::clear() { *this = ActivityAggregator(); }

std::string ActivityAggregator::stageAt(uint64_t t) const {
  // Ranges nest, so of those containing t the innermost began last: walk back from the last
  // range begun at or before t to the first that still contains it.
  auto after = std::upper_bound(intervals_.begin(), intervals_.end(), t, [](uint64_t v, const Interval& i) { return v < i.begin; });
  for (auto it = std::make_reverse_iterator(after); it != intervals_.rend(); ++it)
    if (it->begin <= t && t <= it->end) return it->name;
  return StageStack::outside();
}

bool ActivityAggregator::isGraphLaunch(const std::string& api) { return api.rfind("cudaGraphLaunch", 0) == 0 || api.rfind("cuGraphLaunch", 0) == 0; }

bool ActivityAggregator::isLaunch(const std::string& api) {
  return api.rfind("cudaLaunch", 0) == 0 || api.rfind("cuLaunch", 0) == 0 || isGraphLaunch(api);
}

bool ActivityAggregator::isMalloc(const std::string& api) { return api.rfind("cudaMalloc", 0) == 0 || api.rfind("cuMemAlloc", 0) == 0; }

bool ActivityAggregator::isManagedMalloc(const std::string& api) {
  return api.rfind("cudaMallocManaged", 0) == 0 || api.rfind("cuMemAllocManaged", 0) == 0;
}

std::string ActivityAggregator::demangle(const std::string& name) {
  if (name.rfind("_Z", 0) != 0) return name;
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> d(abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), std::free);
  return status == 0 && d ? std::string(d.get()) : name;
}

Json ActivityAggregator::fragment() const {
  const double n = samples_ > 0 ? samples_ : 1;
  struct Group {
    const KernelActivity* first = nullptr;
    long long launches = 0;
    double totalNs = 0, minNs = 1e300, maxNs = 0;
    bool inGraph = false;
  };
  std::map<std::pair<std::string, std::string>, Group> groups;  // (stage, kernel)
  std::map<std::string, double> kernelsPerStage, gpuNsPerStage, apiLaunchesPerStage, graphLaunchesPerStage;
  long long unattributed = 0;
  for (const auto& k : kernels_) {
    std::string stage = "unattributed";
    if (auto it = launches_.find(k.correlationId); it != launches_.end()) stage = stageAt(it->second.start);
    else ++unattributed;
    Group& g = groups[{stage, k.name}];
    if (!g.first) g.first = &k;
    const double ns = static_cast<double>(k.end - k.start);
    ++g.launches;
    g.totalNs += ns;
    g.minNs = std::min(g.minNs, ns);
    g.maxNs = std::max(g.maxNs, ns);
    g.inGraph = g.inGraph || k.graphId != 0;
    kernelsPerStage[stage] += 1;
    gpuNsPerStage[stage] += ns;
  }
  // A runtime call runs driver calls inside it: launch calls (and, below, API totals and shares) are
  // counted over the runtime API when there are runtime records, over the driver API otherwise.
  const bool anyRuntime = std::any_of(apis_.begin(), apis_.end(), [](const ApiActivity& a) { return !a.driver; });
  for (const auto& a : apis_) {
    if (a.driver == anyRuntime || !isLaunch(a.name)) continue;
    const std::string stage = stageAt(a.start);
    apiLaunchesPerStage[stage] += 1;
    if (isGraphLaunch(a.name)) graphLaunchesPerStage[stage] += 1;
  }

  std::vector<std::pair<const std::pair<std::string, std::string>*, const Group*>> order;
  for (const auto& [key, g] : groups) order.push_back({&key, &g});
  std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.second->totalNs > b.second->totalNs; });
  Json kernels = Json::array();
  for (const auto& [key, g] : order) {
    const KernelActivity& k = *g->first;
    kernels.push_back({{"name", key->second},
                       {"stage", key->first},
                       {"launches", static_cast<double>(g->launches) / n},
                       {"total_ms", g->totalNs * 1e-6 / n},
                       {"mean_us", g->totalNs * 1e-3 / static_cast<double>(g->launches)},
                       {"min_us", g->minNs * 1e-3},
                       {"max_us", g->maxNs * 1e-3},
                       {"grid", k.grid},
                       {"block", k.block},
                       {"registers_per_thread", k.registersPerThread},
                       {"shared_bytes", k.staticSharedBytes + k.dynamicSharedBytes},
                       {"local_bytes_per_thread", k.localBytesPerThread},
                       {"in_graph", g->inGraph}});
  }

  Json launches = Json::object();
  double perSample = 0;
  for (const auto& [stage, c] : kernelsPerStage) {
    launches[stage] = {{"kernels", c / n},
                       {"launch_calls", apiLaunchesPerStage.count(stage) ? apiLaunchesPerStage.at(stage) / n : 0.0},
                       {"graph_launches", graphLaunchesPerStage.count(stage) ? graphLaunchesPerStage.at(stage) / n : 0.0},
                       {"gpu_ms", gpuNsPerStage[stage] * 1e-6 / n}};
    perSample += c / n;
  }

  struct Mem {
    long long count = 0;
    double bytes = 0, ns = 0;
  };
  std::map<std::string, Mem> mem;
  for (const auto& m : memory_) {
    Mem& x = mem[m.memset ? "memset" : m.kind];
    ++x.count;
    x.bytes += static_cast<double>(m.bytes);
    x.ns += static_cast<double>(m.end - m.start);
  }
  Json memcpy = Json::object();
  for (const auto& [kind, x] : mem)
    memcpy[kind] = {{"count", static_cast<double>(x.count) / n}, {"bytes", x.bytes / n}, {"ms", x.ns * 1e-6 / n}};

  std::map<std::string, std::pair<long long, double>> api, driverApi;
  double apiNs = 0, mallocNs = 0, managedNs = 0;
  for (const auto& a : apis_) {
    const double ns = static_cast<double>(a.end - a.start);
    const bool counted = a.driver != anyRuntime;
    auto& [calls, total] = (counted ? api : driverApi)[a.name];
    ++calls;
    total += ns;
    if (!counted) continue;
    apiNs += ns;
    if (isManagedMalloc(a.name)) managedNs += ns;
    if (isMalloc(a.name)) mallocNs += ns;
  }
  auto functionsOf = [n](const std::map<std::string, std::pair<long long, double>>& m) {
    Json f = Json::object();
    for (const auto& [name, ct] : m) f[name] = {{"calls", static_cast<double>(ct.first) / n}, {"total_ms", ct.second * 1e-6 / n}};
    return f;
  };
  const Json functions = functionsOf(api);

  return {{"kernels", kernels},
          {"launches_per_stage", launches},
          {"launches_per_sample", perSample},
          {"memcpy", memcpy},
          {"cuda_api",
           {{"total_ms", apiNs * 1e-6 / n},
            {"malloc_share", apiNs > 0 ? mallocNs / apiNs : 0.0},
            {"malloc_managed_share", apiNs > 0 ? managedNs / apiNs : 0.0},
            {"api", anyRuntime ? "runtime" : "driver"},
            {"functions", functions},
            {"driver_functions", functionsOf(driverApi)}}},
          {"cupti_activity",
           {{"samples", samples_}, {"kernel_records", kernels_.size()}, {"unattributed_kernels", unattributed}, {"dropped_records", dropped_}}}};
}

}  // namespace mlffb::profilers::cupti
