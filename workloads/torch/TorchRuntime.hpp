#pragma once
// What every LibTorch flavour shares: the device and dtype of a run, the synchronisation that
// closes a profiler range on an asynchronous device, conversions between mlff-bench's host
// vectors (double) and tensors, and the device-memory peaks every flavour reports the same way.
#include <torch/torch.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/Axes.hpp"
#include "systems/Box.hpp"

namespace mlffb {

class TorchRuntime {
 public:
  /// Throws std::invalid_argument when a CUDA device is asked for that LibTorch cannot use.
  TorchRuntime(const Device& device, Precision precision);

  torch::Device device() const { return device_; }
  torch::Dtype dtype() const { return dtype_; }
  /// dtype and device of the model's floating-point tensors.
  torch::TensorOptions options() const { return torch::TensorOptions().dtype(dtype_).device(device_); }
  torch::TensorOptions indexOptions() const { return torch::TensorOptions().dtype(torch::kLong).device(device_); }
  /// For profilers::Range: waits for the device (empty on the CPU).
  const std::function<void()>* sync() const { return &sync_; }

  /// (N, 3) positions × scale in the model's dtype on its device.
  torch::Tensor positions(const std::vector<Vec3>& positions, double scale, bool requiresGrad) const;
  /// (3, 3) box with rows a, b, c, × scale.
  torch::Tensor box(const Box& box, double scale) const;
  /// A float64 host array as a tensor of the given shape in the model's dtype on its device.
  torch::Tensor fromDoubles(const std::vector<double>& values, std::vector<int64_t> shape) const;
  /// A long host array on the device.
  torch::Tensor fromIndices(const std::vector<int64_t>& values) const;
  /// (N, 3) tensor → host vectors × scale.
  static std::vector<Vec3> toVectors(const torch::Tensor& t, double scale);

  /// {"cuda_allocated_peak_bytes", "cuda_reserved_peak_bytes"} of LibTorch's CUDA caching
  /// allocator on a CUDA device; empty on the CPU (host memory is measured for every run).
  nlohmann::ordered_json memoryStats() const;
  void resetMemoryStats() const;

 private:
  torch::Device device_;
  torch::Dtype dtype_;
  std::function<void()> sync_;
};

/// LibTorch version string this build links, and whether it can run on CUDA here.
std::string libtorchVersion();
bool libtorchHasCuda();
/// Whether this build's LibTorch was built with CUDA at all (Debian's is CPU-only).
bool libtorchBuiltWithCuda();

}  // namespace mlffb
