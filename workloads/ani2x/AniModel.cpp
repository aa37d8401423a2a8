#include "workloads/ani2x/AniModel.hpp"

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "systems/InputFile.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"
#include "workloads/ani2x/AniAevMath.hpp"
#include "workloads/ani2x/NeuroChemReader.hpp"

namespace mlffb::ani {
namespace fs = std::filesystem;

int speciesOf(int z) {
  switch (z) {
    case 1: return 0;
    case 6: return 1;
    case 7: return 2;
    case 8: return 3;
    case 16: return 4;
    case 9: return 5;
    case 17: return 6;
    default: return -1;
  }
}

std::vector<int> speciesOfSystem(const System& s) {
  std::vector<int> out(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = speciesOf(s.atoms[i].element);
    if (out[i] < 0)
      throw std::invalid_argument("ANI-2x does not support element " + std::string(elementInfo(s.atoms[i].element).symbol) +
                                  " (atom " + std::to_string(i + 1) + ", " + s.atoms[i].name + " " +
                                  s.atoms[i].residueName + " " + std::to_string(s.atoms[i].residueNumber) +
                                  "); supported: H, C, N, O, S, F, Cl");
  }
  return out;
}

int pairIndex(int a, int b) { return aev::pairIndexOf(a, b); }

std::vector<int> activeAevColumns(const std::vector<int>& species) {
  bool present[kSpecies] = {};
  for (int sp : species) present[sp] = true;
  std::vector<int> active;
  for (int a = 0; a < kSpecies; ++a)
    if (present[a])
      for (int k = 0; k < kRadialShifts; ++k) active.push_back(a * kRadialShifts + k);
  for (int a = 0; a < kSpecies; ++a)
    for (int b = a; b < kSpecies; ++b)
      if (present[a] && present[b])
        for (int k = 0; k < kAngularSub; ++k) active.push_back(kRadialLength + pairIndex(a, b) * kAngularSub + k);
  return active;
}

AevParameters::AevParameters() {
  for (int k = 0; k < kRadialShifts; ++k) ShfR[k] = 0.8 + 0.26875 * k;
  for (int a = 0; a < kAngularShifts; ++a) ShfA[a] = 0.8 + 0.3375 * a;
  // The file's values (π/8, 3π/8, 5π/8, 7π/8 rounded to 8 digits).
  ShfZ = {0.39269908, 1.1780972, 1.9634954, 2.7488936};
}

std::array<int, 3> hiddenWidths(int species) {
  switch (species) {
    case 0: return {256, 192, 160};
    case 1: return {224, 192, 160};
    case 2:
    case 3: return {192, 160, 128};
    default: return {160, 128, 96};
  }
}

double networkMacsPerAtom(int species) {
  const auto h = hiddenWidths(species);
  return kAevLength * h[0] + h[0] * h[1] + h[1] * h[2] + h[2];
}

namespace {
constexpr std::array<double, kSpecies> kSelfEnergies{-0.5978583943827134, -38.08933878049795, -54.711968298621066,
                                                     -75.19106774742086,  -398.1577125334925, -99.80348506781634,
                                                     -460.1681939421027};
}

AniModelData randomAniModel(std::uint64_t seed) {
  AniModelData m;
  m.selfEnergy = kSelfEnergies;
  m.weightsSource = "random(seed=" + std::to_string(seed) + ")";
  Rng rng(seed);
  for (int mem = 0; mem < kMembers; ++mem)
    for (int s = 0; s < kSpecies; ++s) {
      const auto h = hiddenWidths(s);
      const int widths[5] = {kAevLength, h[0], h[1], h[2], 1};
      Network net;
      for (int l = 0; l < 4; ++l) {
        DenseLayer L;
        L.in = widths[l];
        L.out = widths[l + 1];
        L.celu = l < 3;
        const double bound = 1.0 / std::sqrt(static_cast<double>(L.in));
        L.weight.resize(static_cast<size_t>(L.in) * L.out);
        L.bias.resize(L.out);
        for (auto& w : L.weight) w = rng.uniform(-bound, bound);
        for (auto& b : L.bias) b = rng.uniform(-bound, bound);
        net.push_back(std::move(L));
      }
      m.networks[mem][s] = std::move(net);
    }
  return m;
}

namespace {
Network readNetwork(const fs::path& nnf, int species) {
  Network net;
  for (const LayerSpec& spec : parseNetworkSpec(decompressNnf(readInputFile(nnf.string(), kWeightsInput), nnf.string()), nnf.string(), kAevLength)) {
    DenseLayer L;
    L.in = spec.in;
    L.out = spec.out;
    L.celu = spec.celu;
    const fs::path w = nnf.parent_path() / spec.weightsFile, b = nnf.parent_path() / spec.biasFile;
    if (!fs::exists(w)) throw NeuroChemError(w.string() + ": weight file not found");
    if (!fs::exists(b)) throw NeuroChemError(b.string() + ": weight file not found");
    L.weight = parseFloat32Values(readInputFile(w.string(), kWeightsInput), static_cast<size_t>(L.in) * L.out, w.string());
    L.bias = parseFloat32Values(readInputFile(b.string(), kWeightsInput), static_cast<size_t>(L.out), b.string());
    net.push_back(std::move(L));
  }
  const auto h = hiddenWidths(species);
  if (net.size() != 4 || net[0].out != h[0] || net[1].out != h[1] || net[2].out != h[2] || net[3].out != 1)
    throw NeuroChemError(nnf.string() + ": not the ANI-2x architecture for " + kSpeciesSymbols[species]);
  return net;
}
}  // namespace

AniModelData loadNeuroChemModel(const std::string& dirName) {
  const fs::path dir(dirName);
  if (!fs::is_directory(dir)) throw std::runtime_error(dirName + ": weights folder not found");
  AniModelData m;
  m.weightsSource = fs::absolute(dir).lexically_normal().string();
  const fs::path params = dir / "rHCNOSFCl-5.1R_16-3.5A_a8-4.params";
  m.aev = parseAevParameters(readInputFile(params.string(), kWeightsInput), params.string());
  const fs::path sae = dir / "sae_linfit.dat";
  m.selfEnergy = parseSelfEnergies(readInputFile(sae.string(), kWeightsInput), sae.string());
  for (int mem = 0; mem < kMembers; ++mem)
    for (int s = 0; s < kSpecies; ++s) {
      const fs::path nnf = dir / ("train" + std::to_string(mem)) / "networks" / (std::string("ANN-") + kSpeciesSymbols[s] + ".nnf");
      if (!fs::exists(nnf)) throw std::runtime_error(nnf.string() + ": network file not found");
      m.networks[mem][s] = readNetwork(nnf, s);
    }
  return m;
}

AniModelData loadAniModel(const std::string& weightsDir, std::uint64_t seed, int member) {
  AniModelData d = weightsDir.empty() || weightsDir == "random" ? randomAniModel(seed) : loadNeuroChemModel(weightsDir);
  if (member >= kMembers) throw std::invalid_argument("ANI-2x member " + std::to_string(member) + " does not exist (0..7)");
  if (member >= 0) {
    for (int m = 0; m < kMembers; ++m)
      if (m != member) d.networks[m] = d.networks[member];
    d.weightsSource += " member " + std::to_string(member);
  }
  return d;
}

}  // namespace mlffb::ani
