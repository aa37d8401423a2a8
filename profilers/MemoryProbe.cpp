#include "profilers/MemoryProbe.hpp"

#include <fstream>
#include <string>

namespace mlffb::profilers {
namespace {
std::uint64_t statusKb(const char* key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string k(key);
  while (std::getline(in, line))
    if (line.rfind(k, 0) == 0) return std::stoull(line.substr(k.size())) * 1024;
  return 0;
}
}  // namespace

bool resetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";
  out.flush();
  return static_cast<bool>(out);
}

std::uint64_t peakRssBytes() { return statusKb("VmHWM:"); }
std::uint64_t currentRssBytes() { return statusKb("VmRSS:"); }

}  // namespace mlffb::profilers
