#include "workloads/BlasProbe.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "systems/Rng.hpp"
#ifdef MLFFB_HAVE_TORCH
#include "workloads/torch/TorchRuntime.hpp"
#endif

extern "C" char* openblas_get_config(void) __attribute__((weak));

namespace mlffb {

std::string blasIdentity() {
  if (openblas_get_config) return std::string("OpenBLAS ") + openblas_get_config();
  return "BLAS (unknown implementation)";
}

nlohmann::ordered_json measureSgemm(int m, int n, int k, int repeats) {
  Rng rng(12345);
  std::vector<float> a(static_cast<size_t>(m) * k), b(static_cast<size_t>(n) * k), c(static_cast<size_t>(m) * n);
  for (auto& x : a) x = static_cast<float>(rng.uniform(-1, 1));
  for (auto& x : b) x = static_cast<float>(rng.uniform(-1, 1));
  std::vector<double> gflops;
  for (int r = 0; r <= repeats; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1.0f, a.data(), k, b.data(), k, 0.0f, c.data(), n);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) gflops.push_back(2.0 * m * n * k / s * 1e-9);
  }
  std::sort(gflops.begin(), gflops.end());
  const size_t h = gflops.size() / 2;
  const double median = gflops.size() % 2 ? gflops[h] : 0.5 * (gflops[h - 1] + gflops[h]);
  return {{"library", blasIdentity()}, {"shape_mnk", {m, n, k}}, {"gflops_per_s", median},
          {"min_gflops_per_s", gflops.front()}, {"max_gflops_per_s", gflops.back()},
          {"samples", static_cast<int>(gflops.size())}};
}

nlohmann::ordered_json workloadLibraries() {
  nlohmann::ordered_json j = {{"blas", blasIdentity()}};
#ifdef MLFFB_HAVE_TORCH
  j["libtorch"] = libtorchVersion() + (libtorchHasCuda() ? " (CUDA available)" : " (CPU)");
#endif
  return j;
}

}  // namespace mlffb
