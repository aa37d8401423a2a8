#include "workloads/torch/TorchSupport.hpp"

namespace mlffb {

Availability torchAvailability() {
#ifdef MLFFB_HAVE_TORCH
  return Availability::yes();
#else
  return Availability::no("built without LibTorch (apt-get install libtorch-dev and rebuild)");
#endif
}

Capabilities torchCapabilities() {
  Capabilities c;
  c.devices = {DeviceKind::Cpu};
#ifdef MLFFB_TORCH_CUDA
  c.devices.push_back(DeviceKind::Cuda);
#endif
  return c;
}

}  // namespace mlffb
