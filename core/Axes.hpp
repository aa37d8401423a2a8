#pragma once
// The typed axes of a benchmark point: device, precision, configuration and mode. Parsed once
// from text (command line, plan files) and printed back the same way; an unknown value is an
// error that lists the allowed ones.
#include <string>
#include <vector>

namespace mlffb {

/// Arithmetic of a model's network part. float32 and float64 everywhere; tf32 (float32 data,
/// tensor-core products with 10-bit mantissas) and bf16 (bfloat16 operands, float32 accumulation)
/// are GPU modes. Descriptors and accumulations stay float32 in the reduced modes.
enum class Precision { Float32, Float64, Tf32, Bf16 };
Precision parsePrecision(const std::string& s);
std::string toString(Precision p);
std::vector<Precision> allPrecisions();
/// Whether a precision's storage is float64 (else float32, with tf32/bf16 products).
inline bool isDouble(Precision p) { return p == Precision::Float64; }

enum class DeviceKind { Cpu, Cuda };
std::string toString(DeviceKind k);

/// "cpu", "cuda" (the current device) or "cuda:N".
struct Device {
  DeviceKind kind = DeviceKind::Cpu;
  int index = -1;  // -1: the default device of its kind
  static Device parse(const std::string& s);
  static Device cpu() { return {}; }
  bool isCuda() const { return kind == DeviceKind::Cuda; }
  std::string str() const;
  bool operator==(const Device&) const = default;
};

/// mlff: the solute in vacuum, MLFF only; cff: classical solute and solvent; cml: MLFF solute,
/// classical solvent and solute–solvent terms (the seed paper's MLFFsys, CFFsys, CMLsys).
enum class Configuration { Mlff, Cff, Cml };
Configuration parseConfiguration(const std::string& s);
std::string toString(Configuration c);
std::vector<Configuration> allConfigurations();

enum class Mode { SinglePoint, Md };
Mode parseMode(const std::string& s);
std::string toString(Mode m);

/// Joins printed values: {"a", "b"} → "a, b".
template <class T>
std::string joinNames(const std::vector<T>& values) {
  std::string s;
  for (const auto& v : values) s += (s.empty() ? "" : ", ") + toString(v);
  return s;
}

}  // namespace mlffb
