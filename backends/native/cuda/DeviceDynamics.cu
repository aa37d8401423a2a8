// The native engine's dynamics on a CUDA device (Dynamics.hpp): positions, velocities and forces in
// device memory, the potential evaluated from and into it (DeviceResident), the velocity-Verlet
// kicks and drifts and BAOAB's Ornstein–Uhlenbeck step (Philox normals per step, atom and
// component) as kernels on the potential's stream; per step only the kinetic energy and, with a
// Verlet list, the largest displacement come back (8 bytes each).
#include <cuda_runtime.h>
#include <curand_kernel.h>

#include <cmath>

#include "backends/native/Dynamics.hpp"
#include "core/Units.hpp"
#include "core/cuda/CudaSupport.hpp"

namespace mlffb {
namespace {

static_assert(sizeof(Vec3) == 3 * sizeof(double), "Vec3 is three packed doubles");

int blocks(long n) { return gpu::blocksFor(n, 256); }

__global__ void kick(int n, double* v, const double* f, const double* invMass, double scale) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  for (int q = 0; q < 3; ++q) v[3 * i + q] += f[3 * i + q] * scale * invMass[i];
}

__global__ void move(long count, double* x, const double* v, double h) {
  const long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x;
  if (k < count) x[k] += v[k] * h;
}

__global__ void ornsteinUhlenbeck(int n, double* v, const double* sigma, double c1, double c2, unsigned long long seed, unsigned long long step) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  curandStatePhilox4_32_10_t rng;
  curand_init(seed, static_cast<unsigned long long>(i), 8 * step, &rng);  // 8 32-bit draws per step
  const double2 a = curand_normal2_double(&rng), b = curand_normal2_double(&rng);
  const double xi[3] = {a.x, a.y, b.x};
  for (int q = 0; q < 3; ++q) v[3 * i + q] = c1 * v[3 * i + q] + c2 * sigma[i] * xi[q];
}

/// One block of 512 threads: Σ ½ m v² (op 0) or max |x − x0|² (op 1) into *out.
__global__ void reduce(int n, int op, const double* a, const double* b, const double* mass, double* out) {
  __shared__ double part[512];
  double acc = 0;
  for (int i = threadIdx.x; i < n; i += blockDim.x) {
    if (op == 0) {
      acc += 0.5 * mass[i] * (a[3 * i] * a[3 * i] + a[3 * i + 1] * a[3 * i + 1] + a[3 * i + 2] * a[3 * i + 2]);
    } else {
      double d2 = 0;
      for (int q = 0; q < 3; ++q) d2 += (a[3 * i + q] - b[3 * i + q]) * (a[3 * i + q] - b[3 * i + q]);
      acc = fmax(acc, d2);
    }
  }
  part[threadIdx.x] = acc;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) part[threadIdx.x] = op == 0 ? part[threadIdx.x] + part[threadIdx.x + w] : fmax(part[threadIdx.x], part[threadIdx.x + w]);
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = part[0];
}

/// A device array of `count` doubles (at least one).
class DeviceArray : public gpu::DeviceBuffer<double> {
 public:
  explicit DeviceArray(size_t count) { reserve(std::max<size_t>(1, count)); }
};

class DeviceDynamics final : public Dynamics {
 public:
  DeviceDynamics(DeviceResident& pot, const std::vector<Vec3>& x, const std::vector<Vec3>& v, const std::vector<double>& masses,
                 double temperatureK, std::uint64_t seed)
      : pot_(pot),
        stream_(static_cast<cudaStream_t>(pot.stream())),
        n_(static_cast<int>(x.size())),
        seed_(seed),
        x_(3 * x.size()),
        v_(3 * x.size()),
        f_(3 * x.size()),
        origin_(3 * x.size()),
        mass_(x.size()),
        invMass_(x.size()),
        sigma_(x.size()),
        scalar_(1) {
    std::vector<double> inv(n_), sigma(n_);
    for (int i = 0; i < n_; ++i) {
      inv[i] = 1.0 / masses[i];
      sigma[i] = std::sqrt(units::kBoltzmannKJPerMolK * temperatureK / masses[i] * units::kForceToAccel);
    }
    gpu::copyToDevice(x_.get(), reinterpret_cast<const double*>(x.data()), 3 * x.size(), stream_);
    gpu::copyToDevice(v_.get(), reinterpret_cast<const double*>(v.data()), 3 * v.size(), stream_);
    gpu::copyToDevice(mass_.get(), masses.data(), masses.size(), stream_);
    gpu::copyToDevice(invMass_.get(), inv.data(), inv.size(), stream_);
    gpu::copyToDevice(sigma_.get(), sigma.data(), sigma.size(), stream_);
  }

  void halfKick(double dt) override {
    kick<<<blocks(n_), 256, 0, stream_>>>(n_, v_.get(), f_.get(), invMass_.get(), 0.5 * dt * units::kForceToAccel);
    MLFFB_CUDA(cudaGetLastError());
  }
  void drift(double h) override {
    move<<<blocks(3L * n_), 256, 0, stream_>>>(3L * n_, x_.get(), v_.get(), h);
    MLFFB_CUDA(cudaGetLastError());
  }
  void thermostat(double c1, double c2) override {
    ornsteinUhlenbeck<<<blocks(n_), 256, 0, stream_>>>(n_, v_.get(), sigma_.get(), c1, c2, seed_, step_++);
    MLFFB_CUDA(cudaGetLastError());
  }
  double maxDisplacement2() override { return reduced(1, x_.get(), origin_.get()); }
  void markListOrigin() override {
    MLFFB_CUDA(cudaMemcpyAsync(origin_.get(), x_.get(), sizeof(double) * 3 * n_, cudaMemcpyDeviceToDevice, stream_));
  }
  void buildNeighborList(const std::optional<Box>& box, double skin) override { pot_.buildNeighborListOnDevice(x_.get(), box, skin); }
  double compute(const std::optional<Box>& box) override { return pot_.computeOnDevice(x_.get(), box, f_.get()); }
  double kineticEnergy() override { return reduced(0, v_.get(), nullptr) * units::kKineticToKJPerMol; }
  std::vector<Vec3> positions() override { return download(x_.get()); }
  std::vector<Vec3> velocities() override { return download(v_.get()); }
  const char* where() const override { return "device"; }

 private:
  double reduced(int op, const double* a, const double* b) {
    reduce<<<1, 512, 0, stream_>>>(n_, op, a, b, mass_.get(), scalar_.get());
    MLFFB_CUDA(cudaGetLastError());
    double out = 0;
    gpu::copyToHost(&out, scalar_.get(), 1, stream_);
    return out;
  }
  std::vector<Vec3> download(const double* p) {
    std::vector<Vec3> out(n_);
    gpu::copyToHost(reinterpret_cast<double*>(out.data()), p, 3 * out.size(), stream_);
    return out;
  }

  DeviceResident& pot_;
  cudaStream_t stream_;
  int n_;
  std::uint64_t seed_;
  unsigned long long step_ = 0;
  DeviceArray x_, v_, f_, origin_, mass_, invMass_, sigma_, scalar_;
};

}  // namespace

std::unique_ptr<Dynamics> makeDeviceDynamics(DeviceResident& potential, const std::vector<Vec3>& positions, const std::vector<Vec3>& velocities,
                                             const std::vector<double>& masses, double temperatureK, std::uint64_t seed) {
  return std::make_unique<DeviceDynamics>(potential, positions, velocities, masses, temperatureK, seed);
}

}  // namespace mlffb
