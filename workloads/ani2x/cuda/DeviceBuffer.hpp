#pragma once
// Device memory for the CUDA kernel set: an owning buffer that grows (never shrinks) and an
// account of the bytes it holds, so the kernel set reports its own allocation peak beside the
// device-wide use (cudaMemGetInfo). CUDA errors become exceptions naming the call; an
// out-of-memory is DeviceOutOfMemory, which the harness records as `oom`.
#include <cuda_runtime.h>

#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>

namespace mlffb::ani::cuda {

class DeviceOutOfMemory : public std::bad_alloc {
 public:
  explicit DeviceOutOfMemory(std::string what) : what_(std::move(what)) {}
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  std::string what_;
};

inline void check(cudaError_t e, const char* call) {
  if (e == cudaSuccess) return;
  cudaGetLastError();  // clear a sticky-free error so the next call sees its own
  if (e == cudaErrorMemoryAllocation) throw DeviceOutOfMemory(std::string("CUDA out of memory in ") + call);
  throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(e));
}
#define MLFFB_CUDA(call) ::mlffb::ani::cuda::check((call), #call)

/// Bytes held by the buffers of one kernel set, and their peak since the last reset.
struct MemoryAccount {
  size_t bytes = 0, peak = 0;
  void add(size_t n) {
    bytes += n;
    if (bytes > peak) peak = bytes;
  }
  void remove(size_t n) { bytes -= n; }
};

/// What every buffer shares: the account its bytes are charged to (set before the first reserve).
class DeviceBufferBase {
 public:
  void setAccount(MemoryAccount* account) { account_ = account; }

 protected:
  MemoryAccount* account_ = nullptr;
};

/// Device allocations through the CUDA runtime (the tests put a recording allocator in its place).
struct CudaAllocator {
  static void* allocate(size_t bytes) {
    void* p = nullptr;
    MLFFB_CUDA(cudaMalloc(&p, bytes));
    return p;
  }
  static void free(void* p) { cudaFree(p); }
};

template <class T, class Alloc = CudaAllocator>
class DeviceBuffer : public DeviceBufferBase {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { release(); }
  /// At least n elements; the contents are kept only when no reallocation happens. Returns
  /// whether the storage moved (kernels captured in a CUDA graph must then be captured again).
  /// The new storage is allocated before the old is freed: when that fails (DeviceOutOfMemory),
  /// the buffer still holds its old storage, so nothing that points at it (a captured graph, a
  /// capacity the caller has not yet raised) is left pointing at freed memory.
  bool reserve(size_t n) {
    if (n <= capacity_) return false;
    const size_t want = n + n / 8;  // a little headroom: sizes creep up step by step in MD
    T* fresh = static_cast<T*>(Alloc::allocate(want * sizeof(T)));
    if (account_) account_->add(want * sizeof(T));  // the peak sees both for that moment, as the device does
    release();
    ptr_ = fresh;
    capacity_ = want;
    return true;
  }
  void release() {
    if (!ptr_) return;
    Alloc::free(ptr_);
    if (account_) account_->remove(capacity_ * sizeof(T));
    ptr_ = nullptr;
    capacity_ = 0;
  }
  T* get() const { return ptr_; }
  size_t capacity() const { return capacity_; }

 private:
  T* ptr_ = nullptr;
  size_t capacity_ = 0;
};

/// Page-locked host memory for the transfers of each evaluation (positions in, energy and forces out).
template <class T>
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() {
    if (ptr_) cudaFreeHost(ptr_);
  }
  bool reserve(size_t n) {
    if (n <= capacity_) return false;
    if (ptr_) cudaFreeHost(ptr_);
    ptr_ = nullptr;
    void* p = nullptr;
    MLFFB_CUDA(cudaMallocHost(&p, n * sizeof(T)));
    ptr_ = static_cast<T*>(p);
    capacity_ = n;
    return true;
  }
  T* get() const { return ptr_; }

 private:
  T* ptr_ = nullptr;
  size_t capacity_ = 0;
};

}  // namespace mlffb::ani::cuda
