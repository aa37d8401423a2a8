// ANI-2x's model data as LibTorch tensors (see AniTensors.hpp).
#include "workloads/ani2x/AniTensors.hpp"

namespace mlffb::ani {

namespace {
template <size_t N>
torch::Tensor fromArray(const TorchRuntime& rt, const std::array<double, N>& a, std::vector<int64_t> shape) {
  return rt.fromDoubles(std::vector<double>(a.begin(), a.end()), std::move(shape));
}
}  // namespace

AniTensors AniTensors::from(const AniModelData& data, const TorchRuntime& rt) {
  AniTensors t;
  const AevParameters& p = data.aev;
  t.ShfR = fromArray(rt, p.ShfR, {kRadialShifts});
  t.ShfA = fromArray(rt, p.ShfA, {kAngularShifts, 1});
  t.ShfZ = fromArray(rt, p.ShfZ, {1, kAngleSections});
  t.selfEnergy = fromArray(rt, data.selfEnergy, {kSpecies});
  std::vector<int64_t> triu(kSpecies * kSpecies), zmap(kLargestAtomicNumber + 1);
  for (int a = 0; a < kSpecies; ++a)
    for (int b = 0; b < kSpecies; ++b) triu[a * kSpecies + b] = pairIndex(a, b);
  for (int z = 0; z <= kLargestAtomicNumber; ++z) zmap[z] = speciesOf(z);
  t.triuIndex = rt.fromIndices(triu).view({kSpecies, kSpecies});
  t.speciesOfZ = rt.fromIndices(zmap);
  for (int m = 0; m < kMembers; ++m)
    for (int s = 0; s < kSpecies; ++s)
      for (const DenseLayer& L : data.networks[m][s])
        t.nets[m][s].push_back({rt.fromDoubles(L.weight, {L.out, L.in}), rt.fromDoubles(L.bias, {L.out}), L.celu});
  return t;
}

}  // namespace mlffb::ani
