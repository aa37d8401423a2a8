#include "harness/Environment.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <CLI/Version.hpp>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/BuildInfo.hpp"
#include "workloads/BlasProbe.hpp"

#ifdef MLFFB_HAVE_CUDA
#include <cuda_runtime_api.h>
#endif

namespace mlffb {
namespace {
std::string firstMatch(const std::string& file, const std::string& key) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) {
      auto p = line.find_first_of(":=", key.size());
      if (p == std::string::npos) continue;
      std::string v = line.substr(p + 1);
      v.erase(0, v.find_first_not_of(" \t\""));
      while (!v.empty() && (v.back() == '"' || v.back() == ' ')) v.pop_back();
      return v;
    }
  return "";
}
}  // namespace

std::vector<Component> components() {
  std::vector<Component> out;
  std::istringstream in(build::kComponents);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto a = line.find('|'), b = line.find('|', a + 1);
    out.push_back({line.substr(0, a), line.substr(a + 1, b - a - 1) == "1", line.substr(b + 1)});
  }
  return out;
}

Json toolInfo() {
  Json comps = Json::object();
  for (const auto& c : components()) comps[c.name] = {{"enabled", c.enabled}, {"reason", c.reason}};
  return {{"name", "mlff-bench"},
          {"version", build::kVersion},
          {"git_revision", build::kGitRevision},
          {"build_type", build::kBuildType},
          {"components", comps}};
}

Json cudaDevices() {
  Json gpus = Json::array();
#ifdef MLFFB_HAVE_CUDA
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return gpus;
  }
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);
  cudaRuntimeGetVersion(&runtime);
  for (int d = 0; d < n; ++d) {
    cudaDeviceProp p{};
    if (cudaGetDeviceProperties(&p, d) != cudaSuccess) continue;
    int clockKHz = 0, memClockKHz = 0, busWidth = 0;
    cudaDeviceGetAttribute(&clockKHz, cudaDevAttrClockRate, d);
    cudaDeviceGetAttribute(&memClockKHz, cudaDevAttrMemoryClockRate, d);
    cudaDeviceGetAttribute(&busWidth, cudaDevAttrGlobalMemoryBusWidth, d);
    gpus.push_back({{"index", d},
                    {"name", p.name},
                    {"compute_capability", std::to_string(p.major) + "." + std::to_string(p.minor)},
                    {"sm_count", p.multiProcessorCount},
                    {"memory_bytes", p.totalGlobalMem},
                    {"l2_bytes", p.l2CacheSize},
                    {"sm_clock_mhz", clockKHz / 1000},
                    {"memory_clock_mhz", memClockKHz / 1000},
                    {"memory_bus_bits", busWidth},
                    {"driver_version", driver},
                    {"runtime_version", runtime}});
  }
#endif
  return gpus;
}

Json environmentInfo() {
  utsname u{};
  uname(&u);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  const long pages = sysconf(_SC_PHYS_PAGES), pageSize = sysconf(_SC_PAGE_SIZE);
  Json libs = {{"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                                                std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                                                std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
                         {"cli11", CLI11_VERSION}};
  if (*build::kCudaToolkit) libs["cuda_toolkit"] = build::kCudaToolkit;
  const Json workloadLibs = workloadLibraries();
  for (auto& [k, v] : workloadLibs.items()) libs[k] = v;
  return {{"host", host},
          {"os", firstMatch("/etc/os-release", "PRETTY_NAME")},
          {"kernel", std::string(u.sysname) + " " + u.release},
          {"arch", u.machine},
          {"cpu_model", firstMatch("/proc/cpuinfo", "model name")},
          {"cpu_cores", std::thread::hardware_concurrency()},
          {"memory_bytes", static_cast<long long>(pages) * pageSize},
          {"compiler", build::kCompiler},
          {"libraries", libs},
          {"gpus", cudaDevices()}};
}

}  // namespace mlffb
