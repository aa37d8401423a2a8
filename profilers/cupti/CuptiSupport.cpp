#include "profilers/cupti/CuptiSupport.hpp"

#include <cstdlib>

#ifdef MLFFB_HAVE_CUPTI
#include <cuda_runtime_api.h>
#endif

namespace mlffb::profilers::cupti {

Availability inProcessCuptiAvailability() {
#ifndef MLFFB_HAVE_CUPTI
  return {false, "built without CUPTI (no CUDA toolkit)"};
#else
  if (const char* tool = std::getenv(kUnderNsightEnv))
    return {false, std::string("running under ") + tool + ": only one CUPTI subscriber per process, so in-process CUPTI is off"};
  if (std::getenv("CUDA_INJECTION64_PATH"))
    return {false, "a CUDA profiling tool is injected into this process (CUDA_INJECTION64_PATH is set): only one CUPTI subscriber per process"};
  int n = 0;
  const cudaError_t e = cudaGetDeviceCount(&n);
  if (e != cudaSuccess) {
    (void)cudaGetLastError();
    return {false, std::string("no CUDA device: ") + cudaGetErrorString(e)};
  }
  if (n == 0) return {false, "no CUDA device"};
  return Availability::yes();
#endif
}

}  // namespace mlffb::profilers::cupti
