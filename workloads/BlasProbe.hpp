#pragma once
// The BLAS the native flavours use: its identity and a measured sgemm rate, so reports can state
// what fraction of the GEMM floor a model's network stage reaches.
#include <nlohmann/json.hpp>
#include <string>

namespace mlffb {

/// e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
std::string blasIdentity();

/// Median GFLOP/s of C(m×n) = A(m×k)·Bᵀ(n×k) in float32 over `repeats` timed calls after one
/// warm-up, on fresh random inputs. Returns {"shape":[m,n,k], "gflops_per_s":…, "samples":…}.
nlohmann::ordered_json measureSgemm(int m, int n, int k, int repeats);

/// Libraries the workloads link, name → version, for the report's environment.
nlohmann::ordered_json workloadLibraries();

}  // namespace mlffb
