#pragma once
// What the registry entries of LibTorch flavours declare, without including LibTorch: whether
// this build has it, and the devices it can run on (CUDA only with a LibTorch built with CUDA,
// such as the one inside a PyTorch installation; Debian's libtorch is CPU-only).
#include <stdexcept>

#include "core/Registry.hpp"

namespace mlffb {

Availability torchAvailability();
Capabilities torchCapabilities();

}  // namespace mlffb

/// The body of a LibTorch flavour's creator: the statement with LibTorch, else the reason why not
/// (the entry is unavailable then, so a plan never gets there; createPotential says why).
#ifdef MLFFB_HAVE_TORCH
#define MLFFB_WITH_TORCH_OR_THROW(statement) statement
#else
#define MLFFB_WITH_TORCH_OR_THROW(statement) throw std::invalid_argument(::mlffb::torchAvailability().reason)
#endif
