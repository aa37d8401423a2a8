#include "workloads/torchmd_et/EtModel.hpp"

#include <cmath>
#include <stdexcept>

#include "systems/CellList.hpp"
#include "systems/Rng.hpp"

namespace mlffb::et {

EtConfig EtConfig::fromPreset(const std::string& name) {
  EtConfig c;
  c.preset = name;
  if (name == "ani1") {
    c.hiddenChannels = 128; c.numLayers = 6; c.numRbf = 32; c.cutoffUpper = 5.0; c.maxNeighbors = 64;
  } else if (name == "md17") {
    c.hiddenChannels = 128; c.numLayers = 6; c.numRbf = 32; c.cutoffUpper = 5.0; c.maxNeighbors = 32;
  } else if (name == "qm9") {
    c.hiddenChannels = 256; c.numLayers = 8; c.numRbf = 64; c.cutoffUpper = 5.0; c.maxNeighbors = 64;
  } else if (name == "spice") {
    c.hiddenChannels = 128; c.numLayers = 5; c.numRbf = 64; c.cutoffUpper = 10.0; c.maxNeighbors = 128;
  } else {
    throw std::invalid_argument("unknown ET preset '" + name + "' (ani1, md17, qm9, spice)");
  }
  return c;
}

EtConfig EtConfig::fromSettings(const std::map<std::string, std::string>& s) {
  auto it = s.find("preset");
  EtConfig c = fromPreset(it == s.end() || it->second.empty() ? "ani1" : it->second);
  auto intOf = [&](const char* key, int& dst) {
    auto f = s.find(key);
    if (f == s.end() || f->second.empty()) return;
    size_t used = 0;
    try {
      dst = std::stoi(f->second, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != f->second.size()) throw std::invalid_argument(std::string("--") + key + ": not an integer: '" + f->second + "'");
  };
  intOf("hidden_channels", c.hiddenChannels);
  intOf("num_layers", c.numLayers);
  intOf("num_rbf", c.numRbf);
  intOf("max_neighbors", c.maxNeighbors);
  intOf("num_heads", c.numHeads);
  if (auto f = s.find("cutoff"); f != s.end() && !f->second.empty()) {
    try {
      c.cutoffUpper = std::stod(f->second);
    } catch (const std::exception&) {
      throw std::invalid_argument("--cutoff: not a number: '" + f->second + "'");
    }
  }
  if (auto f = s.find("vector_cutoff"); f != s.end() && !f->second.empty()) c.vectorCutoff = f->second == "true" || f->second == "1";
  c.validate();
  return c;
}

std::vector<int> etAtomicNumbers(const System& s, const EtConfig& c) {
  std::vector<int> z(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    z[i] = s.atoms[i].element;
    if (z[i] < EtConfig::kMinZ || z[i] >= c.maxZ)
      throw std::invalid_argument("ET: atom " + std::to_string(i + 1) + " has atomic number " + std::to_string(z[i]) + " outside " +
                                  std::to_string(EtConfig::kMinZ) + ".." + std::to_string(c.maxZ - 1));
  }
  return z;
}

void EtConfig::validate() const {
  if (hiddenChannels <= 0 || numLayers <= 0 || numRbf <= 0 || numHeads <= 0 || maxNeighbors <= 0)
    throw std::invalid_argument("ET hyper-parameters must be positive");
  if (hiddenChannels % numHeads != 0)
    throw std::invalid_argument("ET: hidden channels (" + std::to_string(hiddenChannels) + ") must be divisible by the heads (" +
                                std::to_string(numHeads) + ")");
  if (hiddenChannels % 2 != 0) throw std::invalid_argument("ET: hidden channels must be even (the output head halves them)");
  if (!(cutoffUpper > cutoffLower) || cutoffLower < 0) throw std::invalid_argument("ET: need 0 ≤ lower cutoff < cutoff");
}

nlohmann::ordered_json EtConfig::toJson() const {
  return {{"preset", preset},           {"hidden_channels", hiddenChannels}, {"num_layers", numLayers},
          {"num_rbf", numRbf},          {"rbf_type", "expnorm"},             {"trainable_rbf", false},
          {"cutoff_lower", cutoffLower}, {"cutoff_upper", cutoffUpper},      {"max_num_neighbors", maxNeighbors},
          {"num_heads", numHeads},      {"activation", "silu"},              {"attn_activation", "silu"},
          {"neighbor_embedding", true}, {"distance_influence", "both"},      {"vector_cutoff", vectorCutoff},
          {"max_z", maxZ}};
}

namespace {
Linear xavier(Rng& rng, int in, int out, bool bias) {
  Linear l;
  l.in = in;
  l.out = out;
  const double a = std::sqrt(6.0 / (in + out));
  l.w.resize(static_cast<size_t>(in) * out);
  for (auto& x : l.w) x = rng.uniform(-a, a);
  if (bias) {
    l.b.resize(out);
    for (auto& x : l.b) x = rng.uniform(-0.1, 0.1);
  }
  return l;
}
LayerNorm layerNorm(Rng& rng, int h) {
  LayerNorm n;
  n.weight.resize(h);
  n.bias.resize(h);
  for (auto& x : n.weight) x = 1.0 + rng.uniform(-0.1, 0.1);
  for (auto& x : n.bias) x = rng.uniform(-0.1, 0.1);
  return n;
}
}  // namespace

EtWeights randomEtWeights(const EtConfig& c, std::uint64_t seed) {
  c.validate();
  EtWeights w;
  w.config = c;
  w.seed = seed;
  Rng rng(seed);
  const int H = c.hiddenChannels, K = c.numRbf;
  w.embedding.resize(static_cast<size_t>(c.maxZ) * H);
  for (auto& x : w.embedding) x = rng.normal();
  w.neighborEmbedding.resize(static_cast<size_t>(c.maxZ) * H);
  for (auto& x : w.neighborEmbedding) x = rng.normal();
  w.distanceProj = xavier(rng, K, H, true);
  w.combine = xavier(rng, 2 * H, H, true);
  for (int l = 0; l < c.numLayers; ++l) {
    AttentionLayer a;
    a.norm = layerNorm(rng, H);
    a.q = xavier(rng, H, H, true);
    a.k = xavier(rng, H, H, true);
    a.v = xavier(rng, H, 3 * H, true);
    a.o = xavier(rng, H, 3 * H, true);
    a.vecProj = xavier(rng, H, 3 * H, false);
    a.dk = xavier(rng, K, H, true);
    a.dv = xavier(rng, K, 3 * H, true);
    w.layers.push_back(std::move(a));
  }
  w.outNorm = layerNorm(rng, H);
  const int h2 = H / 2;
  w.head[0] = {xavier(rng, H, H, false), xavier(rng, H, h2, false), xavier(rng, 2 * H, H, true), xavier(rng, H, 2 * h2, true), true};
  w.head[1] = {xavier(rng, h2, h2, false), xavier(rng, h2, 1, false), xavier(rng, 2 * h2, h2, true), xavier(rng, h2, 2, true), false};
  // ExpNormalSmearing (TorchMD-Net): means linspace(exp(−(u−l)), 1, K), betas (2/K (1 − exp(−(u−l))))^−2.
  const double start = std::exp(-(c.cutoffUpper - c.cutoffLower));
  w.rbfAlpha = 5.0 / (c.cutoffUpper - c.cutoffLower);
  for (int k = 0; k < K; ++k) {
    w.rbfMeans.push_back(K == 1 ? start : start + (1.0 - start) * k / (K - 1));
    w.rbfBetas.push_back(std::pow(2.0 / K * (1.0 - start), -2.0));
  }
  return w;
}

EdgeList buildEdges(const std::vector<Vec3>& pos, const std::optional<Box>& box, const EtConfig& c) {
  EdgeList e;
  const int n = static_cast<int>(pos.size());
  for (int i = 0; i < n; ++i) {  // self loops (TorchMD-Net's loop=True)
    e.source.push_back(i);
    e.target.push_back(i);
    e.vec.push_back(Vec3{});
    e.dist.push_back(0.0);
  }
  std::vector<int> count(n, 0);
  CellList cells(pos, box, c.cutoffUpper);
  cells.forEachPair([&](int i, int j, const Vec3& d, double r2) {
    const double r = std::sqrt(r2);
    if (r < c.cutoffLower) return;
    ++count[i];
    ++count[j];
    // j → i and i → j
    e.source.push_back(j);
    e.target.push_back(i);
    e.vec.push_back(d);
    e.dist.push_back(r);
    e.source.push_back(i);
    e.target.push_back(j);
    e.vec.push_back(-d);
    e.dist.push_back(r);
  });
  for (int i = 0; i < n; ++i)
    if (count[i] > c.maxNeighbors)
      throw std::invalid_argument("ET: atom " + std::to_string(i + 1) + " has " + std::to_string(count[i]) +
                                  " neighbours within " + std::to_string(c.cutoffUpper).substr(0, 4) +
                                  " Å, more than max_num_neighbors = " + std::to_string(c.maxNeighbors) +
                                  " (raise --max-neighbors)");
  return e;
}

std::map<std::string, double> etStageFlops(const EtConfig& c, long n, long edges, bool withForces) {
  const double H = c.hiddenChannels, K = c.numRbf, L = c.numLayers;
  // Per layer: node projections q,k (2 H²), v,o,vec_proj (3·3 H², vec over 3 axes), edge dk/dv (4 H K)
  // and the messages (≈ 10 H per edge); neighbour embedding: H K per edge + 2 H² per atom.
  const double node = 2 * H * H + 3 * H * H + 3 * H * H + 3 * 3 * H * H;
  const double edge = 4 * H * K + 10 * H;
  const double descriptor = 2.0 * (edges * (H * K + H) + n * 2 * H * H + L * (n * node + edges * edge));
  const double head = 2.0 * n * (3 * H * H + 2 * H * H + 3 * (H / 2) * (H / 2) + H * H / 2 + H);
  std::map<std::string, double> f{{"neighbors", 9.0 * edges / 2}, {"descriptor", descriptor}, {"energy", head}};
  if (withForces) f["forces"] = 2.0 * (descriptor + head);
  return f;
}

}  // namespace mlffb::et
