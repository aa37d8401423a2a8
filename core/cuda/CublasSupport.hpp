#pragma once
// cuBLAS beside the CUDA support (CudaSupport.hpp): statuses as exceptions naming the call (an
// allocation failure as DeviceOutOfMemory) and an owned handle bound to a stream.
#include <cublas_v2.h>

#include <string>

#include "core/cuda/CudaSupport.hpp"

namespace mlffb::gpu {

inline void checkBlas(cublasStatus_t s, const char* call) {
  if (s == CUBLAS_STATUS_SUCCESS) return;
  if (s == CUBLAS_STATUS_ALLOC_FAILED) throw DeviceOutOfMemory(std::string("cuBLAS out of memory in ") + call);
  throw std::runtime_error(std::string(call) + ": cuBLAS status " + std::to_string(static_cast<int>(s)));
}
#define MLFFB_CUBLAS(call) ::mlffb::gpu::checkBlas((call), #call)

/// An owned cuBLAS handle whose work goes to `stream`; released with its owner, also when the
/// owner's constructor throws after creating it.
class CublasHandle {
 public:
  explicit CublasHandle(cudaStream_t stream) {
    MLFFB_CUBLAS(cublasCreate(&h_));
    try {
      MLFFB_CUBLAS(cublasSetStream(h_, stream));
    } catch (...) {
      cublasDestroy(h_);
      throw;
    }
  }
  ~CublasHandle() { reset(); }
  CublasHandle(const CublasHandle&) = delete;
  CublasHandle& operator=(const CublasHandle&) = delete;
  void reset() {
    if (h_) cublasDestroy(h_);
    h_ = nullptr;
  }
  cublasHandle_t get() const { return h_; }

 private:
  cublasHandle_t h_ = nullptr;
};

}  // namespace mlffb::gpu
