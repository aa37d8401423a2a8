#include "workloads/ani2x/CeluKernel.hpp"

#include <cmath>

namespace mlffb::ani {
namespace {
template <class T>
void kernel(T* z, T* deriv, const T* bias, long rows, int cols, T alpha) {
  const T inv = T(1) / alpha;
#pragma omp parallel for schedule(static)
  for (long r = 0; r < rows; ++r) {
    T* zr = z + r * cols;
    T* dr = deriv + r * cols;
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

void biasCeluForward(float* z, float* d, const float* b, long rows, int cols, float a) { kernel(z, d, b, rows, cols, a); }
void biasCeluForward(double* z, double* d, const double* b, long rows, int cols, double a) { kernel(z, d, b, rows, cols, a); }

}  // namespace mlffb::ani
