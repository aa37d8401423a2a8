#include "workloads/ani2x/AniModel.hpp"

#include <bzlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"

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

int pairIndex(int a, int b) {
  if (a > b) std::swap(a, b);
  return a * kSpecies - a * (a - 1) / 2 + (b - a);
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
std::vector<double> readFloat32File(const fs::path& p, size_t count) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error(p.string() + ": cannot open weight file");
  std::vector<float> buf(count);
  in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(count * sizeof(float)));
  if (static_cast<size_t>(in.gcount()) != count * sizeof(float) || in.peek() != EOF)
    throw std::runtime_error(p.string() + ": expected " + std::to_string(count) + " float32 values");
  std::vector<double> out(buf.begin(), buf.end());
  for (double v : out)
    if (!std::isfinite(v)) throw std::runtime_error(p.string() + ": non-finite weight");
  return out;
}

std::string decompressNnf(const fs::path& p) {
  const std::string raw = readFile(p.string());
  const auto eq = raw.find("=\n");
  if (eq == std::string::npos || eq == 0 || eq > 20)
    throw std::runtime_error(p.string() + ": malformed network file (expected '<length>=' header)");
  unsigned int size = 0;
  try {
    size = static_cast<unsigned int>(std::stoul(raw.substr(0, eq)));
  } catch (...) {
    throw std::runtime_error(p.string() + ": malformed network file length '" + raw.substr(0, eq) + "'");
  }
  std::string out(std::max(size, 1024u) * 4, '\0');
  unsigned int outLen = static_cast<unsigned int>(out.size());
  std::string in = raw.substr(eq + 2);
  const int rc = BZ2_bzBuffToBuffDecompress(out.data(), &outLen, in.data(), static_cast<unsigned int>(in.size()), 0, 0);
  if (rc != BZ_OK) throw std::runtime_error(p.string() + ": bzip2 decompression failed (code " + std::to_string(rc) + ")");
  out.resize(outLen);
  return out;
}

Network parseNetwork(const fs::path& nnf, int species) {
  const std::string spec = decompressNnf(nnf);
  static const std::regex layerRe(R"(layer\s*\[([\s\S]*?)\n\s*\])");
  static const std::regex kv(R"((\w+)\s*=\s*([^;]*);)");
  static const std::regex fileRe(R"(FILE:([^\[]+)\[(\d+)\])");
  Network net;
  int prevOut = kAevLength;
  for (auto it = std::sregex_iterator(spec.begin(), spec.end(), layerRe); it != std::sregex_iterator(); ++it) {
    std::map<std::string, std::string> f;
    const std::string body = (*it)[1];
    for (auto k = std::sregex_iterator(body.begin(), body.end(), kv); k != std::sregex_iterator(); ++k) f[(*k)[1]] = (*k)[2];
    for (const char* key : {"nodes", "activation", "blocksize", "weights", "biases"})
      if (!f.count(key)) throw std::runtime_error(nnf.string() + ": layer " + std::to_string(net.size() + 1) + " lacks " + key);
    DenseLayer L;
    L.out = std::stoi(f["nodes"]);
    L.in = std::stoi(f["blocksize"]);
    const int act = std::stoi(f["activation"]);
    if (act != 9 && act != 6)
      throw std::runtime_error(nnf.string() + ": unsupported activation " + std::to_string(act) + " (9 = CELU, 6 = linear)");
    L.celu = act == 9;
    if (L.in != prevOut) throw std::runtime_error(nnf.string() + ": layer input " + std::to_string(L.in) + " does not match " + std::to_string(prevOut));
    std::smatch wm, bm;
    if (!std::regex_search(f["weights"], wm, fileRe) || !std::regex_search(f["biases"], bm, fileRe))
      throw std::runtime_error(nnf.string() + ": weights/biases must name FILE:...[count]");
    if (std::stoul(wm[2]) != static_cast<unsigned long>(L.in) * L.out || std::stoul(bm[2]) != static_cast<unsigned long>(L.out))
      throw std::runtime_error(nnf.string() + ": weight counts do not match the layer shape");
    L.weight = readFloat32File(nnf.parent_path() / std::string(wm[1]), static_cast<size_t>(L.in) * L.out);
    L.bias = readFloat32File(nnf.parent_path() / std::string(bm[1]), L.out);
    prevOut = L.out;
    net.push_back(std::move(L));
  }
  const auto h = hiddenWidths(species);
  if (net.size() != 4 || net[0].out != h[0] || net[1].out != h[1] || net[2].out != h[2] || net[3].out != 1)
    throw std::runtime_error(nnf.string() + ": not the ANI-2x architecture for " + kSpeciesSymbols[species]);
  return net;
}

double parseScalar(const std::string& text, const std::string& key, const std::string& file) {
  const std::regex re(key + R"(\s*=\s*\[?\s*([-+0-9.eE]+))");
  std::smatch m;
  if (!std::regex_search(text, m, re)) throw std::runtime_error(file + ": missing " + key);
  return std::stod(m[1]);
}

template <size_t N>
std::array<double, N> parseList(const std::string& text, const std::string& key, const std::string& file) {
  const std::regex re(key + R"(\s*=\s*\[([^\]]*)\])");
  std::smatch m;
  if (!std::regex_search(text, m, re)) throw std::runtime_error(file + ": missing " + key);
  std::array<double, N> out{};
  std::stringstream ss(m[1]);
  std::string tok;
  size_t n = 0;
  while (std::getline(ss, tok, ',')) {
    if (n >= N) throw std::runtime_error(file + ": " + key + " has more than " + std::to_string(N) + " values");
    out[n++] = std::stod(tok);
  }
  if (n != N) throw std::runtime_error(file + ": " + key + " has " + std::to_string(n) + " values, expected " + std::to_string(N));
  return out;
}
}  // namespace

AniModelData loadNeuroChemModel(const std::string& dirName) {
  const fs::path dir(dirName);
  if (!fs::is_directory(dir)) throw std::runtime_error(dirName + ": weights folder not found");
  AniModelData m;
  m.weightsSource = fs::absolute(dir).lexically_normal().string();
  const fs::path params = dir / "rHCNOSFCl-5.1R_16-3.5A_a8-4.params";
  const std::string pt = readFile(params.string());
  try {
    m.aev.Rcr = parseScalar(pt, "Rcr", params.string());
    m.aev.Rca = parseScalar(pt, "Rca", params.string());
    m.aev.EtaR = parseScalar(pt, "EtaR", params.string());
    m.aev.EtaA = parseScalar(pt, "EtaA", params.string());
    m.aev.Zeta = parseScalar(pt, "Zeta", params.string());
    m.aev.ShfR = parseList<kRadialShifts>(pt, "ShfR", params.string());
    m.aev.ShfA = parseList<kAngularShifts>(pt, "ShfA", params.string());
    m.aev.ShfZ = parseList<kAngleSections>(pt, "ShfZ", params.string());
  } catch (const std::invalid_argument&) {
    throw std::runtime_error(params.string() + ": malformed number");
  }
  const fs::path sae = dir / "sae_linfit.dat";
  std::istringstream ss(readFile(sae.string()));
  std::string line;
  int found = 0;
  while (std::getline(ss, line)) {
    static const std::regex re(R"(^\s*([A-Za-z]+)\s*,\s*(\d+)\s*=\s*([-+0-9.eE]+))");
    std::smatch mm;
    if (!std::regex_search(line, mm, re)) continue;
    const int idx = std::stoi(mm[2]);
    if (idx < 0 || idx >= kSpecies || mm[1] != kSpeciesSymbols[idx])
      throw std::runtime_error(sae.string() + ": unexpected entry '" + line + "'");
    m.selfEnergy[idx] = std::stod(mm[3]);
    ++found;
  }
  if (found != kSpecies) throw std::runtime_error(sae.string() + ": expected 7 self energies, found " + std::to_string(found));
  for (int mem = 0; mem < kMembers; ++mem)
    for (int s = 0; s < kSpecies; ++s) {
      const fs::path nnf = dir / ("train" + std::to_string(mem)) / "networks" / (std::string("ANN-") + kSpeciesSymbols[s] + ".nnf");
      if (!fs::exists(nnf)) throw std::runtime_error(nnf.string() + ": network file not found");
      m.networks[mem][s] = parseNetwork(nnf, s);
    }
  return m;
}

AniModelData loadAniModel(const std::string& weightsDir, std::uint64_t seed, int member) {
  AniModelData d = weightsDir.empty() ? randomAniModel(seed) : loadNeuroChemModel(weightsDir);
  if (member >= kMembers) throw std::invalid_argument("ANI-2x member " + std::to_string(member) + " does not exist (0..7)");
  if (member >= 0) {
    for (int m = 0; m < kMembers; ++m)
      if (m != member) d.networks[m] = d.networks[member];
    d.weightsSource += " member " + std::to_string(member);
  }
  return d;
}

}  // namespace mlffb::ani
