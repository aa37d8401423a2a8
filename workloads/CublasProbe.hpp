#pragma once
// The GEMM floor on a CUDA device: a cuBLAS GEMM of a model's reference shape in the run's
// precision, timed with CUDA events in the process that measures the model, so reports can state
// what fraction of it a network stage reaches (the CPU's counterpart is BlasProbe's sgemm).
#include <nlohmann/json.hpp>

#include "core/Axes.hpp"

namespace mlffb {

/// Whether this build has cuBLAS (the CUDA toolkit was found).
bool haveCublas();

/// Median GFLOP/s of C(m×n) = A(m×k)·Bᵀ(n×k) with cuBLAS on `device` over `repeats` timed calls
/// after one warm-up, on random inputs: float32 (SGEMM), float64 (DGEMM), tf32 (float32 data on
/// tensor cores) or bf16 (bfloat16 operands, float32 accumulation). Returns {"library", "shape_mnk",
/// "precision", "gflops_per_s", "min_gflops_per_s", "max_gflops_per_s", "samples"}; throws
/// std::runtime_error naming the failing call (or when built without CUDA).
nlohmann::ordered_json measureCublasGemm(int m, int n, int k, Precision precision, int device, int repeats);

}  // namespace mlffb
