#pragma once
// TorchMD-Net Equivariant Transformer: hyper-parameters (presets), weights (float64 masters,
// deterministic random initialisation) and the edge list every flavour uses. Facts:
// ../shared/reference/torchmd-et.md and TorchMD-Net's torchmd_et.py / output_modules.py.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "systems/Box.hpp"
#include "systems/System.hpp"
#include "systems/Vec3.hpp"

namespace mlffb::et {

/// The epsilon of every LayerNorm (PyTorch's default).
inline constexpr double kLayerNormEps = 1e-5;

struct EtConfig {
  /// The smallest atomic number the embeddings take (row 0 is no element); the largest is maxZ − 1.
  static constexpr int kMinZ = 1;

  std::string preset = "ani1";
  int hiddenChannels = 128;
  int numLayers = 6;
  int numRbf = 32;
  double cutoffLower = 0.0;
  double cutoffUpper = 5.0;  // Å
  int maxNeighbors = 64;
  int numHeads = 8;
  bool vectorCutoff = true;
  int maxZ = 100;

  /// A named preset (ani1, md17, qm9, spice); throws naming the known ones.
  static EtConfig fromPreset(const std::string& name);
  /// Preset from settings["preset"], then each hyper-parameter overridable by name
  /// (hidden_channels, num_layers, num_rbf, cutoff, max_neighbors, num_heads, vector_cutoff).
  static EtConfig fromSettings(const std::map<std::string, std::string>& settings);
  void validate() const;
  nlohmann::ordered_json toJson() const;
};

/// The atomic numbers of a system's atoms; throws std::invalid_argument naming the first atom
/// outside kMinZ .. maxZ − 1.
std::vector<int> etAtomicNumbers(const System& s, const EtConfig& config);

struct Linear {
  int in = 0, out = 0;
  std::vector<double> w;  // out × in, row-major
  std::vector<double> b;  // out (empty: no bias)
};

struct LayerNorm {
  std::vector<double> weight, bias;
};

struct AttentionLayer {
  LayerNorm norm;
  Linear q, k, v, o, vecProj, dk, dv;
};

struct GatedBlock {
  Linear vec1, vec2, update1, update2;
  bool scalarActivation;
};

struct EtWeights {
  EtConfig config;
  std::vector<double> embedding;          // maxZ × H
  std::vector<double> neighborEmbedding;  // maxZ × H
  Linear distanceProj, combine;
  std::vector<AttentionLayer> layers;
  LayerNorm outNorm;
  GatedBlock head[2];
  std::vector<double> rbfMeans, rbfBetas;  // K each (not trained: ani1-style presets)
  double rbfAlpha = 0;
  std::uint64_t seed = 0;
};

/// TorchMD-Net's initialisation (xavier-uniform weights, N(0,1) embeddings), except that biases and
/// LayerNorm parameters are drawn small (±0.1 around their usual 0 / 1) so every term of the
/// network is exercised by the tests.
EtWeights randomEtWeights(const EtConfig& config, std::uint64_t seed);

/// Directed edges j → i within [cutoffLower, cutoffUpper) (both directions), self loops first
/// (one per atom, r = 0), minimum image when periodic. Throws std::invalid_argument naming the
/// atom and its count when an atom has more than `maxNeighbors` neighbours.
struct EdgeList {
  std::vector<int> source, target;  // j, i
  std::vector<Vec3> vec;            // r_j − r_i
  std::vector<double> dist;
};
EdgeList buildEdges(const std::vector<Vec3>& positions, const std::optional<Box>& box, const EtConfig& config);

/// Multiply-adds of one forward pass for N atoms and E directed edges (self loops included).
std::map<std::string, double> etStageFlops(const EtConfig& c, long atoms, long edges, bool withForces);

}  // namespace mlffb::et
