#pragma once
// Runs the CUDA kernel set's kernels (workloads/ani2x/cuda/AniCudaKernels.cuh) on the host, for
// tests on machines without a GPU: CUDA's qualifiers become nothing, atomics plain operations,
// and a launch runs its blocks one after another with ONE thread each — the kernels loop over
// threadIdx.x with stride blockDim.x, so one thread does a block's whole work and every
// __syncthreads() barrier holds trivially. What this cannot check: races between threads, warp
// shuffles (outputLayer), and anything of cuBLAS or the driver.
#include <algorithm>
#include <cmath>

#ifdef __CUDACC__
#error "AniCudaHostEmulation.hpp is for host compilers"
#endif

#define __global__
#define __device__
#define __host__
#define __shared__
#define __forceinline__

struct EmulatedDim3 {
  unsigned x = 0, y = 0, z = 0;
};
inline EmulatedDim3 blockIdx, threadIdx, blockDim, gridDim;

inline void __syncthreads() {}
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline float atomicAdd(float* p, float v) {
  const float old = *p;
  *p += v;
  return old;
}
inline double atomicAdd(double* p, double v) {
  const double old = *p;
  *p += v;
  return old;
}
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) {
  const unsigned long long old = *p;
  *p += v;
  return old;
}
inline int atomicMax(int* p, int v) {
  const int old = *p;
  *p = std::max(*p, v);
  return old;
}
double __shfl_down_sync(unsigned mask, double v, int delta);  // declared only: warp kernels are not emulated

namespace mlffb::test {

/// kernel<<<grid, 1>>>(args...) on the host.
template <class Kernel, class... Args>
void launchOnHost(long grid, Kernel kernel, Args... args) {
  gridDim.x = static_cast<unsigned>(grid);
  blockDim.x = 1;
  threadIdx.x = 0;
  for (long b = 0; b < grid; ++b) {
    blockIdx.x = static_cast<unsigned>(b);
    kernel(args...);
  }
}

}  // namespace mlffb::test

#include "workloads/ani2x/cuda/AniCudaKernels.cuh"
