#include "workloads/CublasProbe.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#ifdef MLFFB_HAVE_CUBLAS
#include <cublas_v2.h>
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#endif

#include "systems/Rng.hpp"

namespace mlffb {

#ifdef MLFFB_HAVE_CUBLAS
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string("cuBLAS probe: ") + what + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS) throw std::runtime_error(std::string("cuBLAS probe: ") + what + ": status " + std::to_string(static_cast<int>(s)));
}

/// Device buffers and a handle, released however the probe ends.
struct ProbeState {
  void *a = nullptr, *b = nullptr, *c = nullptr;
  cublasHandle_t handle = nullptr;
  cudaEvent_t start = nullptr, stop = nullptr;
  ~ProbeState() {
    cudaFree(a);
    cudaFree(b);
    cudaFree(c);
    if (handle) cublasDestroy(handle);
    if (start) cudaEventDestroy(start);
    if (stop) cudaEventDestroy(stop);
  }
};

template <class T>
std::vector<T> randomValues(size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<T> v(n);
  for (auto& x : v) x = static_cast<T>(rng.uniform(-1, 1));
  return v;
}

}  // namespace

bool haveCublas() { return true; }

nlohmann::ordered_json measureCublasGemm(int m, int n, int k, Precision precision, int device, int repeats) {
  check(cudaSetDevice(std::max(0, device)), "cudaSetDevice");
  ProbeState st;
  const size_t na = static_cast<size_t>(m) * k, nb = static_cast<size_t>(n) * k, nc = static_cast<size_t>(m) * n;
  const bool f64 = precision == Precision::Float64, bf16 = precision == Precision::Bf16;
  const size_t in = f64 ? sizeof(double) : (bf16 ? sizeof(__nv_bfloat16) : sizeof(float)), out = f64 ? sizeof(double) : sizeof(float);
  check(cudaMalloc(&st.a, na * in), "cudaMalloc");
  check(cudaMalloc(&st.b, nb * in), "cudaMalloc");
  check(cudaMalloc(&st.c, nc * out), "cudaMalloc");
  auto upload = [&](void* dst, size_t count, std::uint64_t seed) {
    if (f64) {
      const auto v = randomValues<double>(count, seed);
      check(cudaMemcpy(dst, v.data(), count * sizeof(double), cudaMemcpyHostToDevice), "cudaMemcpy");
    } else if (bf16) {
      const auto f = randomValues<float>(count, seed);
      std::vector<__nv_bfloat16> v(count);
      for (size_t i = 0; i < count; ++i) v[i] = __float2bfloat16(f[i]);
      check(cudaMemcpy(dst, v.data(), count * sizeof(__nv_bfloat16), cudaMemcpyHostToDevice), "cudaMemcpy");
    } else {
      const auto v = randomValues<float>(count, seed);
      check(cudaMemcpy(dst, v.data(), count * sizeof(float), cudaMemcpyHostToDevice), "cudaMemcpy");
    }
  };
  upload(st.a, na, 1);
  upload(st.b, nb, 2);
  check(cublasCreate(&st.handle), "cublasCreate");
  check(cudaEventCreate(&st.start), "cudaEventCreate");
  check(cudaEventCreate(&st.stop), "cudaEventCreate");
  // Row-major C = A·Bᵀ is column-major Cᵀ = B·Aᵀ: op(B) = T over B's k × n view, A's k × m view as is.
  auto gemm = [&] {
    if (f64) {
      const double one = 1, zero = 0;
      check(cublasGemmEx(st.handle, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, st.b, CUDA_R_64F, k, st.a, CUDA_R_64F, k, &zero, st.c, CUDA_R_64F, n,
                         CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx");
    } else {
      const float one = 1, zero = 0;
      const cudaDataType_t t = bf16 ? CUDA_R_16BF : CUDA_R_32F;
      const cublasComputeType_t compute = precision == Precision::Tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
      check(cublasGemmEx(st.handle, CUBLAS_OP_T, CUBLAS_OP_N, n, m, k, &one, st.b, t, k, st.a, t, k, &zero, st.c, CUDA_R_32F, n, compute,
                         CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx");
    }
  };
  std::vector<double> gflops;
  for (int r = 0; r <= repeats; ++r) {
    check(cudaEventRecord(st.start), "cudaEventRecord");
    gemm();
    check(cudaEventRecord(st.stop), "cudaEventRecord");
    check(cudaEventSynchronize(st.stop), "cudaEventSynchronize");
    float ms = 0;
    check(cudaEventElapsedTime(&ms, st.start, st.stop), "cudaEventElapsedTime");
    if (r > 0 && ms > 0) gflops.push_back(2.0 * m * n * k / (ms * 1e-3) * 1e-9);
  }
  if (gflops.empty()) throw std::runtime_error("cuBLAS probe: no timed call");
  std::sort(gflops.begin(), gflops.end());
  const size_t h = gflops.size() / 2;
  const double median = gflops.size() % 2 ? gflops[h] : 0.5 * (gflops[h - 1] + gflops[h]);
  int version = 0;
  cublasGetVersion(st.handle, &version);
  return {{"library", "cuBLAS " + std::to_string(version)},
          {"shape_mnk", {m, n, k}},
          {"precision", toString(precision)},
          {"gflops_per_s", median},
          {"min_gflops_per_s", gflops.front()},
          {"max_gflops_per_s", gflops.back()},
          {"samples", static_cast<int>(gflops.size())}};
}

#else

bool haveCublas() { return false; }
nlohmann::ordered_json measureCublasGemm(int, int, int, Precision, int, int) {
  throw std::runtime_error("cuBLAS probe: built without the CUDA toolkit");
}

#endif

}  // namespace mlffb
