#include "workloads/torch/TorchRuntime.hpp"

#include <torch/cuda.h>
#include <torch/version.h>

#include <stdexcept>

#ifdef MLFFB_TORCH_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace mlffb {
namespace {
torch::Device torchDevice(const Device& d) {
  if (!d.isCuda()) return torch::kCPU;
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(d.index < 0 ? 0 : d.index));
}
}  // namespace

TorchRuntime::TorchRuntime(const Device& device, Precision precision)
    : device_(torchDevice(device)), dtype_(precision == Precision::Float64 ? torch::kFloat64 : torch::kFloat32) {
  if (device.isCuda()) {
    if (!libtorchBuiltWithCuda())
      throw std::invalid_argument("device '" + device.str() + "' asked for, but this build's LibTorch has no CUDA support");
    if (!torch::cuda::is_available())
      throw std::invalid_argument("device '" + device.str() + "' asked for, but LibTorch sees no CUDA device");
    if (device.index >= static_cast<int>(torch::cuda::device_count()))
      throw std::invalid_argument("device '" + device.str() + "' asked for, but LibTorch sees " +
                                  std::to_string(torch::cuda::device_count()) + " CUDA devices");
    sync_ = [] { torch::cuda::synchronize(); };
  }
}

torch::Tensor TorchRuntime::positions(const std::vector<Vec3>& pos, double scale, bool requiresGrad) const {
  const int64_t n = static_cast<int64_t>(pos.size());
  std::vector<double> flat(static_cast<size_t>(n) * 3);
  for (int64_t i = 0; i < n; ++i)
    for (int k = 0; k < 3; ++k) flat[3 * i + k] = pos[i][k] * scale;
  torch::Tensor t = torch::from_blob(flat.data(), {n, 3}, torch::kFloat64).to(options()).clone();
  t.requires_grad_(requiresGrad);
  return t;
}

torch::Tensor TorchRuntime::box(const Box& b, double scale) const {
  std::vector<double> m{b.a.x, b.a.y, b.a.z, b.b.x, b.b.y, b.b.z, b.c.x, b.c.y, b.c.z};
  for (auto& x : m) x *= scale;
  return fromDoubles(m, {3, 3});
}

torch::Tensor TorchRuntime::fromDoubles(const std::vector<double>& v, std::vector<int64_t> shape) const {
  return torch::from_blob(const_cast<double*>(v.data()), shape, torch::kFloat64).to(options()).clone();
}

torch::Tensor TorchRuntime::fromIndices(const std::vector<int64_t>& v) const {
  return torch::tensor(v, torch::kLong).to(device_);
}

std::vector<Vec3> TorchRuntime::toVectors(const torch::Tensor& t, double scale) {
  const torch::Tensor h = t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const double* p = h.data_ptr<double>();
  std::vector<Vec3> out(static_cast<size_t>(h.size(0)));
  for (size_t i = 0; i < out.size(); ++i) out[i] = Vec3{p[3 * i], p[3 * i + 1], p[3 * i + 2]} * scale;
  return out;
}

nlohmann::ordered_json TorchRuntime::memoryStats() const {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
#ifdef MLFFB_TORCH_CUDA
  if (device_.is_cuda()) {
    const auto st = c10::cuda::CUDACachingAllocator::getDeviceStats(device_.index());
    const size_t agg = 0;  // StatType::AGGREGATE (its namespace moved between LibTorch versions)
    j["cuda_allocated_peak_bytes"] = st.allocated_bytes[agg].peak;
    j["cuda_reserved_peak_bytes"] = st.reserved_bytes[agg].peak;
  }
#endif
  return j;
}

void TorchRuntime::resetMemoryStats() const {
#ifdef MLFFB_TORCH_CUDA
  if (device_.is_cuda()) c10::cuda::CUDACachingAllocator::resetPeakStats(device_.index());
#endif
}

std::string libtorchVersion() { return TORCH_VERSION; }
bool libtorchHasCuda() { return libtorchBuiltWithCuda() && torch::cuda::is_available(); }
bool libtorchBuiltWithCuda() {
#ifdef MLFFB_TORCH_CUDA
  return true;
#else
  return false;
#endif
}

}  // namespace mlffb
