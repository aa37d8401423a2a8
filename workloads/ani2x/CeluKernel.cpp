// Bias + CELU: the entry points and the plain IEEE row for rows that are not finite (this file is
// compiled with the project's ordinary flags; the fast rows are in CeluFastMath.cpp).
#include "workloads/ani2x/CeluKernel.hpp"

#include <cmath>

namespace mlffb::ani {
namespace detail {
// Defined in CeluFastMath.cpp (-ffast-math): every finite row there, the others through
// biasCeluRowStrict.
void biasCeluFast(float* z, float* d, const float* bias, long rows, int cols, float alpha);
void biasCeluFast(double* z, double* d, const double* bias, long rows, int cols, double alpha);
}  // namespace detail

namespace {
template <class T>
void strictRow(T* z, T* d, const T* bias, int cols, T alpha) {
  for (int k = 0; k < cols; ++k) {
    const T x = z[k] + bias[k];
    const T e = std::exp((x < T(0) ? x : T(0)) / alpha);
    // Written so that a NaN x falls through to x itself in both outputs.
    z[k] = x <= T(0) ? alpha * (e - T(1)) : x;
    d[k] = x > T(0) ? T(1) : (x <= T(0) ? e : x);
  }
}
}  // namespace

void biasCeluRowStrict(float* z, float* d, const float* b, int cols, float a) { strictRow(z, d, b, cols, a); }
void biasCeluRowStrict(double* z, double* d, const double* b, int cols, double a) { strictRow(z, d, b, cols, a); }

void biasCeluForward(float* z, float* d, const float* b, long rows, int cols, float a) { detail::biasCeluFast(z, d, b, rows, cols, a); }
void biasCeluForward(double* z, double* d, const double* b, long rows, int cols, double a) { detail::biasCeluFast(z, d, b, rows, cols, a); }

}  // namespace mlffb::ani
