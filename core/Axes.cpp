#include "core/Axes.hpp"

#include <stdexcept>

namespace mlffb {

Precision parsePrecision(const std::string& s) {
  if (s == "float32") return Precision::Float32;
  if (s == "float64") return Precision::Float64;
  if (s == "tf32") return Precision::Tf32;
  if (s == "bf16") return Precision::Bf16;
  throw std::invalid_argument("unknown precision '" + s + "' (float32, float64, tf32, bf16)");
}
std::string toString(Precision p) {
  switch (p) {
    case Precision::Float32: return "float32";
    case Precision::Float64: return "float64";
    case Precision::Tf32: return "tf32";
    case Precision::Bf16: return "bf16";
  }
  return "float32";
}
std::vector<Precision> allPrecisions() { return {Precision::Float32, Precision::Float64, Precision::Tf32, Precision::Bf16}; }

std::string toString(DeviceKind k) { return k == DeviceKind::Cpu ? "cpu" : "cuda"; }

Device Device::parse(const std::string& s) {
  if (s == "cpu") return {};
  if (s == "cuda") return {DeviceKind::Cuda, -1};
  if (s.rfind("cuda:", 0) == 0) {
    const std::string n = s.substr(5);
    size_t used = 0;
    int index = -1;
    try {
      index = std::stoi(n, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == n.size() && !n.empty() && index >= 0) return {DeviceKind::Cuda, index};
  }
  throw std::invalid_argument("unknown device '" + s + "' (cpu, cuda, cuda:N)");
}

std::string Device::str() const {
  if (kind == DeviceKind::Cpu) return "cpu";
  return index < 0 ? "cuda" : "cuda:" + std::to_string(index);
}

Configuration parseConfiguration(const std::string& s) {
  if (s == "mlff") return Configuration::Mlff;
  if (s == "cff") return Configuration::Cff;
  if (s == "cml") return Configuration::Cml;
  throw std::invalid_argument("unknown configuration '" + s + "' (mlff, cff, cml)");
}
std::string toString(Configuration c) {
  switch (c) {
    case Configuration::Mlff: return "mlff";
    case Configuration::Cff: return "cff";
    case Configuration::Cml: return "cml";
  }
  return "mlff";
}
std::vector<Configuration> allConfigurations() { return {Configuration::Mlff, Configuration::Cff, Configuration::Cml}; }

Mode parseMode(const std::string& s) {
  if (s == "single-point") return Mode::SinglePoint;
  if (s == "md") return Mode::Md;
  throw std::invalid_argument("unknown mode '" + s + "' (single-point, md)");
}
std::string toString(Mode m) { return m == Mode::SinglePoint ? "single-point" : "md"; }

}  // namespace mlffb
