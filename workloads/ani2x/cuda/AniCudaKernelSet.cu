// ANI-2x native flavour, CUDA kernel set: device cell list and fixed-capacity neighbour lists
// (overflow counted on the device, read back with the energy, lists grown and the evaluation
// retried — never truncated), the fused AEV and its analytic backward (AniCudaKernels.cuh), and
// the networks as cuBLAS GEMMs per element with the 8 members stacked in layer 1 and batched in
// layers 2–3 (weights stored once), bias+CELU fused, in float32, float64, tf32 or bf16. Centres
// are processed in chunks of rows so a system larger than one chunk keeps O(chunk) AEV and
// activation storage (the AEV is then recomputed in the backward). With the `cuda_graph` option
// the networks and backward stages are captured once per binding and replayed.
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cub/device/device_radix_sort.cuh>
#include <stdexcept>

#include "core/cuda/CublasSupport.hpp"
#include "core/cuda/CudaSupport.hpp"
#include "systems/CellList.hpp"
#include "workloads/ani2x/AniAevMath.hpp"
#include "workloads/ani2x/AniKernelSet.hpp"
#include "workloads/ani2x/cuda/AniCudaKernels.cuh"
#include "workloads/ani2x/cuda/AniCudaSupport.hpp"

namespace mlffb::ani::cuda {
namespace {

static_assert(sizeof(Vec3) == 3 * sizeof(double), "Vec3 is three packed doubles");

using gpu::blocksFor;
using gpu::CublasHandle;
using gpu::DeviceBufferBase;
using gpu::PinnedBuffer;
using gpu::Stream;

/// The device a kernel set works on, made current (before its stream and handle are created there).
int selectDevice(const Device& device) {
  int count = 0;
  MLFFB_CUDA(cudaGetDeviceCount(&count));
  const int index = device.index < 0 ? 0 : device.index;
  if (index >= count) throw std::invalid_argument("device " + device.str() + " does not exist (" + std::to_string(count) + " CUDA devices)");
  MLFFB_CUDA(cudaSetDevice(index));
  return index;
}

/// A CUDA graph of one stage's launches, captured on first use and replayed until invalidated
/// (new binding, grown buffers).
class StageGraph {
 public:
  ~StageGraph() { reset(); }
  void reset() {
    if (exec_) cudaGraphExecDestroy(exec_);
    if (graph_) cudaGraphDestroy(graph_);
    exec_ = nullptr;
    graph_ = nullptr;
  }
  template <class Launches>
  void run(cudaStream_t stream, bool enabled, Launches&& launches) {
    if (!enabled) {
      launches();
      return;
    }
    if (!exec_) {
      MLFFB_CUDA(cudaStreamBeginCapture(stream, cudaStreamCaptureModeThreadLocal));
      try {
        launches();
      } catch (...) {
        cudaGraph_t g = nullptr;
        cudaStreamEndCapture(stream, &g);
        if (g) cudaGraphDestroy(g);
        throw;
      }
      MLFFB_CUDA(cudaStreamEndCapture(stream, &graph_));
      MLFFB_CUDA(cudaGraphInstantiate(&exec_, graph_, 0));
    }
    MLFFB_CUDA(cudaGraphLaunch(exec_, stream));
  }

 private:
  cudaGraph_t graph_ = nullptr;
  cudaGraphExec_t exec_ = nullptr;
};

/// Rows of one element inside one chunk: global rows [row0, row0 + rows), `offset` rows into the chunk.
struct Part {
  int species, row0, rows, offset;
};

template <class T>
class AniCudaKernelSet final : public AniKernelSet {
 public:
  AniCudaKernelSet(const AniModelData& data, Precision precision, const Device& device, const CudaKernelOptions& options)
      : aevParams_(data.aev),
        precision_(precision),
        options_(options),
        device_(selectDevice(device)),
        stream_(streamOwner_.get()),
        blas_(stream_),
        capR_(std::max(1, options.radialCapacity)),
        capA_(std::max(1, options.angularCapacity)),
        capV_(std::max(1, options.candidateCapacity)) {
    for (auto* b : accountable()) b->setAccount(&account_);
    // A fixed workspace: cuBLAS then allocates nothing while a graph is being captured.
    workspace_.reserve(32u << 20);
    MLFFB_CUBLAS(cublasSetWorkspace(blas_.get(), workspace_.get(), workspace_.capacity()));
    uploadWeights(data);
  }
  ~AniCudaKernelSet() override {
    invalidateGraphs();
    blas_.reset();  // before the buffers its workspace lives in; the stream goes last
  }

  void bind(const std::vector<int>& species, size_t centres) override {
    MLFFB_CUDA(cudaSetDevice(device_));
    invalidateGraphs();  // first: the buffers below may move
    n_ = static_cast<int>(species.size());
    centres_ = static_cast<int>(std::min(centres, species.size()));
    useVerlet_ = false;
    active_ = activeAevColumns(species);
    width_ = static_cast<int>(active_.size());
    // Centres grouped by element (input order inside): row r of the AEV matrix is atom atomOfRow[r].
    std::vector<int> atomOfRow;
    for (int s = 0; s < kSpecies; ++s) {
      rowBegin_[s] = static_cast<int>(atomOfRow.size());
      for (int i = 0; i < centres_; ++i)
        if (species[i] == s) atomOfRow.push_back(i);
    }
    rowBegin_[kSpecies] = centres_;
    chunkRows_ = std::max(1, std::min(centres_, options_.chunkAtoms));
    upload(species_, species);
    upload(atomOfRow_, atomOfRow);
    upload(activeCol_, active_);
    compressFirstLayers();
    reserveNeighborLists(capR_, capA_);
    reserveChunkBuffers();
    atomEnergy_.reserve(std::max(1, centres_));
    grad_.reserve(3 * static_cast<size_t>(std::max(1, n_)));
    hostGrad_.reserve(3 * static_cast<size_t>(std::max(1, n_)));
  }

  void neighbors(const std::vector<Vec3>& pos, const std::optional<Box>& box) override {
    MLFFB_CUDA(cudaSetDevice(device_));
    uploadPositions(pos, box, aevParams_.Rcr);
    launchNeighbors();
  }
  void* deviceStream() const override { return stream_; }
  void synchronize() override { MLFFB_CUDA(cudaStreamSynchronize(stream_)); }
  void neighborsOnDevice(const double* dPositions, const std::optional<Box>& box) override {
    // The candidate lists need no cells: then no bounding box either, and no host round trip.
    positionsFromDevice(dPositions, box, aevParams_.Rcr, !useVerlet_);
    launchNeighbors();
  }
  void buildVerletListOnDevice(const double* dPositions, const std::optional<Box>& box, double skin) override {
    buildCandidates(skin, [&] { positionsFromDevice(dPositions, box, aevParams_.Rcr + skin, true); });
  }
  void backwardOnDevice(double* dForces, double scale) override {
    if (dForces != deviceForces_ || scale != deviceScale_) deviceBackwardGraph_.reset();
    deviceForces_ = dForces;
    deviceScale_ = scale;
    deviceBackwardGraph_.run(stream_, graphs(), [&] {
      backwardLaunches();
      gradientToForces<<<blocksFor(3L * n_, 256), 256, 0, stream_>>>(3L * n_, grad_.get(), scale, dForces);
      MLFFB_CUDA(cudaGetLastError());
    });
    MLFFB_CUDA(cudaStreamSynchronize(stream_));
  }

  void descriptor() override {
    if (chunks() == 1) aevChunk(0);
    // Several chunks: each chunk's AEV is computed right before its networks (energy stage) and again
    // before its backward, so the AEV storage stays one chunk's.
  }

  double networks() override {
    runNetworks();
    MLFFB_CUDA(cudaStreamSynchronize(stream_));
    if (const int grown = growIfOverflowed()) {
      // A list overflowed: grown to fit; this evaluation is done again from its positions.
      retries_ += grown;
      launchNeighbors();
      if (chunks() == 1) aevChunk(0);
      runNetworks();
      MLFFB_CUDA(cudaStreamSynchronize(stream_));
      if (growIfOverflowed()) throw std::logic_error("ani2x cuda: neighbour lists overflowed after growing");
    }
    const unsigned long long* w = hostWork_.get();
    counts_.directedRadialPairs = static_cast<long>(w[0]);
    counts_.angularTriples = static_cast<long>(w[1]);
    counts_.aevWidth = width_;
    return hostEnergy_.get()[0];
  }

  void backward(std::vector<Vec3>& forces) override {
    backwardGraph_.run(stream_, graphs(), [&] {
      backwardLaunches();
      MLFFB_CUDA(cudaMemcpyAsync(hostGrad_.get(), grad_.get(), 3 * sizeof(double) * n_, cudaMemcpyDeviceToHost, stream_));
    });
    MLFFB_CUDA(cudaStreamSynchronize(stream_));
    forces.resize(n_);
    const double* g = hostGrad_.get();
    for (int i = 0; i < n_; ++i) forces[i] = Vec3{-g[3 * i], -g[3 * i + 1], -g[3 * i + 2]};
  }

  AniWorkCounts counts() const override { return counts_; }

  /// dE/dx of every atom into grad_ (chunk by chunk, recomputing AEV and activations when chunked).
  void backwardLaunches() {
    MLFFB_CUDA(cudaMemsetAsync(grad_.get(), 0, 3 * sizeof(double) * n_, stream_));
    for (int k = 0; k < chunks(); ++k) {
      if (chunks() > 1) {
        aevChunk(k);
        forwardChunk(k);
      }
      backwardChunk(k);
    }
  }

  void buildVerletList(const std::vector<Vec3>& pos, const std::optional<Box>& box, double skin) override {
    buildCandidates(skin, [&] { uploadPositions(pos, box, aevParams_.Rcr + skin); });
  }
  void clearVerletList() override { useVerlet_ = false; }

  nlohmann::ordered_json memoryStats() const override {
    nlohmann::ordered_json j;
    j["cuda_allocated_peak_bytes"] = account_.peak;
    j["cuda_reserved_peak_bytes"] = account_.peak;  // no caching allocator: what is reserved is allocated
    return j;
  }
  void resetMemoryStats() override { account_.peak = account_.bytes; }
  nlohmann::ordered_json details() const override {
    return {{"neighbor_capacity", {{"radial", capR_}, {"angular", capA_}, {"candidates", capV_}}},
            {"neighbor_retries", retries_},
            {"chunks", chunks()},
            {"chunk_rows", chunkRows_},
            {"cuda_graph", graphs()},
            {"allocated_bytes", account_.bytes}};
  }
  nlohmann::ordered_json stageNotes() const override {
    nlohmann::ordered_json notes = nlohmann::ordered_json::object();
    if (chunks() > 1) {
      const std::string n = std::to_string(chunks());
      notes["descriptor"] = "empty: with " + n + " chunks each chunk's AEV is computed inside energy, right before its networks";
      notes["energy"] = "the AEV and networks of each of the " + n + " chunks";
      notes["forces"] = "each chunk's AEV and network forward again (its storage is one chunk's), then its backward";
    }
    if (retries_ > 0) {
      const std::string retry = std::to_string(retries_) + " neighbour-list overflow(s) so far: each re-ran neighbours, AEV and networks "
                                "inside energy after growing the lists";
      notes["energy"] = notes.contains("energy") ? notes["energy"].get<std::string>() + "; " + retry : retry;
    }
    return notes;
  }

 private:
  // ------------------------------------------------------------------ set-up
  /// Every device buffer, so each is charged to this kernel set's account.
  std::vector<DeviceBufferBase*> accountable() {
    std::vector<DeviceBufferBase*> v = {&pos_, &species_, &atomOfRow_, &activeCol_, &key_, &keySorted_, &index_, &sortedIndex_, &cellStart_,
                                        &cellEnd_, &sortTemp_, &nR_, &jR_, &nA_, &aSlot_, &nV_, &jV_, &overflow_, &work_, &atomEnergy_,
                                        &energy_, &grad_, &bounds_, &bf16Scratch_, &workspace_, &dR_, &aev_, &dAev_, &a1_, &d1_, &a2_, &d2_, &a3_, &d3_};
    for (auto& e : nets_)
      v.insert(v.end(), {&e.w1c, &e.b1, &e.w2, &e.b2, &e.w3, &e.b3, &e.w4, &e.b4, &e.w1c16, &e.w2_16, &e.w3_16});
    return v;
  }

  /// Host data into a device buffer, grown to hold it (stream-ordered, finished on return).
  template <class U>
  void upload(DeviceBuffer<U>& dst, const std::vector<U>& src) {
    dst.reserve(std::max<size_t>(1, src.size()));
    gpu::copyToDevice(dst.get(), src.data(), src.size(), stream_);
  }

  struct Element {
    int h[3] = {0, 0, 0};
    std::vector<T> w1;  // (8 h1) × 1008, host copy the active columns are gathered from
    DeviceBuffer<T> w1c, b1, w2, b2, w3, b3, w4, b4;
    DeviceBuffer<__nv_bfloat16> w1c16, w2_16, w3_16;
  };

  void uploadWeights(const AniModelData& data) {
    for (int s = 0; s < kSpecies; ++s) {
      Element& e = nets_[s];
      const auto h = hiddenWidths(s);
      std::copy(h.begin(), h.end(), e.h);
      std::vector<T> b1, w2, b2, w3, b3, w4, b4;
      e.w1.clear();
      for (int m = 0; m < kMembers; ++m) {
        const Network& n = data.networks[m][s];
        e.w1.insert(e.w1.end(), n[0].weight.begin(), n[0].weight.end());
        b1.insert(b1.end(), n[0].bias.begin(), n[0].bias.end());
        w2.insert(w2.end(), n[1].weight.begin(), n[1].weight.end());
        b2.insert(b2.end(), n[1].bias.begin(), n[1].bias.end());
        w3.insert(w3.end(), n[2].weight.begin(), n[2].weight.end());
        b3.insert(b3.end(), n[2].bias.begin(), n[2].bias.end());
        w4.insert(w4.end(), n[3].weight.begin(), n[3].weight.end());
        b4.push_back(static_cast<T>(n[3].bias[0]));
      }
      upload(e.b1, b1);
      upload(e.w2, w2);
      upload(e.b2, b2);
      upload(e.w3, w3);
      upload(e.b3, b3);
      upload(e.w4, w4);
      upload(e.b4, b4);
      if (precision_ == Precision::Bf16) {
        toBf16Copy(e.w2_16, e.w2, w2.size());
        toBf16Copy(e.w3_16, e.w3, w3.size());
      }
    }
  }

  void toBf16Copy(DeviceBuffer<__nv_bfloat16>& dst, const DeviceBuffer<T>& src, size_t n) {
    if constexpr (std::is_same_v<T, float>) {
      dst.reserve(std::max<size_t>(1, n));
      toBf16<<<blocksFor(static_cast<long>(n), 256), 256, 0, stream_>>>(static_cast<long>(n), src.get(), dst.get());
      MLFFB_CUDA(cudaGetLastError());
      MLFFB_CUDA(cudaStreamSynchronize(stream_));
    }
  }

  /// Layer-1 weights of the AEV columns present in this system.
  void compressFirstLayers() {
    for (auto& e : nets_) {
      const int rows = kMembers * e.h[0];
      std::vector<T> w1c(static_cast<size_t>(rows) * width_);
      for (int r = 0; r < rows; ++r)
        for (int c = 0; c < width_; ++c) w1c[static_cast<size_t>(r) * width_ + c] = e.w1[static_cast<size_t>(r) * kAevLength + active_[c]];
      upload(e.w1c, w1c);
      if (precision_ == Precision::Bf16) toBf16Copy(e.w1c16, e.w1c, w1c.size());
    }
  }

  /// Lists of the bound centres for capacities capR and capA (the caller raises capR_/capA_ once
  /// this returned: an out-of-memory here leaves them matching the buffers).
  void reserveNeighborLists(int capR, int capA) {
    const size_t c = std::max(1, centres_);
    nR_.reserve(c);
    nA_.reserve(c);
    jR_.reserve(c * capR);
    dR_.reserve(4 * c * capR);
    aSlot_.reserve(c * capA);
    if (useVerlet_) {
      nV_.reserve(c);
      jV_.reserve(c * capV_);
    }
    overflow_.reserve(3);
    work_.reserve(2);
    energy_.reserve(1);
    hostOverflow_.reserve(3);
    hostWork_.reserve(2);
    hostEnergy_.reserve(1);
  }

  /// AEV and activation storage of one chunk: rows × width, and per layer rows × 8·(widest h).
  void reserveChunkBuffers() {
    const size_t rows = chunkRows_;
    aev_.reserve(rows * width_);
    dAev_.reserve(rows * width_);
    for (int l = 0; l < 3; ++l) {
      int widest = 0;
      for (const auto& e : nets_) widest = std::max(widest, e.h[l]);
      hmax_[l] = widest;
    }
    a1_.reserve(rows * kMembers * hmax_[0]);
    d1_.reserve(rows * kMembers * hmax_[0]);
    a2_.reserve(rows * kMembers * hmax_[1]);
    d2_.reserve(rows * kMembers * hmax_[1]);
    a3_.reserve(rows * kMembers * hmax_[2]);
    d3_.reserve(rows * kMembers * hmax_[2]);
    if (precision_ == Precision::Bf16) bf16Scratch_.reserve(rows * std::max(width_, kMembers * hmax_[0]));
  }

  void invalidateGraphs() {
    networksGraph_.reset();
    backwardGraph_.reset();
    deviceBackwardGraph_.reset();
  }
  bool graphs() const { return options_.cudaGraph && chunks() == 1; }
  int chunks() const { return centres_ == 0 ? 0 : (centres_ + chunkRows_ - 1) / chunkRows_; }

  // ------------------------------------------------------------------ neighbours
  void uploadPositions(const std::vector<Vec3>& pos, const std::optional<Box>& box, double cellCutoff) {
    if (static_cast<int>(pos.size()) != n_)
      throw std::invalid_argument("ani2x cuda: " + std::to_string(pos.size()) + " positions for " + std::to_string(n_) + " bound atoms");
    hostPos_.reserve(3 * static_cast<size_t>(std::max(1, n_)));
    std::memcpy(hostPos_.get(), pos.data(), sizeof(Vec3) * n_);
    pos_.reserve(3 * static_cast<size_t>(std::max(1, n_)));
    MLFFB_CUDA(cudaMemcpyAsync(pos_.get(), hostPos_.get(), sizeof(Vec3) * n_, cudaMemcpyHostToDevice, stream_));
    geometry_ = makeGeometry(pos, box, cellCutoff);
  }

  /// Verlet candidate lists (cutoff + skin) from positions `load` puts on the device, grown until they fit.
  template <class Load>
  void buildCandidates(double skin, Load&& load) {
    MLFFB_CUDA(cudaSetDevice(device_));
    nV_.reserve(std::max(1, centres_));
    jV_.reserve(static_cast<size_t>(std::max(1, centres_)) * capV_);
    for (;;) {
      load();
      zeroOverflow();
      binAndSort();
      const double rc = aevParams_.Rcr + skin;
      neighborsFromCells<T><<<blocksFor(centres_, 128), 128, 0, stream_>>>(
          centres_, pos_.get(), geometry_, key_.get(), sortedIndex_.get(), cellStart_.get(), cellEnd_.get(), rc * rc, 0.0, capV_, 0,
          nV_.get(), jV_.get(), nullptr, nullptr, nullptr, overflow_.get());
      MLFFB_CUDA(cudaGetLastError());
      MLFFB_CUDA(cudaMemcpyAsync(hostOverflow_.get(), overflow_.get(), 3 * sizeof(int), cudaMemcpyDeviceToHost, stream_));
      MLFFB_CUDA(cudaStreamSynchronize(stream_));
      const int need = hostOverflow_.get()[0];
      if (need <= capV_) break;
      const int grown = need + need / 4 + 8;
      invalidateGraphs();
      jV_.reserve(static_cast<size_t>(std::max(1, centres_)) * grown);  // may throw: capV_ still fits jV_
      capV_ = grown;
      ++retries_;
    }
    useVerlet_ = true;
  }

  /// Positions already on the device (N × 3 doubles) into pos_, and the geometry; an open system's
  /// bounding box is read back (one small transfer) only when cells will be built.
  void positionsFromDevice(const double* dPositions, const std::optional<Box>& box, double cellCutoff, bool needCells) {
    pos_.reserve(3 * static_cast<size_t>(std::max(1, n_)));
    MLFFB_CUDA(cudaMemcpyAsync(pos_.get(), dPositions, sizeof(double) * 3 * n_, cudaMemcpyDeviceToDevice, stream_));
    double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0};
    if (!box && needCells && n_ > 0) {
      bounds_.reserve(6);
      hostBounds_.reserve(6);
      boundingBox<<<1, 512, 0, stream_>>>(n_, pos_.get(), bounds_.get());
      MLFFB_CUDA(cudaGetLastError());
      MLFFB_CUDA(cudaMemcpyAsync(hostBounds_.get(), bounds_.get(), 6 * sizeof(double), cudaMemcpyDeviceToHost, stream_));
      MLFFB_CUDA(cudaStreamSynchronize(stream_));
      for (int d = 0; d < 3; ++d) {
        lo[d] = hostBounds_.get()[d];
        hi[d] = hostBounds_.get()[3 + d];
      }
    }
    geometry_ = makeGeometry(box, lo, hi, n_, cellCutoff);
  }

  void zeroOverflow() {
    MLFFB_CUDA(cudaMemsetAsync(overflow_.get(), 0, 3 * sizeof(int), stream_));
    MLFFB_CUDA(cudaMemsetAsync(work_.get(), 0, 2 * sizeof(unsigned long long), stream_));
  }

  /// Cell of every atom, atoms stably sorted by cell (deterministic lists), each cell's range.
  void binAndSort() {
    const int cells = geometry_.dims[0] * geometry_.dims[1] * geometry_.dims[2];
    const size_t n = std::max(1, n_);
    key_.reserve(n);
    keySorted_.reserve(n);
    index_.reserve(n);
    sortedIndex_.reserve(n);
    cellStart_.reserve(cells);
    cellEnd_.reserve(cells);
    binAtoms<<<blocksFor(n_, 256), 256, 0, stream_>>>(n_, pos_.get(), geometry_, key_.get(), index_.get());
    MLFFB_CUDA(cudaGetLastError());
    int bits = 1;
    while ((1 << bits) < cells) ++bits;
    size_t tempBytes = 0;
    MLFFB_CUDA(cub::DeviceRadixSort::SortPairs(nullptr, tempBytes, key_.get(), keySorted_.get(), index_.get(), sortedIndex_.get(), n_, 0, bits,
                                               stream_));
    sortTemp_.reserve(std::max<size_t>(1, tempBytes));
    MLFFB_CUDA(cub::DeviceRadixSort::SortPairs(sortTemp_.get(), tempBytes, key_.get(), keySorted_.get(), index_.get(), sortedIndex_.get(), n_, 0,
                                               bits, stream_));
    MLFFB_CUDA(cudaMemsetAsync(cellStart_.get(), 0, sizeof(int) * cells, stream_));
    MLFFB_CUDA(cudaMemsetAsync(cellEnd_.get(), 0, sizeof(int) * cells, stream_));
    cellRanges<<<blocksFor(n_, 256), 256, 0, stream_>>>(n_, keySorted_.get(), cellStart_.get(), cellEnd_.get());
    MLFFB_CUDA(cudaGetLastError());
  }

  void launchNeighbors() {
    zeroOverflow();
    const double rc2 = aevParams_.Rcr * aevParams_.Rcr, rca2 = aevParams_.Rca * aevParams_.Rca;
    if (centres_ == 0) return;
    if (useVerlet_) {
      neighborsFromCandidates<T><<<blocksFor(centres_, 128), 128, 0, stream_>>>(centres_, pos_.get(), geometry_, capV_, nV_.get(), jV_.get(), rc2,
                                                                              rca2, capR_, capA_, nR_.get(), jR_.get(), dR_.get(), nA_.get(),
                                                                              aSlot_.get(), overflow_.get());
    } else {
      binAndSort();
      neighborsFromCells<T><<<blocksFor(centres_, 128), 128, 0, stream_>>>(centres_, pos_.get(), geometry_, key_.get(), sortedIndex_.get(),
                                                                         cellStart_.get(), cellEnd_.get(), rc2, rca2, capR_, capA_, nR_.get(),
                                                                         jR_.get(), dR_.get(), nA_.get(), aSlot_.get(), overflow_.get());
    }
    MLFFB_CUDA(cudaGetLastError());
    countWork<<<blocksFor(centres_, 256), 256, 0, stream_>>>(centres_, nR_.get(), nA_.get(), capR_, capA_, work_.get());
    MLFFB_CUDA(cudaGetLastError());
  }

  /// After an evaluation: grows the lists that overflowed; returns how many grew.
  int growIfOverflowed() {
    const int* o = hostOverflow_.get();
    int grown = 0, capR = capR_, capA = capA_;
    if (o[0] > capR_) {
      capR = o[0] + o[0] / 4 + 8;
      ++grown;
    }
    if (o[1] > capA_) {
      capA = o[1] + o[1] / 4 + 4;
      ++grown;
    }
    if (grown) {
      invalidateGraphs();                  // before any buffer moves
      reserveNeighborLists(capR, capA);    // an out-of-memory leaves the old capacities with buffers that fit them
      capR_ = capR;
      capA_ = capA;
    }
    return grown;
  }

  // ------------------------------------------------------------------ AEV
  void aevChunk(int k) {
    const int r0 = k * chunkRows_, rows = std::min(chunkRows_, centres_ - r0);
    if (rows <= 0) return;
    aevForward<T><<<rows, 64, 0, stream_>>>(r0, atomOfRow_.get(), species_.get(), capR_, nR_.get(), jR_.get(), dR_.get(), capA_, nA_.get(),
                                           aSlot_.get(), aev::makeConsts<T>(aevParams_), activeCol_.get(), width_, aev_.get());
    MLFFB_CUDA(cudaGetLastError());
  }

  /// The element parts of chunk k.
  std::vector<Part> parts(int k) const {
    std::vector<Part> out;
    const int c0 = k * chunkRows_, c1 = std::min(centres_, c0 + chunkRows_);
    for (int s = 0; s < kSpecies; ++s) {
      const int a = std::max(c0, rowBegin_[s]), b = std::min(c1, rowBegin_[s + 1]);
      if (b > a) out.push_back({s, a, b - a, a - c0});
    }
    return out;
  }

  // ------------------------------------------------------------------ networks
  /// Row-major C (m × n, ldc) = X (m × k, ldx) · op(W), W row-major: n × k when transW (C = X Wᵀ),
  /// k × n otherwise; `batch` such products at the given strides. In the precision's arithmetic:
  /// float32 and float64 plain, tf32 on tensor cores with float32 data, bf16 with bfloat16 copies
  /// of both operands and float32 accumulation.
  void gemm(bool transW, int m, int n, int k, const T* W, const __nv_bfloat16* W16, int ldw, long long strideW, const T* X, int ldx,
            long long strideX, T* C, int ldc, long long strideC, int batch) {
    const cublasOperation_t opW = transW ? CUBLAS_OP_T : CUBLAS_OP_N;
    if constexpr (std::is_same_v<T, double>) {
      const double one = 1, zero = 0;
      MLFFB_CUBLAS(cublasGemmStridedBatchedEx(blas_.get(), opW, CUBLAS_OP_N, n, m, k, &one, W, CUDA_R_64F, ldw, strideW, X, CUDA_R_64F, ldx, strideX,
                                              &zero, C, CUDA_R_64F, ldc, strideC, batch, CUBLAS_COMPUTE_64F, CUBLAS_GEMM_DEFAULT));
    } else {
      const float one = 1, zero = 0;
      if (precision_ == Precision::Bf16) {
        // X's rows (m × ldx, batches inside the row) as bfloat16, then the product.
        const long count = static_cast<long>(m) * ldx;
        toBf16<<<blocksFor(count, 256), 256, 0, stream_>>>(count, X, bf16Scratch_.get());
        MLFFB_CUDA(cudaGetLastError());
        MLFFB_CUBLAS(cublasGemmStridedBatchedEx(blas_.get(), opW, CUBLAS_OP_N, n, m, k, &one, W16, CUDA_R_16BF, ldw, strideW, bf16Scratch_.get(),
                                                CUDA_R_16BF, ldx, strideX, &zero, C, CUDA_R_32F, ldc, strideC, batch, CUBLAS_COMPUTE_32F,
                                                CUBLAS_GEMM_DEFAULT));
      } else {
        const cublasComputeType_t compute = precision_ == Precision::Tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
        MLFFB_CUBLAS(cublasGemmStridedBatchedEx(blas_.get(), opW, CUBLAS_OP_N, n, m, k, &one, W, CUDA_R_32F, ldw, strideW, X, CUDA_R_32F, ldx, strideX,
                                                &zero, C, CUDA_R_32F, ldc, strideC, batch, compute, CUBLAS_GEMM_DEFAULT));
      }
    }
  }

  T* act(DeviceBuffer<T>& buf, int layer, const Part& p) { return buf.get() + static_cast<size_t>(p.offset) * kMembers * hmax_[layer]; }

  void celu(T* z, T* d, const T* bias, int rows, int cols) {
    biasCelu<T><<<blocksFor(static_cast<long>(rows) * cols, 256), 256, 0, stream_>>>(rows, cols, cols, z, d, bias, static_cast<T>(kCeluAlpha));
    MLFFB_CUDA(cudaGetLastError());
  }

  /// Forward through the element networks of chunk k: per-atom energies into atomEnergy_.
  void forwardChunk(int k) {
    for (const Part& p : parts(k)) {
      Element& e = nets_[p.species];
      const int H1 = e.h[0], H2 = e.h[1], H3 = e.h[2];
      T* a1 = act(a1_, 0, p);
      T* d1 = act(d1_, 0, p);
      T* a2 = act(a2_, 1, p);
      T* d2 = act(d2_, 1, p);
      T* a3 = act(a3_, 2, p);
      T* d3 = act(d3_, 2, p);
      // Layer 1: all 8 members in one GEMM over the active AEV columns.
      gemm(true, p.rows, kMembers * H1, width_, e.w1c.get(), e.w1c16.get(), width_, 0, aev_.get() + static_cast<size_t>(p.offset) * width_,
           width_, 0, a1, kMembers * H1, 0, 1);
      celu(a1, d1, e.b1.get(), p.rows, kMembers * H1);
      // Layers 2 and 3: the members batched, each reading its own slice of the row.
      gemm(true, p.rows, H2, H1, e.w2.get(), e.w2_16.get(), H1, static_cast<long long>(H2) * H1, a1, kMembers * H1, H1, a2, kMembers * H2, H2,
           kMembers);
      celu(a2, d2, e.b2.get(), p.rows, kMembers * H2);
      gemm(true, p.rows, H3, H2, e.w3.get(), e.w3_16.get(), H2, static_cast<long long>(H3) * H2, a2, kMembers * H2, H2, a3, kMembers * H3, H3,
           kMembers);
      celu(a3, d3, e.b3.get(), p.rows, kMembers * H3);
      outputLayer<T><<<(p.rows * 32 + 255) / 256, 256, 0, stream_>>>(p.rows, H3, a3, e.w4.get(), e.b4.get(), atomEnergy_.get() + p.row0);
      MLFFB_CUDA(cudaGetLastError());
    }
  }

  /// Energy (and the overflow counts and work totals) to the host, as one graph when asked.
  void runNetworks() {
    networksGraph_.run(stream_, graphs(), [&] {
      for (int k = 0; k < chunks(); ++k) {
        if (chunks() > 1) aevChunk(k);
        forwardChunk(k);
      }
      sumEnergy<<<1, 1024, 0, stream_>>>(centres_, atomEnergy_.get(), energy_.get());
      MLFFB_CUDA(cudaGetLastError());
      MLFFB_CUDA(cudaMemcpyAsync(hostEnergy_.get(), energy_.get(), sizeof(double), cudaMemcpyDeviceToHost, stream_));
      MLFFB_CUDA(cudaMemcpyAsync(hostOverflow_.get(), overflow_.get(), 3 * sizeof(int), cudaMemcpyDeviceToHost, stream_));
      MLFFB_CUDA(cudaMemcpyAsync(hostWork_.get(), work_.get(), 2 * sizeof(unsigned long long), cudaMemcpyDeviceToHost, stream_));
    });
  }

  /// Backward through the networks of chunk k (from its stored activations) and its AEV.
  void backwardChunk(int k) {
    for (const Part& p : parts(k)) {
      Element& e = nets_[p.species];
      const int H1 = e.h[0], H2 = e.h[1], H3 = e.h[2];
      T* a1 = act(a1_, 0, p);
      T* d1 = act(d1_, 0, p);
      T* a2 = act(a2_, 1, p);
      T* d2 = act(d2_, 1, p);
      T* d3 = act(d3_, 2, p);
      const long rows = p.rows;
      scaleOutputGradient<T><<<blocksFor(rows * kMembers * H3, 256), 256, 0, stream_>>>(rows, H3, d3, e.w4.get());
      MLFFB_CUDA(cudaGetLastError());
      // dE/da2 = dz3 · W3 (per member) over a2, then ⊙ CELU'(z2) into d2; the same for layer 1.
      gemm(false, p.rows, H2, H3, e.w3.get(), e.w3_16.get(), H2, static_cast<long long>(H3) * H2, d3, kMembers * H3, H3, a2, kMembers * H2, H2,
           kMembers);
      hadamard<T><<<blocksFor(rows * kMembers * H2, 256), 256, 0, stream_>>>(rows * kMembers * H2, d2, a2);
      MLFFB_CUDA(cudaGetLastError());
      gemm(false, p.rows, H1, H2, e.w2.get(), e.w2_16.get(), H1, static_cast<long long>(H2) * H1, d2, kMembers * H2, H2, a1, kMembers * H1, H1,
           kMembers);
      hadamard<T><<<blocksFor(rows * kMembers * H1, 256), 256, 0, stream_>>>(rows * kMembers * H1, d1, a1);
      MLFFB_CUDA(cudaGetLastError());
      // dE/dAEV = dz1 · W1 (the stacked members) on the active columns.
      gemm(false, p.rows, width_, kMembers * H1, e.w1c.get(), e.w1c16.get(), width_, 0, d1, kMembers * H1, 0,
           dAev_.get() + static_cast<size_t>(p.offset) * width_, width_, 0, 1);
    }
    const int r0 = k * chunkRows_, rows = std::min(chunkRows_, centres_ - r0);
    if (rows <= 0) return;
    aevBackward<T><<<rows, 64, 0, stream_>>>(r0, atomOfRow_.get(), species_.get(), capR_, nR_.get(), jR_.get(), dR_.get(), capA_, nA_.get(),
                                            aSlot_.get(), aev::makeConsts<T>(aevParams_), activeCol_.get(), width_, dAev_.get(), grad_.get());
    MLFFB_CUDA(cudaGetLastError());
  }

  AevParameters aevParams_;
  Precision precision_;
  CudaKernelOptions options_;
  // Declared in this order: the device is selected before the stream and handle are created on
  // it, and they are destroyed after the buffers (members die in reverse), also when the
  // constructor throws after creating them.
  int device_ = 0;
  Stream streamOwner_;
  cudaStream_t stream_ = nullptr;
  CublasHandle blas_;
  MemoryAccount account_;

  int n_ = 0, centres_ = 0, width_ = kAevLength, chunkRows_ = 1;
  int rowBegin_[kSpecies + 1] = {};
  int hmax_[3] = {0, 0, 0};
  std::vector<int> active_;
  Element nets_[kSpecies];
  Geometry geometry_;
  bool useVerlet_ = false;
  int capR_, capA_, capV_;  // list capacities per centre, grown on overflow
  int retries_ = 0;
  AniWorkCounts counts_;
  StageGraph networksGraph_, backwardGraph_, deviceBackwardGraph_;
  double* deviceForces_ = nullptr;  // where the device backward's graph writes
  double deviceScale_ = 0;

  DeviceBuffer<double> pos_, atomEnergy_, energy_, grad_, bounds_;
  DeviceBuffer<int> species_, atomOfRow_, activeCol_, key_, keySorted_, index_, sortedIndex_, cellStart_, cellEnd_;
  DeviceBuffer<int> nR_, jR_, nA_, aSlot_, nV_, jV_, overflow_;
  DeviceBuffer<unsigned long long> work_;
  DeviceBuffer<char> sortTemp_, workspace_;
  DeviceBuffer<T> dR_, aev_, dAev_, a1_, d1_, a2_, d2_, a3_, d3_;
  DeviceBuffer<__nv_bfloat16> bf16Scratch_;
  PinnedBuffer<double> hostPos_, hostEnergy_, hostGrad_, hostBounds_;
  PinnedBuffer<int> hostOverflow_;
  PinnedBuffer<unsigned long long> hostWork_;
};

}  // namespace

std::unique_ptr<AniKernelSet> makeAniCudaKernelSet(const AniModelData& data, Precision precision, const Device& device,
                                                   const CudaKernelOptions& options) {
  if (precision == Precision::Float64) return std::make_unique<AniCudaKernelSet<double>>(data, precision, device, options);
  return std::make_unique<AniCudaKernelSet<float>>(data, precision, device, options);
}

}  // namespace mlffb::ani::cuda
