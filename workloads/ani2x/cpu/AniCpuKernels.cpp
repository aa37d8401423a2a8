// ANI-2x native flavour, CPU kernel set: cell-list neighbours in CSR form (both directions,
// angular neighbours first), direct radial/angular AEV with analytic derivatives, the 8 members'
// first layers stacked into one GEMM per element (only the AEV columns of elements present),
// bias+CELU fused, analytic backward through the networks and the AEV; GEMMs split by rows over
// OpenMP threads with single-threaded BLAS, float32 or float64.
#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "systems/CellList.hpp"
#include "workloads/ani2x/AniAevMath.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/AniModel.hpp"
#include "workloads/ani2x/CeluKernel.hpp"
#include "workloads/ani2x/cpu/AniCpuKernels.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace mlffb::ani {
namespace {

extern "C" {
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads(void) __attribute__((weak));
}

/// Keeps OpenBLAS single-threaded while the native flavour runs: its GEMMs are split by rows
/// across the OpenMP team instead, so BLAS threads and spinning OpenMP threads never compete
/// for the same cores. The previous setting is restored afterwards.
class SingleThreadedBlas {
 public:
  SingleThreadedBlas() : saved_(openblas_get_num_threads ? openblas_get_num_threads() : 0) {
    if (openblas_set_num_threads) openblas_set_num_threads(1);
  }
  ~SingleThreadedBlas() {
    if (openblas_set_num_threads && saved_ > 0) openblas_set_num_threads(saved_);
  }

 private:
  int saved_;
};

template <class T>
void gemmSerial(bool transB, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta, T* c, int ldc) {
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  else
    cblas_dgemm(CblasRowMajor, CblasNoTrans, transB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

/// C = alpha A op(B) + beta C with the rows of A and C split across the OpenMP threads.
template <class T>
void gemm(bool transB, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta, T* c, int ldc) {
#pragma omp parallel
  {
#ifdef _OPENMP
    const int nt = omp_get_num_threads(), t = omp_get_thread_num();
#else
    const int nt = 1, t = 0;
#endif
    const int chunk = (m + nt - 1) / nt, r0 = t * chunk, r1 = std::min(m, r0 + chunk);
    if (r1 > r0) gemmSerial<T>(transB, r1 - r0, n, k, alpha, a + static_cast<size_t>(r0) * lda, lda, b, ldb, beta,
                               c + static_cast<size_t>(r0) * ldc, ldc);
  }
}

int threadCount() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}
int threadId() {
#ifdef _OPENMP
  return omp_get_thread_num();
#else
  return 0;
#endif
}

/// Per element: the members' layers in this precision. Layer 1 of all members stacked
/// (8·h1 × 1008) so one GEMM serves the ensemble.
template <class T>
struct ElementNets {
  int h[3] = {0, 0, 0};
  std::vector<T> w1;                    // (8 h1) × 1008
  std::vector<T> w1c;                   // (8 h1) × active AEV columns of the current system
  std::vector<T> b1;                    // 8 h1
  std::vector<T> w2[kMembers], w3[kMembers], w4[kMembers];
  std::vector<T> b2s, b3s;              // members' layer-2/3 biases side by side (8 h2, 8 h3)
  T b4[kMembers]{};
};

template <class T>
class AniCpuKernels final : public AniKernelSet {
 public:
  explicit AniCpuKernels(const AniModelData& data) : aevParams_(data.aev) {
    for (int s = 0; s < kSpecies; ++s) {
      auto& e = nets_[s];
      const auto h = hiddenWidths(s);
      std::copy(h.begin(), h.end(), e.h);
      e.w1.resize(static_cast<size_t>(kMembers) * h[0] * kAevLength);
      e.b1.resize(static_cast<size_t>(kMembers) * h[0]);
      for (int m = 0; m < kMembers; ++m) {
        const Network& n = data.networks[m][s];
        std::copy(n[0].weight.begin(), n[0].weight.end(), e.w1.begin() + static_cast<long>(m) * h[0] * kAevLength);
        std::copy(n[0].bias.begin(), n[0].bias.end(), e.b1.begin() + static_cast<long>(m) * h[0]);
        e.w2[m].assign(n[1].weight.begin(), n[1].weight.end());
        e.b2s.insert(e.b2s.end(), n[1].bias.begin(), n[1].bias.end());
        e.w3[m].assign(n[2].weight.begin(), n[2].weight.end());
        e.b3s.insert(e.b3s.end(), n[2].bias.begin(), n[2].bias.end());
        e.w4[m].assign(n[3].weight.begin(), n[3].weight.end());
        e.b4[m] = static_cast<T>(n[3].bias[0]);
      }
    }
  }

  void bind(const std::vector<int>& species, size_t centres) override {
    species_ = species;
    centres_ = static_cast<long>(std::min(centres, species_.size()));
    useVerlet_ = false;
    compressColumns();
    // Rows of each element's AEV matrix: centres grouped by element, input order inside.
    rowOf_.assign(species_.size(), 0);
    for (auto& v : atomsOf_) v.clear();
    for (long i = 0; i < centres_; ++i) {
      rowOf_[i] = static_cast<int>(atomsOf_[species_[i]].size());
      atomsOf_[species_[i]].push_back(static_cast<int>(i));
    }
    for (int s = 0; s < kSpecies; ++s) aev_[s].assign(atomsOf_[s].size() * width_, T(0));
  }

  void neighbors(const std::vector<Vec3>& pos, const std::optional<Box>& box) override {
    SingleThreadedBlas guard;
    buildNeighbors(pos, box);
  }
  void descriptor() override { computeAev(); }
  double networks() override {
    SingleThreadedBlas guard;
    return forward();
  }
  void backward(std::vector<Vec3>& forces) override {
    SingleThreadedBlas guard;
    networkBackward();
    aevBackward(forces);
  }
  AniWorkCounts counts() const override {
    AniWorkCounts c;
    c.directedRadialPairs = start_.empty() ? 0 : start_.back();
    for (long i = 0; i < std::min<long>(centres_, static_cast<long>(angularCount_.size())); ++i)
      c.angularTriples += static_cast<long>(angularCount_[i]) * (angularCount_[i] - 1) / 2;
    c.aevWidth = width_;
    return c;
  }
  void buildVerletList(const std::vector<Vec3>& pos, const std::optional<Box>& box, double skin) override {
    verletI_.clear();
    verletJ_.clear();
    CellList cells(pos, box, aevParams_.Rcr + skin);
    cells.forEachPair([&](int i, int j, const Vec3&, double) {
      verletI_.push_back(i);
      verletJ_.push_back(j);
    });
    useVerlet_ = true;
  }
  void clearVerletList() override { useVerlet_ = false; }

 private:
  /// AEV columns of element (pairs) absent from the system are zero for every atom: the GEMMs use
  /// only the active columns (layer-1 weights gathered to match). Same function, fewer FLOPs.
  void compressColumns() {
    active_ = activeAevColumns(species_);
    width_ = static_cast<int>(active_.size());
    for (int sp = 0; sp < kSpecies; ++sp) {
      auto& e = nets_[sp];
      const int rows = kMembers * e.h[0];
      e.w1c.resize(static_cast<size_t>(rows) * width_);
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < width_; ++c)
          e.w1c[static_cast<size_t>(r) * width_ + c] = e.w1[static_cast<size_t>(r) * kAevLength + active_[c]];
    }
  }

  // ------------------------------------------------------------------ neighbours (CSR, both directions)
  void buildNeighbors(const std::vector<Vec3>& pos, const std::optional<Box>& box) {
    const size_t n = pos.size();
    pairI_.clear();
    pairJ_.clear();
    pairD_.clear();
    if (useVerlet_) {
      const double rc2 = aevParams_.Rcr * aevParams_.Rcr;
      for (size_t p = 0; p < verletI_.size(); ++p) {
        const int i = verletI_[p], j = verletJ_[p];
        const Vec3 d = box ? box->minimumImage(pos[j] - pos[i]) : pos[j] - pos[i];
        if (norm2(d) < rc2 && (i < centres_ || j < centres_)) {
          pairI_.push_back(i);
          pairJ_.push_back(j);
          pairD_.push_back(d);
        }
      }
    } else {
      CellList cells(pos, box, aevParams_.Rcr);
      cells.forEachPair([&](int i, int j, const Vec3& d, double) {
        if (i >= centres_ && j >= centres_) return;  // two ghosts: neither is a centre
        pairI_.push_back(i);
        pairJ_.push_back(j);
        pairD_.push_back(d);
      });
    }
    start_.assign(n + 1, 0);
    for (size_t p = 0; p < pairI_.size(); ++p) {
      ++start_[pairI_[p] + 1];
      ++start_[pairJ_[p] + 1];
    }
    for (size_t i = 0; i < n; ++i) start_[i + 1] += start_[i];
    const size_t total = start_[n];
    nbJ_.resize(total);
    nbD_.resize(total * 3);
    nbR_.resize(total);
    std::vector<int> fill(start_.begin(), start_.end() - 1);
    for (size_t p = 0; p < pairI_.size(); ++p) {
      const int i = pairI_[p], j = pairJ_[p];
      const Vec3& d = pairD_[p];
      const T r = static_cast<T>(norm(d));
      int a = fill[i]++;
      nbJ_[a] = j;
      nbR_[a] = r;
      for (int k = 0; k < 3; ++k) nbD_[3 * a + k] = static_cast<T>(d[k]);
      int b = fill[j]++;
      nbJ_[b] = i;
      nbR_[b] = r;
      for (int k = 0; k < 3; ++k) nbD_[3 * b + k] = static_cast<T>(-d[k]);
    }
    // Angular neighbours first within each atom's list (r ≤ Rca), so triples loop over a prefix.
    angularCount_.assign(n, 0);
    const T rca = static_cast<T>(aevParams_.Rca);
#pragma omp parallel for schedule(static)
    for (long i = 0; i < static_cast<long>(n); ++i) {
      int lo = start_[i], hi = start_[i + 1];
      int w = lo;
      for (int a = lo; a < hi; ++a)
        if (nbR_[a] <= rca) {
          std::swap(nbJ_[a], nbJ_[w]);
          std::swap(nbR_[a], nbR_[w]);
          for (int k = 0; k < 3; ++k) std::swap(nbD_[3 * a + k], nbD_[3 * w + k]);
          ++w;
        }
      angularCount_[i] = w - lo;
    }
  }

  // ------------------------------------------------------------------ AEV
  using Consts = aev::Consts<T>;
  Consts consts() const { return aev::makeConsts<T>(aevParams_); }

  T* aevRow(int i) { return aev_[species_[i]].data() + static_cast<size_t>(rowOf_[i]) * width_; }
  T* gradRow(int i) { return dAev_[species_[i]].data() + static_cast<size_t>(rowOf_[i]) * width_; }

  void computeAev() {
    const Consts c = consts();
    const long n = centres_;
#pragma omp parallel
    {
    std::vector<T> full(kAevLength);
#pragma omp for schedule(dynamic, 16)
    for (long i = 0; i < n; ++i) {
      T* row = full.data();
      std::fill(row, row + kAevLength, T(0));
      const int lo = start_[i], hi = start_[i + 1];
      for (int a = lo; a < hi; ++a) aev::addRadial<T>(c, nbR_[a], row + species_[nbJ_[a]] * kRadialShifts);
      const int na = angularCount_[i];
      for (int a = lo; a < lo + na; ++a)
        for (int b = a + 1; b < lo + na; ++b)
          aev::addAngular<T>(c, &nbD_[3 * a], nbR_[a], &nbD_[3 * b], nbR_[b],
                             row + kRadialLength + pairIndex(species_[nbJ_[a]], species_[nbJ_[b]]) * kAngularSub);
      T* packed = aevRow(static_cast<int>(i));
      for (int c = 0; c < width_; ++c) packed[c] = row[active_[c]];
    }
    }
  }

  // ------------------------------------------------------------------ networks
  static void biasCelu(T* z, T* deriv, const T* bias, int rows, int cols) {
    biasCeluForward(z, deriv, bias, rows, cols, static_cast<T>(kCeluAlpha));
  }

  struct Work {
    std::vector<T> a1, d1, a2, d2, a3, d3;  // activations and CELU' per layer, members side by side
  };

  double forward() {
    double e = 0;
    for (int s = 0; s < kSpecies; ++s) {
      const int rows = static_cast<int>(atomsOf_[s].size());
      if (!rows) continue;
      auto& n = nets_[s];
      auto& w = work_[s];
      const int H1 = n.h[0], H2 = n.h[1], H3 = n.h[2];
      w.a1.resize(static_cast<size_t>(rows) * kMembers * H1);
      w.d1.resize(w.a1.size());
      w.a2.resize(static_cast<size_t>(rows) * kMembers * H2);
      w.d2.resize(w.a2.size());
      w.a3.resize(static_cast<size_t>(rows) * kMembers * H3);
      w.d3.resize(w.a3.size());
      // Layer 1: all 8 members in one GEMM.
      gemm<T>(true, rows, kMembers * H1, width_, T(1), aev_[s].data(), width_, n.w1c.data(), width_, T(0), w.a1.data(), kMembers * H1);
      biasCelu(w.a1.data(), w.d1.data(), n.b1.data(), rows, kMembers * H1);
      for (int m = 0; m < kMembers; ++m) {
        gemm<T>(true, rows, H2, H1, T(1), w.a1.data() + m * H1, kMembers * H1, n.w2[m].data(), H1, T(0), w.a2.data() + m * H2, kMembers * H2);
      }
      biasCelu(w.a2.data(), w.d2.data(), n.b2s.data(), rows, kMembers * H2);
      for (int m = 0; m < kMembers; ++m)
        gemm<T>(true, rows, H3, H2, T(1), w.a2.data() + m * H2, kMembers * H2, n.w3[m].data(), H2, T(0), w.a3.data() + m * H3, kMembers * H3);
      biasCelu(w.a3.data(), w.d3.data(), n.b3s.data(), rows, kMembers * H3);
      // Output layer, member mean; per-atom energies summed in a fixed order (bit-reproducible).
      atomEnergy_.resize(rows);
#pragma omp parallel for schedule(static)
      for (long r = 0; r < rows; ++r) {
        const T* a3 = w.a3.data() + r * kMembers * H3;
        double acc = 0;
        for (int m = 0; m < kMembers; ++m) {
          T o = n.b4[m];
          for (int k = 0; k < H3; ++k) o += a3[m * H3 + k] * n.w4[m][k];
          acc += o;
        }
        atomEnergy_[r] = acc / kMembers;
      }
      for (long r = 0; r < rows; ++r) e += atomEnergy_[r];
    }
    return e;
  }

  /// dE/dAEV for every atom (rows of dAev_), from the stored activations.
  void networkBackward() {
    for (int s = 0; s < kSpecies; ++s) {
      const int rows = static_cast<int>(atomsOf_[s].size());
      if (!rows) continue;
      auto& n = nets_[s];
      auto& w = work_[s];
      const int H1 = n.h[0], H2 = n.h[1], H3 = n.h[2];
      // dE/dz3 = (w4 / 8) ⊙ celu'(z3), written over d3.
      const T inv = T(1) / T(kMembers);
#pragma omp parallel for schedule(static)
      for (long r = 0; r < rows; ++r)
        for (int m = 0; m < kMembers; ++m) {
          T* d3 = w.d3.data() + r * kMembers * H3 + m * H3;
          for (int k = 0; k < H3; ++k) d3[k] *= n.w4[m][k] * inv;
        }
      // dE/da2 = dz3 · W3 → over a2, then ⊙ celu'(z2) into d2.
      for (int m = 0; m < kMembers; ++m)
        gemm<T>(false, rows, H2, H3, T(1), w.d3.data() + m * H3, kMembers * H3, n.w3[m].data(), H2, T(0), w.a2.data() + m * H2, kMembers * H2);
      hadamard(w.d2, w.a2);
      for (int m = 0; m < kMembers; ++m)
        gemm<T>(false, rows, H1, H2, T(1), w.d2.data() + m * H2, kMembers * H2, n.w2[m].data(), H1, T(0), w.a1.data() + m * H1, kMembers * H1);
      hadamard(w.d1, w.a1);
      dAev_[s].resize(static_cast<size_t>(rows) * width_);
      gemm<T>(false, rows, width_, kMembers * H1, T(1), w.d1.data(), kMembers * H1, n.w1c.data(), width_, T(0), dAev_[s].data(), width_);
    }
  }

  static void hadamard(std::vector<T>& d, const std::vector<T>& g) {
    const long size = static_cast<long>(g.size());
#pragma omp parallel for schedule(static)
    for (long k = 0; k < size; ++k) d[k] *= g[k];
  }

  // ------------------------------------------------------------------ AEV backward → forces
  void aevBackward(std::vector<Vec3>& forcesOut) {
    const Consts c = consts();
    const long n = static_cast<long>(species_.size());
    const int nt = threadCount();
    grad_.assign(static_cast<size_t>(nt) * n * 3, 0.0);
#pragma omp parallel
    {
      double* g = grad_.data() + static_cast<size_t>(threadId()) * n * 3;
      std::vector<T> full(kAevLength, T(0));
#pragma omp for schedule(static)
      for (long i = 0; i < centres_; ++i) {
        const T* packed = gradRow(static_cast<int>(i));
        for (int c = 0; c < width_; ++c) full[active_[c]] = packed[c];
        const T* G = full.data();
        const int lo = start_[i], hi = start_[i + 1];
        for (int a = lo; a < hi; ++a) {
          const T r = nbR_[a];
          const T dEdr = aev::radialDerivative<T>(c, r, G + species_[nbJ_[a]] * kRadialShifts);
          const int j = nbJ_[a];
          for (int k = 0; k < 3; ++k) {
            const double f = static_cast<double>(dEdr * nbD_[3 * a + k] / r);
            g[3 * j + k] += f;
            g[3 * i + k] -= f;
          }
        }
        const int na = angularCount_[i];
        for (int a = lo; a < lo + na; ++a)
          for (int b = a + 1; b < lo + na; ++b) {
            T g1[3], g2[3];
            aev::angularGradient<T>(c, &nbD_[3 * a], nbR_[a], &nbD_[3 * b], nbR_[b],
                                    G + kRadialLength + pairIndex(species_[nbJ_[a]], species_[nbJ_[b]]) * kAngularSub, g1, g2);
            const int j = nbJ_[a], k2 = nbJ_[b];
            for (int q = 0; q < 3; ++q) {
              g[3 * j + q] += static_cast<double>(g1[q]);
              g[3 * k2 + q] += static_cast<double>(g2[q]);
              g[3 * i + q] -= static_cast<double>(g1[q]) + static_cast<double>(g2[q]);
            }
          }
      }
    }
    forcesOut.assign(n, Vec3{});
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; ++i) {
      Vec3 f;
      for (int t = 0; t < nt; ++t)
        for (int k = 0; k < 3; ++k) f[k] -= grad_[(static_cast<size_t>(t) * n + i) * 3 + k];
      forcesOut[i] = f;
    }
  }

  AevParameters aevParams_;
  ElementNets<T> nets_[kSpecies];
  Work work_[kSpecies];
  std::vector<int> species_, rowOf_;
  std::vector<int> atomsOf_[kSpecies];
  std::vector<T> aev_[kSpecies], dAev_[kSpecies];
  std::vector<int> pairI_, pairJ_, start_, nbJ_, angularCount_;
  std::vector<int> active_;  // AEV columns present in the system
  std::vector<int> verletI_, verletJ_;
  bool useVerlet_ = false;
  long centres_ = 0;  // atoms 0..centres_-1 are centres (all, except for a subdomain's ghosts)
  int width_ = kAevLength;
  std::vector<Vec3> pairD_;
  std::vector<T> nbD_, nbR_;
  std::vector<double> grad_, atomEnergy_;
};

}  // namespace

std::unique_ptr<AniKernelSet> makeAniCpuKernelSet(const AniModelData& data, Precision precision) {
  if (precision == Precision::Float64) return std::make_unique<AniCpuKernels<double>>(data);
  if (precision != Precision::Float32)
    throw std::invalid_argument("ani2x native on the CPU runs float32 and float64; " + toString(precision) + " is a GPU tensor-core mode");
  return std::make_unique<AniCpuKernels<float>>(data);
}

}  // namespace mlffb::ani
