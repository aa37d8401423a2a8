#pragma once
// The ANI-2x AEV terms of one neighbour (radial) and one neighbour pair (angular), with their
// analytic derivatives, written once for both kernel sets: the CPU set calls them from OpenMP
// loops, the CUDA set from its kernels (host and device functions when nvcc compiles this). The
// CPU set's tests against the float64 reference are therefore tests of the arithmetic the GPU runs.
// Facts: ../shared/reference/ani2x.md.
#include <cmath>

#include "workloads/ani2x/AniModel.hpp"

#if defined(__CUDACC__)
#define MLFFB_HOST_DEVICE __host__ __device__ inline
#else
#define MLFFB_HOST_DEVICE inline
#endif

namespace mlffb::ani::aev {

// Math that resolves to CUDA's overloads on the device and to <cmath> on the host.
#if defined(__CUDA_ARCH__)
template <class T> __device__ inline T mexp(T x) { return ::exp(x); }
template <class T> __device__ inline T mcos(T x) { return ::cos(x); }
template <class T> __device__ inline T msin(T x) { return ::sin(x); }
template <class T> __device__ inline T msqrt(T x) { return ::sqrt(x); }
template <class T> __device__ inline T mpow(T x, T y) { return ::pow(x, y); }
#else
template <class T> inline T mexp(T x) { return std::exp(x); }
template <class T> inline T mcos(T x) { return std::cos(x); }
template <class T> inline T msin(T x) { return std::sin(x); }
template <class T> inline T msqrt(T x) { return std::sqrt(x); }
template <class T> inline T mpow(T x, T y) { return std::pow(x, y); }
#endif

/// Row-major upper-triangle index of the unordered species pair (AniModel's pairIndex, callable
/// on the device).
MLFFB_HOST_DEVICE int pairIndexOf(int a, int b) {
  if (a > b) {
    const int t = a;
    a = b;
    b = t;
  }
  return a * kSpecies - a * (a - 1) / 2 + (b - a);
}

/// The AEV constants in the kernel's precision (cos/sin of the angle sections precomputed).
template <class T>
struct Consts {
  T rcr, rca, etaR, etaA, zeta;
  T shfR[kRadialShifts], shfA[kAngularShifts], cosZ[kAngleSections], sinZ[kAngleSections];
};

template <class T>
Consts<T> makeConsts(const AevParameters& p) {
  Consts<T> c;
  c.rcr = static_cast<T>(p.Rcr);
  c.rca = static_cast<T>(p.Rca);
  c.etaR = static_cast<T>(p.EtaR);
  c.etaA = static_cast<T>(p.EtaA);
  c.zeta = static_cast<T>(p.Zeta);
  for (int k = 0; k < kRadialShifts; ++k) c.shfR[k] = static_cast<T>(p.ShfR[k]);
  for (int a = 0; a < kAngularShifts; ++a) c.shfA[a] = static_cast<T>(p.ShfA[a]);
  for (int z = 0; z < kAngleSections; ++z) {
    c.cosZ[z] = static_cast<T>(std::cos(p.ShfZ[z]));
    c.sinZ[z] = static_cast<T>(std::sin(p.ShfZ[z]));
  }
  return c;
}

template <class T>
MLFFB_HOST_DEVICE T pi() {
  return static_cast<T>(3.14159265358979323846);
}

/// Cosine cutoff ½cos(πr/rc) + ½ and its derivative.
template <class T>
MLFFB_HOST_DEVICE T cutoff(T r, T rc) {
  return T(0.5) * mcos(pi<T>() * r / rc) + T(0.5);
}
template <class T>
MLFFB_HOST_DEVICE T cutoffDerivative(T r, T rc) {
  return T(-0.5) * pi<T>() / rc * msin(pi<T>() * r / rc);
}

/// Adds the 16 radial terms ¼ exp(−EtaR (r − ShfR_k)²) fc(r) of one neighbour at distance r to dst.
template <class T>
MLFFB_HOST_DEVICE void addRadial(const Consts<T>& c, T r, T* dst) {
  const T fc = cutoff(r, c.rcr);
  for (int k = 0; k < kRadialShifts; ++k) {
    const T d = r - c.shfR[k];
    dst[k] += T(0.25) * mexp(-c.etaR * d * d) * fc;
  }
}

/// dE/dr of one neighbour's radial terms, given G = dE/d(those 16 AEV entries).
template <class T>
MLFFB_HOST_DEVICE T radialDerivative(const Consts<T>& c, T r, const T* G) {
  const T fc = cutoff(r, c.rcr), dfc = cutoffDerivative(r, c.rcr);
  T dEdr = 0;
  for (int k = 0; k < kRadialShifts; ++k) {
    const T x = r - c.shfR[k];
    dEdr += G[k] * T(0.25) * mexp(-c.etaR * x * x) * (T(-2) * c.etaR * x * fc + dfc);
  }
  return dEdr;
}

template <class T>
struct AngularDerivs {
  T df1[kAngleSections];              // d f1_z / d theta
  T df2[kAngularShifts];              // d f2_a / d ravg
  T fc1, fc2, dfc1, dfc2, theta_dc;   // cutoffs, their derivatives, d theta / d cos
  T cosT;
};

/// For neighbours at v1 (|v1| = r1) and v2 (|v2| = r2) of one centre: f1_z = ((1 + cos(θ −
/// ShfZ_z)) / 2)^Zeta, f2_a = exp(−EtaA (ravg − ShfA_a)²), fcc = fc(r1)·fc(r2), with θ =
/// acos(0.95 cos θ_ijk); the derivatives too when `d` is given.
template <class T>
MLFFB_HOST_DEVICE void angularFactors(const Consts<T>& c, const T* v1, T r1, const T* v2, T r2, T* f1, T* f2, T& fcc,
                                      AngularDerivs<T>* d) {
  const T cosT = (v1[0] * v2[0] + v1[1] * v2[1] + v1[2] * v2[2]) / (r1 * r2);
  const T cc = T(0.95) * cosT;
  const T one_cc2 = T(1) - cc * cc;
  const T sinTh = msqrt(one_cc2 > T(0) ? one_cc2 : T(0));  // sin(acos(cc))
  const T fc1 = cutoff(r1, c.rca), fc2 = cutoff(r2, c.rca);
  fcc = fc1 * fc2;
  const T ravg = T(0.5) * (r1 + r2);
  for (int z = 0; z < kAngleSections; ++z) {
    const T cosDiff = cc * c.cosZ[z] + sinTh * c.sinZ[z];  // cos(θ − ShfZ)
    const T base = T(0.5) * (T(1) + cosDiff);
    f1[z] = mpow(base, c.zeta);
    if (d) {
      const T sinDiff = sinTh * c.cosZ[z] - cc * c.sinZ[z];  // sin(θ − ShfZ)
      d->df1[z] = base > T(0) ? c.zeta * f1[z] / base * (T(-0.5) * sinDiff) : T(0);
    }
  }
  for (int s = 0; s < kAngularShifts; ++s) {
    const T x = ravg - c.shfA[s];
    f2[s] = mexp(-c.etaA * x * x);
    if (d) d->df2[s] = f2[s] * (T(-2) * c.etaA * x);
  }
  if (d) {
    d->fc1 = fc1;
    d->fc2 = fc2;
    d->dfc1 = cutoffDerivative(r1, c.rca);
    d->dfc2 = cutoffDerivative(r2, c.rca);
    d->theta_dc = sinTh > T(0) ? T(-0.95) / sinTh : T(0);
    d->cosT = cosT;
  }
}

/// Adds the 32 angular terms 2 f1_z f2_a fcc of one neighbour pair to dst (index a·4 + z).
template <class T>
MLFFB_HOST_DEVICE void addAngular(const Consts<T>& c, const T* v1, T r1, const T* v2, T r2, T* dst) {
  T f1[kAngleSections], f2[kAngularShifts], fcc;
  angularFactors<T>(c, v1, r1, v2, r2, f1, f2, fcc, nullptr);
  for (int s = 0; s < kAngularShifts; ++s)
    for (int z = 0; z < kAngleSections; ++z) dst[s * kAngleSections + z] += T(2) * f1[z] * f2[s] * fcc;
}

/// dE/dv1 and dE/dv2 (the neighbours' displacement vectors) of one neighbour pair's 32 angular
/// terms, given Gp = dE/d(those terms); the centre's gradient is −(g1 + g2).
template <class T>
MLFFB_HOST_DEVICE void angularGradient(const Consts<T>& c, const T* v1, T r1, const T* v2, T r2, const T* Gp, T* g1, T* g2) {
  T f1[kAngleSections], f2[kAngularShifts], fcc;
  AngularDerivs<T> d;
  angularFactors<T>(c, v1, r1, v2, r2, f1, f2, fcc, &d);
  T sumF = 0, sumTheta = 0, sumR = 0;
  for (int s = 0; s < kAngularShifts; ++s)
    for (int z = 0; z < kAngleSections; ++z) {
      const T gv = Gp[s * kAngleSections + z];
      sumF += gv * f1[z] * f2[s];
      sumTheta += gv * d.df1[z] * f2[s];
      sumR += gv * f1[z] * d.df2[s];
    }
  // E_term = 2 f1 f2 fc1 fc2.
  const T dEdTheta = T(2) * fcc * sumTheta;
  const T dEdr1 = T(2) * (fcc * sumR * T(0.5) + sumF * d.dfc1 * d.fc2);
  const T dEdr2 = T(2) * (fcc * sumR * T(0.5) + sumF * d.fc1 * d.dfc2);
  const T dEdc = dEdTheta * d.theta_dc;  // d/d cos(θ_ijk) (θ uses 0.95 cos)
  for (int q = 0; q < 3; ++q) {
    const T dc1 = v2[q] / (r1 * r2) - d.cosT * v1[q] / (r1 * r1);
    const T dc2 = v1[q] / (r1 * r2) - d.cosT * v2[q] / (r2 * r2);
    g1[q] = dEdc * dc1 + dEdr1 * v1[q] / r1;
    g2[q] = dEdc * dc2 + dEdr2 * v2[q] / r2;
  }
}

}  // namespace mlffb::ani::aev
