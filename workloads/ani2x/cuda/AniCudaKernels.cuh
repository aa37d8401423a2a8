#pragma once
// The device kernels of ANI-2x's CUDA kernel set (AniCudaKernelSet.cu drives them): cell binning
// and fixed-capacity neighbour lists with overflow counts, the fused radial+angular AEV and its
// analytic backward (one block per centre, terms accumulated in shared memory), and the
// element-wise parts of the networks (bias+CELU, output layer with the member mean, the
// backward's scalings). The per-pair and per-triple arithmetic is AniAevMath.hpp's, shared with
// the CPU kernel set. The kernels are plain enough to run on the host too, one thread per block
// (tests/workloads/AniCudaHostEmulation.hpp), which is how CI checks them without a GPU.
#ifdef __CUDACC__
#include <cuda_bf16.h>
#include <cuda_runtime.h>
#endif

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>
#include <vector>

#include "systems/Box.hpp"
#include "systems/CellList.hpp"
#include "workloads/ani2x/AniAevMath.hpp"

namespace mlffb::ani::cuda {
// Internal linkage: one translation unit launches these (AniCudaKernelSet.cu), the host test another.
namespace {

/// Where atoms are and how space is cut into cells: a reduced periodic cell (a along x, b in
/// the xy plane) or, for an open system, its bounding box.
struct Geometry {
  bool periodic = false, orthorhombic = true;
  double ax = 0, bx = 0, by = 0, cx = 0, cy = 0, cz = 0;
  double lo[3] = {0, 0, 0}, invExtent[3] = {0, 0, 0};
  int dims[3] = {1, 1, 1};
};

/// The geometry of `n` atoms in an optional periodic cell (or, open, in the bounding box lo..hi),
/// cut into cells no thinner than `cellCutoff` (at most 256 per axis and about two per atom).
/// Throws CellTooSmall when the cutoff exceeds half the cell's smallest width, as the CPU cell list does.
inline Geometry makeGeometry(const std::optional<Box>& box, const double lo[3], const double hi[3], long n, double cellCutoff) {
  Geometry g;
  double extent[3] = {0, 0, 0};
  if (box) {
    const double w = box->minWidth();
    if (cellCutoff > 0.5 * w) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "cutoff %.2f Å exceeds half the periodic cell's smallest width %.2f Å", cellCutoff, w);
      throw CellTooSmall(buf);
    }
    g.periodic = true;
    g.orthorhombic = box->isOrthorhombic();
    g.ax = box->a.x, g.bx = box->b.x, g.by = box->b.y, g.cx = box->c.x, g.cy = box->c.y, g.cz = box->c.z;
    const Vec3 widths = box->widths();
    for (int d = 0; d < 3; ++d) extent[d] = widths[d];
  } else if (n > 0) {
    for (int d = 0; d < 3; ++d) {
      extent[d] = hi[d] - lo[d];
      g.lo[d] = lo[d];
      g.invExtent[d] = extent[d] > 0 ? 1.0 / extent[d] : 0.0;
    }
  }
  for (int d = 0; d < 3; ++d) g.dims[d] = static_cast<int>(std::clamp(std::floor(extent[d] / cellCutoff), 1.0, 256.0));
  while (static_cast<long>(g.dims[0]) * g.dims[1] * g.dims[2] > 2 * std::max(1L, n) + 27) {
    int widest = 0;
    for (int d = 1; d < 3; ++d)
      if (g.dims[d] > g.dims[widest]) widest = d;
    g.dims[widest] = std::max(1, g.dims[widest] / 2);
  }
  return g;
}

/// makeGeometry for host positions (their bounding box when open).
inline Geometry makeGeometry(const std::vector<Vec3>& pos, const std::optional<Box>& box, double cellCutoff) {
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
  if (!pos.empty())
    for (int d = 0; d < 3; ++d) lo[d] = hi[d] = pos[0][d];
  for (const auto& p : pos)
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], p[d]);
      hi[d] = std::max(hi[d], p[d]);
    }
  return makeGeometry(box, lo, hi, static_cast<long>(pos.size()), cellCutoff);
}

/// The bounding box of n positions (N × 3 doubles) into out = {lo x, y, z, hi x, y, z} (one block
/// of up to 512 threads, a power of two).
__global__ void boundingBox(int n, const double* pos, double* out) {
  __shared__ double lo[3][512], hi[3][512];
  const int t = threadIdx.x;
  for (int d = 0; d < 3; ++d) {
    lo[d][t] = n > 0 ? pos[d] : 0.0;
    hi[d][t] = lo[d][t];
  }
  for (int i = t; i < n; i += blockDim.x)
    for (int d = 0; d < 3; ++d) {
      lo[d][t] = fmin(lo[d][t], pos[3 * i + d]);
      hi[d][t] = fmax(hi[d][t], pos[3 * i + d]);
    }
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w /= 2) {
    if (t < w)
      for (int d = 0; d < 3; ++d) {
        lo[d][t] = fmin(lo[d][t], lo[d][t + w]);
        hi[d][t] = fmax(hi[d][t], hi[d][t + w]);
      }
    __syncthreads();
  }
  if (t == 0)
    for (int d = 0; d < 3; ++d) {
      out[d] = lo[d][0];
      out[3 + d] = hi[d][0];
    }
}

/// forces = −scale · grad (N × 3 doubles): the backward's gradient as forces in the caller's units.
__global__ void gradientToForces(long count, const double* grad, double scale, double* forces) {
  for (long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; k < count; k += static_cast<long>(gridDim.x) * blockDim.x)
    forces[k] = -scale * grad[k];
}

__device__ inline void fractional(const Geometry& g, double x, double y, double z, double s[3]) {
  s[2] = z / g.cz;
  s[1] = (y - s[2] * g.cy) / g.by;
  s[0] = (x - s[1] * g.bx - s[2] * g.cx) / g.ax;
}

/// Box::minimumImage on the device (fractional components rounded to [−½, ½]).
__device__ inline void minimumImage(const Geometry& g, double d[3]) {
  if (!g.periodic) return;
  if (g.orthorhombic) {
    d[0] -= g.ax * ::round(d[0] / g.ax);
    d[1] -= g.by * ::round(d[1] / g.by);
    d[2] -= g.cz * ::round(d[2] / g.cz);
    return;
  }
  double s[3];
  fractional(g, d[0], d[1], d[2], s);
  for (int k = 0; k < 3; ++k) s[k] -= ::round(s[k]);
  d[0] = s[0] * g.ax + s[1] * g.bx + s[2] * g.cx;
  d[1] = s[1] * g.by + s[2] * g.cy;
  d[2] = s[2] * g.cz;
}

__device__ inline void cellCoords(const Geometry& g, const double* p, int c[3]) {
  double s[3];
  if (g.periodic) {
    fractional(g, p[0], p[1], p[2], s);
    for (int k = 0; k < 3; ++k) s[k] -= ::floor(s[k]);
  } else {
    for (int k = 0; k < 3; ++k) s[k] = (p[k] - g.lo[k]) * g.invExtent[k];
  }
  for (int k = 0; k < 3; ++k) {
    const int v = static_cast<int>(s[k] * g.dims[k]);
    c[k] = v < 0 ? 0 : (v >= g.dims[k] ? g.dims[k] - 1 : v);
  }
}

/// Cell key of every atom (x-major) and the identity permutation the stable sort reorders.
__global__ void binAtoms(int n, const double* pos, Geometry g, int* key, int* index) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= n) return;
  int c[3];
  cellCoords(g, pos + 3 * i, c);
  key[i] = (c[0] * g.dims[1] + c[1]) * g.dims[2] + c[2];
  index[i] = i;
}

/// [start, end) of each cell in the sorted order (cells start empty: both zeroed before).
__global__ void cellRanges(int n, const int* sortedKey, int* start, int* end) {
  const int k = blockIdx.x * blockDim.x + threadIdx.x;
  if (k >= n) return;
  const int key = sortedKey[k];
  if (k == 0 || sortedKey[k - 1] != key) start[key] = k;
  if (k == n - 1 || sortedKey[k + 1] != key) end[key] = k + 1;
}

/// The cells along one axis a cell's neighbours lie in: c−1, c, c+1 (wrapped when periodic,
/// clipped when open), or every cell when there are fewer than three (no cell visited twice).
__device__ inline int axisCells(const Geometry& g, int axis, int c, int out[3]) {
  const int n = g.dims[axis];
  if (n < 3) {
    for (int k = 0; k < n; ++k) out[k] = k;
    return n;
  }
  int m = 0;
  for (int o = -1; o <= 1; ++o) {
    int v = c + o;
    if (g.periodic) v = (v + n) % n;
    else if (v < 0 || v >= n) continue;
    out[m++] = v;
  }
  return m;
}

/// Appends neighbour j of centre i at displacement d (r² = r2) to the radial list, and to the
/// angular list when within Rca; counts go on past the capacities (the host grows and retries).
template <class T>
__device__ inline void appendNeighbor(int i, int j, const double d[3], double r2, double rca2, int capR, int capA, int& nr, int& na,
                                      int* jR, T* dR, int* aSlot) {
  if (nr < capR) {
    const size_t slot = static_cast<size_t>(i) * capR + nr;
    jR[slot] = j;
    T* v = dR + 4 * slot;
    v[0] = static_cast<T>(d[0]);
    v[1] = static_cast<T>(d[1]);
    v[2] = static_cast<T>(d[2]);
    v[3] = static_cast<T>(::sqrt(r2));
    if (r2 <= rca2) {
      if (na < capA) aSlot[static_cast<size_t>(i) * capA + na] = nr;
      ++na;
    }
  } else if (r2 <= rca2) {
    ++na;
  }
  ++nr;
}

/// Neighbour lists of the centres from the cell list: thread i visits the cells around its own.
/// `rc2`/`rca2` are squared cutoffs; the candidate (Verlet) lists use the same kernel with
/// rc = Rcr + skin, no angular list (capA = 0) and T = double unused (dR may be null).
template <class T>
__global__ void neighborsFromCells(int centres, const double* pos, Geometry g, const int* key, const int* sortedIndex,
                                   const int* cellStart, const int* cellEnd, double rc2, double rca2, int capR, int capA, int* nR, int* jR,
                                   T* dR, int* nA, int* aSlot, int* overflow) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= centres) return;
  const int own = key[i];
  const int c0 = own / (g.dims[1] * g.dims[2]), c1 = (own / g.dims[2]) % g.dims[1], c2 = own % g.dims[2];
  int xs[3], ys[3], zs[3];
  const int nx = axisCells(g, 0, c0, xs), ny = axisCells(g, 1, c1, ys), nz = axisCells(g, 2, c2, zs);
  const double pi0 = pos[3 * i], pi1 = pos[3 * i + 1], pi2 = pos[3 * i + 2];
  int nr = 0, na = 0;
  for (int a = 0; a < nx; ++a)
    for (int b = 0; b < ny; ++b)
      for (int c = 0; c < nz; ++c) {
        const int cell = (xs[a] * g.dims[1] + ys[b]) * g.dims[2] + zs[c];
        for (int k = cellStart[cell]; k < cellEnd[cell]; ++k) {
          const int j = sortedIndex[k];
          if (j == i) continue;
          double d[3] = {pos[3 * j] - pi0, pos[3 * j + 1] - pi1, pos[3 * j + 2] - pi2};
          minimumImage(g, d);
          const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
          if (r2 >= rc2) continue;
          if (dR) {
            appendNeighbor<T>(i, j, d, r2, rca2, capR, capA, nr, na, jR, dR, aSlot);
          } else {
            if (nr < capR) jR[static_cast<size_t>(i) * capR + nr] = j;
            ++nr;
          }
        }
      }
  nR[i] = nr;
  if (nA) nA[i] = na;
  if (nr > capR) atomicMax(overflow, nr);
  if (nA && na > capA) atomicMax(overflow + 1, na);
}

/// Neighbour lists of the centres filtered from their candidate (Verlet) lists.
template <class T>
__global__ void neighborsFromCandidates(int centres, const double* pos, Geometry g, int capV, const int* nV, const int* jV, double rc2, double rca2,
                                        int capR, int capA, int* nR, int* jR, T* dR, int* nA, int* aSlot, int* overflow) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= centres) return;
  const double pi0 = pos[3 * i], pi1 = pos[3 * i + 1], pi2 = pos[3 * i + 2];
  const int m = min(nV[i], capV);
  int nr = 0, na = 0;
  for (int k = 0; k < m; ++k) {
    const int j = jV[static_cast<size_t>(i) * capV + k];
    double d[3] = {pos[3 * j] - pi0, pos[3 * j + 1] - pi1, pos[3 * j + 2] - pi2};
    minimumImage(g, d);
    const double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
    if (r2 < rc2) appendNeighbor<T>(i, j, d, r2, rca2, capR, capA, nr, na, jR, dR, aSlot);
  }
  nR[i] = nr;
  nA[i] = na;
  if (nr > capR) atomicMax(overflow, nr);
  if (na > capA) atomicMax(overflow + 1, na);
}

/// Directed radial pairs and angular triples of the centres (for the FLOP counts).
__global__ void countWork(int centres, const int* nR, const int* nA, int capR, int capA, unsigned long long* out) {
  const int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i >= centres) return;
  const unsigned long long r = min(nR[i], capR), a = min(nA[i], capA);
  atomicAdd(out, r);
  atomicAdd(out + 1, a * (a - 1) / 2);
}

/// Centre i's neighbour counts as the AEV kernels use them: its whole lists, or nothing when either
/// overflowed. An evaluation with an overflow is discarded and redone with grown lists, and past a
/// radial overflow the angular slots are counted but never written (their radial slot does not exist),
/// so a kernel reading min(count, capacity) slots would read unwritten indices.
struct UsableCounts {
  int radial, angular;
};
__device__ inline UsableCounts usableCounts(int i, int capR, const int* nR, int capA, const int* nA) {
  const int r = nR[i], a = nA[i];
  if (r > capR || a > capA) return {0, 0};
  return {r, a};
}

/// Calls f(slot) for each radial neighbour slot of a centre (its list starts at `base`, `nr` long)
/// that this thread owns: the slots are spread over the block's threads.
template <class F>
__device__ inline void forEachRadialSlot(size_t base, int nr, F&& f) {
  for (int a = threadIdx.x; a < nr; a += blockDim.x) f(base + a);
}

/// Calls f(slotA, slotB) for each unordered pair of a centre's angular neighbours (`slots` index
/// its radial list at `base`) that this thread owns: the na² ordered pairs are spread over the
/// block's threads and those with b ≤ a are left out.
template <class F>
__device__ inline void forEachAngularPair(size_t base, const int* slots, int na, F&& f) {
  for (int t = threadIdx.x; t < na * na; t += blockDim.x) {
    const int a = t / na, b = t % na;
    if (b > a) f(base + slots[a], base + slots[b]);
  }
}

/// The AEV rows [rowBegin, rowBegin + gridDim.x) (element-grouped order): block b computes the
/// full 1008-entry row of centre atomOfRow[rowBegin + b] in shared memory (radial terms over its
/// neighbours, angular terms over its neighbour pairs, both spread over the threads), then
/// writes the system's active columns to out[b·width …].
template <class T>
__global__ void aevForward(int rowBegin, const int* atomOfRow, const int* species, int capR, const int* nR, const int* jR, const T* dR,
                           int capA, const int* nA, const int* aSlot, aev::Consts<T> c, const int* activeCol, int width, T* out) {
  __shared__ T row[kAevLength];
  const int i = atomOfRow[rowBegin + blockIdx.x];
  for (int k = threadIdx.x; k < kAevLength; k += blockDim.x) row[k] = T(0);
  __syncthreads();
  const size_t base = static_cast<size_t>(i) * capR;
  const UsableCounts use = usableCounts(i, capR, nR, capA, nA);
  forEachRadialSlot(base, use.radial, [&](size_t s) {
    T terms[kRadialShifts] = {};
    aev::addRadial<T>(c, dR[4 * s + 3], terms);
    T* dst = row + species[jR[s]] * kRadialShifts;
    for (int k = 0; k < kRadialShifts; ++k) atomicAdd(dst + k, terms[k]);
  });
  forEachAngularPair(base, aSlot + static_cast<size_t>(i) * capA, use.angular, [&](size_t sa, size_t sb) {
    const T* v1 = dR + 4 * sa;
    const T* v2 = dR + 4 * sb;
    T terms[kAngularSub] = {};
    aev::addAngular<T>(c, v1, v1[3], v2, v2[3], terms);
    T* dst = row + kRadialLength + aev::pairIndexOf(species[jR[sa]], species[jR[sb]]) * kAngularSub;
    for (int k = 0; k < kAngularSub; ++k) atomicAdd(dst + k, terms[k]);
  });
  __syncthreads();
  T* o = out + static_cast<size_t>(blockIdx.x) * width;
  for (int k = threadIdx.x; k < width; k += blockDim.x) o[k] = row[activeCol[k]];
}

/// The AEV's backward for the same rows: dE/dAEV (grad rows, active columns) to dE/dpositions,
/// added to `grad` (float64, N × 3). Neighbours' shares go out by atomics; the centre's own share
/// is summed over the block first.
template <class T>
__global__ void aevBackward(int rowBegin, const int* atomOfRow, const int* species, int capR, const int* nR, const int* jR, const T* dR,
                            int capA, const int* nA, const int* aSlot, aev::Consts<T> c, const int* activeCol, int width, const T* dAev,
                            double* grad) {
  __shared__ T G[kAevLength];
  __shared__ double own[3];
  const int i = atomOfRow[rowBegin + blockIdx.x];
  for (int k = threadIdx.x; k < kAevLength; k += blockDim.x) G[k] = T(0);
  for (int q = threadIdx.x; q < 3; q += blockDim.x) own[q] = 0;
  __syncthreads();
  const T* g = dAev + static_cast<size_t>(blockIdx.x) * width;
  for (int k = threadIdx.x; k < width; k += blockDim.x) G[activeCol[k]] = g[k];
  __syncthreads();
  double gi[3] = {0, 0, 0};
  const size_t base = static_cast<size_t>(i) * capR;
  const UsableCounts use = usableCounts(i, capR, nR, capA, nA);
  forEachRadialSlot(base, use.radial, [&](size_t s) {
    const T* v = dR + 4 * s;
    const int j = jR[s];
    const T dEdr = aev::radialDerivative<T>(c, v[3], G + species[j] * kRadialShifts);
    for (int q = 0; q < 3; ++q) {
      const double f = static_cast<double>(dEdr * v[q] / v[3]);
      atomicAdd(grad + 3 * j + q, f);
      gi[q] -= f;
    }
  });
  forEachAngularPair(base, aSlot + static_cast<size_t>(i) * capA, use.angular, [&](size_t sa, size_t sb) {
    const T* v1 = dR + 4 * sa;
    const T* v2 = dR + 4 * sb;
    const int j = jR[sa], k2 = jR[sb];
    T g1[3], g2[3];
    aev::angularGradient<T>(c, v1, v1[3], v2, v2[3], G + kRadialLength + aev::pairIndexOf(species[j], species[k2]) * kAngularSub, g1, g2);
    for (int q = 0; q < 3; ++q) {
      atomicAdd(grad + 3 * j + q, static_cast<double>(g1[q]));
      atomicAdd(grad + 3 * k2 + q, static_cast<double>(g2[q]));
      gi[q] -= static_cast<double>(g1[q]) + static_cast<double>(g2[q]);
    }
  });
  for (int q = 0; q < 3; ++q) atomicAdd(own + q, gi[q]);
  __syncthreads();
  for (int q = threadIdx.x; q < 3; q += blockDim.x) atomicAdd(grad + 3 * i + q, own[q]);
}

/// z ← CELU(z + bias), deriv ← CELU'(z + bias), over rows × cols (row stride ld); CeluKernel's
/// arithmetic.
template <class T>
__global__ void biasCelu(long rows, int cols, int ld, T* z, T* deriv, const T* bias, T alpha) {
  const long n = rows * cols;
  for (long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; k < n; k += static_cast<long>(gridDim.x) * blockDim.x) {
    const long r = k / cols;
    const int col = static_cast<int>(k % cols);
    const size_t at = static_cast<size_t>(r) * ld + col;
    const T x = z[at] + bias[col];
    const T e = aev::mexp<T>((x < T(0) ? x : T(0)) / alpha);
    // As the CPU's IEEE row (CeluKernel.cpp): a NaN x stays NaN in both outputs.
    z[at] = x <= T(0) ? alpha * (e - T(1)) : x;
    deriv[at] = x > T(0) ? T(1) : (x <= T(0) ? e : x);
  }
}

/// Output layer and member mean: atomEnergy[row] = mean over members of b4_m + a3_m · w4_m (one
/// warp per row; float64 accumulation).
template <class T>
__global__ void outputLayer(int rows, int h3, const T* a3, const T* w4, const T* b4, double* atomEnergy) {
  const int warp = (blockIdx.x * blockDim.x + threadIdx.x) / 32, lane = threadIdx.x % 32;
  if (warp >= rows) return;
  const T* a = a3 + static_cast<size_t>(warp) * kMembers * h3;
  double acc = 0;
  for (int k = lane; k < kMembers * h3; k += 32) acc += static_cast<double>(a[k] * w4[k]);
  for (int o = 16; o > 0; o /= 2) acc += __shfl_down_sync(0xffffffffu, acc, o);
  if (lane == 0) {
    double bias = 0;
    for (int m = 0; m < kMembers; ++m) bias += static_cast<double>(b4[m]);
    atomEnergy[warp] = (acc + bias) / kMembers;
  }
}

/// Σ atomEnergy in a fixed order (one block: strided partial sums, then a tree), bit-reproducible.
__global__ void sumEnergy(int n, const double* atomEnergy, double* out) {
  __shared__ double part[1024];
  double s = 0;
  for (int k = threadIdx.x; k < n; k += blockDim.x) s += atomEnergy[k];
  part[threadIdx.x] = s;
  __syncthreads();
  for (int w = blockDim.x / 2; w > 0; w /= 2) {
    if (static_cast<int>(threadIdx.x) < w) part[threadIdx.x] += part[threadIdx.x + w];
    __syncthreads();
  }
  if (threadIdx.x == 0) *out = part[0];
}

/// dE/dz3 = (w4 / 8) ⊙ CELU'(z3), in place over d3 (rows × 8 h3).
template <class T>
__global__ void scaleOutputGradient(long rows, int h3, T* d3, const T* w4) {
  const int cols = kMembers * h3;
  const long n = rows * cols;
  for (long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; k < n; k += static_cast<long>(gridDim.x) * blockDim.x)
    d3[k] *= w4[k % cols] / T(kMembers);
}

/// d ← d ⊙ g over n entries.
template <class T>
__global__ void hadamard(long n, T* d, const T* g) {
  for (long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; k < n; k += static_cast<long>(gridDim.x) * blockDim.x) d[k] *= g[k];
}

#ifdef __CUDACC__
/// bfloat16 copies of float32 operands (the bf16 mode's GEMM inputs).
__global__ void toBf16(long n, const float* src, __nv_bfloat16* dst) {
  for (long k = blockIdx.x * static_cast<long>(blockDim.x) + threadIdx.x; k < n; k += static_cast<long>(gridDim.x) * blockDim.x)
    dst[k] = __float2bfloat16(src[k]);
}
#endif

}  // namespace
}  // namespace mlffb::ani::cuda
