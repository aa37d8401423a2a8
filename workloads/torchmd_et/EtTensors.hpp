#pragma once
// The Equivariant Transformer's weights as LibTorch tensors in a run's dtype and device, each with
// the name it has as a buffer of the TorchScript export. One conversion that the torch flavour
// (EtTorch.cpp) and the export (EtExport.cpp) both use.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <vector>

#include "workloads/torch/TorchRuntime.hpp"
#include "workloads/torchmd_et/EtModel.hpp"

namespace mlffb::et {

struct EtLinearTensors {
  torch::Tensor w, b;  // (out, in), (out); b undefined: no bias
  torch::Tensor operator()(const torch::Tensor& x) const;
};

struct EtTensors {
  struct Layer {
    torch::Tensor lnW, lnB;
    EtLinearTensors q, k, v, o, vecProj, dk, dv;
  };
  struct Block {
    EtLinearTensors vec1, vec2, update1, update2;
    bool act;
    int64_t out;
  };
  torch::Tensor emb1, emb2, outW, outB, means, betas;
  EtLinearTensors distanceProj, combine;
  std::vector<Layer> layers;
  std::vector<Block> head;

  /// The float64 masters of `w` converted by `rt` (its dtype and device).
  static EtTensors from(const EtWeights& w, const TorchRuntime& rt);
  /// The prefixes of the names of layer `l`'s and head block `b`'s tensors.
  static std::string layerName(size_t l);
  static std::string headName(size_t b);
  /// Every tensor with its buffer name: emb1, emb2, rbf_means, rbf_betas, out_w, out_b, and per
  /// linear map <name>_w, <name>_b (distance_proj, combine, l<l>_{q,k,v,o,vec_proj,dk,dv},
  /// head<b>_{vec1,vec2,update1,update2}), l<l>_ln_w, l<l>_ln_b.
  void forEach(const std::function<void(const std::string& name, const torch::Tensor&)>& f) const;
};

}  // namespace mlffb::et
