// Bias + CELU over finite rows, compiled with -O3 -ffast-math (workloads/ani2x/CMakeLists.txt) so
// that the loop's exp is glibc's vector exp (libmvec). A row is first tested for NaN and infinity
// on the bit patterns — integer work that -ffinite-math-only cannot fold away — and a row that is
// not finite is handed to the plain IEEE row (CeluKernel.cpp), so NaNs survive.
#include <bit>
#include <cmath>
#include <cstdint>

#include "workloads/ani2x/CeluKernel.hpp"

namespace mlffb::ani {
namespace {

/// 1 when all exponent bits are set (infinity or NaN), else 0: integer work that vectorises.
inline unsigned nonFinite(float v) { return (std::bit_cast<std::uint32_t>(v) & 0x7f800000u) == 0x7f800000u; }
inline unsigned nonFinite(double v) { return (std::bit_cast<std::uint64_t>(v) & 0x7ff0000000000000ull) == 0x7ff0000000000000ull; }

template <class T>
bool allFinite(const T* v, int n) {
  unsigned bad = 0;
#pragma omp simd reduction(| : bad)
  for (int k = 0; k < n; ++k) bad |= nonFinite(v[k]);
  return bad == 0;
}

template <class T>
void fastRows(T* z, T* deriv, const T* bias, long rows, int cols, T alpha) {
  const T inv = T(1) / alpha;
  const bool biasFinite = allFinite(bias, cols);  // a bias that is not finite sends every row the IEEE way
#pragma omp parallel for schedule(static)
  for (long r = 0; r < rows; ++r) {
    T* zr = z + r * cols;
    T* dr = deriv + r * cols;
    if (!biasFinite || !allFinite(zr, cols)) {
      biasCeluRowStrict(zr, dr, bias, cols, alpha);
      continue;
    }
#pragma omp simd
    for (int k = 0; k < cols; ++k) {
      const T x = zr[k] + bias[k];
      const T e = std::exp((x < T(0) ? x : T(0)) * inv);  // branch-free: exp(min(x, 0)/α)
      zr[k] = x > T(0) ? x : alpha * (e - T(1));
      dr[k] = x > T(0) ? T(1) : e;
    }
  }
}

}  // namespace

namespace detail {
void biasCeluFast(float* z, float* d, const float* b, long rows, int cols, float a) { fastRows(z, d, b, rows, cols, a); }
void biasCeluFast(double* z, double* d, const double* b, long rows, int cols, double a) { fastRows(z, d, b, rows, cols, a); }
}  // namespace detail

bool celuFastPathVectorised() {
#if defined(__FAST_MATH__) && defined(__OPTIMIZE__) && (defined(__DECL_SIMD_x86_64) || defined(__DECL_SIMD_aarch64))
  // glibc's <bits/math-vector.h> defines __DECL_SIMD_<arch> only when it offers libmvec's vector
  // exp/expf to the vectoriser (fast math on x86-64 or AArch64).
  return true;
#else
  return false;
#endif
}

}  // namespace mlffb::ani
