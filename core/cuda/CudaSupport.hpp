#pragma once
// The CUDA support every CUDA file of the project uses (header-only, included by .cu files and by
// host code compiled where the toolkit is): CUDA errors as exceptions naming the call, running out
// of device memory as DeviceOutOfMemory (a std::bad_alloc, which the harness records as `oom`),
// owning device and page-locked buffers with an account of the bytes they hold, an owned stream,
// stream-ordered copies and the launch-grid arithmetic.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstddef>
#include <new>
#include <stdexcept>
#include <string>

namespace mlffb::gpu {

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
#define MLFFB_CUDA(call) ::mlffb::gpu::check((call), #call)

/// Blocks of `threads` that cover n items (at least one block).
inline int blocksFor(long n, int threads) { return static_cast<int>(std::max<long>(1, (n + threads - 1) / threads)); }

/// Bytes held by the buffers of one owner (a kernel set), and their peak since the last reset.
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

/// Page-locked host memory for the transfers of each evaluation or step.
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

/// An owned non-blocking stream, destroyed with its owner (also when the owner's constructor
/// throws after creating it).
class Stream {
 public:
  Stream() { MLFFB_CUDA(cudaStreamCreateWithFlags(&s_, cudaStreamNonBlocking)); }
  ~Stream() {
    if (s_) cudaStreamDestroy(s_);
  }
  Stream(const Stream&) = delete;
  Stream& operator=(const Stream&) = delete;
  cudaStream_t get() const { return s_; }

 private:
  cudaStream_t s_ = nullptr;
};

/// `count` elements from host to device, ordered on `stream` with the kernels that read them (a
/// plain cudaMemcpy runs on the legacy stream, which a non-blocking stream is not ordered with),
/// and finished before returning, so the host data may go.
template <class T>
void copyToDevice(T* dst, const T* src, size_t count, cudaStream_t stream) {
  if (count == 0) return;
  MLFFB_CUDA(cudaMemcpyAsync(dst, src, count * sizeof(T), cudaMemcpyHostToDevice, stream));
  MLFFB_CUDA(cudaStreamSynchronize(stream));
}

/// `count` elements from device to host after the work queued on `stream`.
template <class T>
void copyToHost(T* dst, const T* src, size_t count, cudaStream_t stream) {
  if (count == 0) return;
  MLFFB_CUDA(cudaMemcpyAsync(dst, src, count * sizeof(T), cudaMemcpyDeviceToHost, stream));
  MLFFB_CUDA(cudaStreamSynchronize(stream));
}

}  // namespace mlffb::gpu
