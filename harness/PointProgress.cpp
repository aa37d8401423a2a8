#include "harness/PointProgress.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>

namespace mlffb {

namespace {
const char* progressFile() {
  static const char* file = std::getenv(kProgressEnv);
  return file && *file ? file : nullptr;
}
}  // namespace

bool pointProgressDue() {
  if (!progressFile()) return false;
  using Clock = std::chrono::steady_clock;
  static Clock::time_point last{};
  const Clock::time_point t = Clock::now();
  if (t - last < std::chrono::milliseconds(500)) return false;
  last = t;
  return true;
}

void sayPointProgress(const std::string& line) {
  const char* file = progressFile();
  if (!file) return;
  const std::string tmp = std::string(file) + ".new";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << line << "\n";
    if (!out) return;  // progress is a courtesy: a failure to write it never stops the point
  }
  std::rename(tmp.c_str(), file);
}

std::string readPointProgress(const std::string& file) {
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  return line;
}

}  // namespace mlffb
