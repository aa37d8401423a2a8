#include "workloads/ani2x/NeuroChemReader.hpp"

#include <bzlib.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

namespace mlffb::ani {
namespace {

constexpr size_t kMaxSpecBytes = 64u << 20;
constexpr long kMaxWidth = 100000;

/// A finite number, or a NeuroChemError naming the file and what.
double number(const std::string& text, const std::string& file, const std::string& what) {
  size_t used = 0;
  double v = 0;
  try {
    v = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  while (used < text.size() && std::isspace(static_cast<unsigned char>(text[used]))) ++used;
  if (used == 0 || used != text.size() || !std::isfinite(v))
    throw NeuroChemError(file + ": malformed " + what + " '" + text.substr(0, 40) + "'");
  return v;
}

long integer(const std::string& text, const std::string& file, const std::string& what, long lo, long hi) {
  size_t used = 0;
  long v = 0;
  try {
    v = std::stol(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  while (used < text.size() && std::isspace(static_cast<unsigned char>(text[used]))) ++used;
  if (used == 0 || used != text.size() || v < lo || v > hi)
    throw NeuroChemError(file + ": " + what + " '" + text.substr(0, 40) + "' is not an integer from " + std::to_string(lo) + " to " +
                         std::to_string(hi));
  return v;
}

double scalar(const std::string& text, const std::string& key, const std::string& file) {
  const std::regex re(key + R"(\s*=\s*\[?\s*([-+0-9.eE]+))");
  std::smatch m;
  if (!std::regex_search(text, m, re)) throw NeuroChemError(file + ": missing " + key);
  return number(m[1], file, key);
}

template <size_t N>
std::array<double, N> list(const std::string& text, const std::string& key, const std::string& file) {
  const std::regex re(key + R"(\s*=\s*\[([^\]]*)\])");
  std::smatch m;
  if (!std::regex_search(text, m, re)) throw NeuroChemError(file + ": missing " + key);
  std::array<double, N> out{};
  std::stringstream ss(m[1]);
  std::string tok;
  size_t n = 0;
  while (std::getline(ss, tok, ',')) {
    if (n >= N) throw NeuroChemError(file + ": " + key + " has more than " + std::to_string(N) + " values");
    out[n++] = number(tok, file, key);
  }
  if (n != N) throw NeuroChemError(file + ": " + key + " has " + std::to_string(n) + " values, expected " + std::to_string(N));
  return out;
}

}  // namespace

AevParameters parseAevParameters(const std::string& text, const std::string& file) {
  AevParameters p;
  p.Rcr = scalar(text, "Rcr", file);
  p.Rca = scalar(text, "Rca", file);
  p.EtaR = scalar(text, "EtaR", file);
  p.EtaA = scalar(text, "EtaA", file);
  p.Zeta = scalar(text, "Zeta", file);
  p.ShfR = list<kRadialShifts>(text, "ShfR", file);
  p.ShfA = list<kAngularShifts>(text, "ShfA", file);
  p.ShfZ = list<kAngleSections>(text, "ShfZ", file);
  if (!(p.Rcr > 0 && p.Rca > 0 && p.Rca <= p.Rcr)) throw NeuroChemError(file + ": cutoffs must satisfy 0 < Rca ≤ Rcr");
  return p;
}

std::array<double, kSpecies> parseSelfEnergies(const std::string& text, const std::string& file) {
  std::array<double, kSpecies> e{};
  std::array<bool, kSpecies> seen{};
  std::istringstream ss(text);
  std::string line;
  static const std::regex re(R"(^\s*([A-Za-z]+)\s*,\s*(\d+)\s*=\s*([-+0-9.eE]+))");
  while (std::getline(ss, line)) {
    std::smatch mm;
    if (!std::regex_search(line, mm, re)) continue;
    const long idx = integer(mm[2], file, "species index", 0, kSpecies - 1);
    if (mm[1] != kSpeciesSymbols[idx] || seen[idx]) throw NeuroChemError(file + ": unexpected entry '" + line.substr(0, 60) + "'");
    e[idx] = number(mm[3], file, "self energy");
    seen[idx] = true;
  }
  for (int s = 0; s < kSpecies; ++s)
    if (!seen[s]) throw NeuroChemError(file + ": no self energy for " + kSpeciesSymbols[s]);
  return e;
}

std::string decompressNnf(const std::string& raw, const std::string& file) {
  const auto eq = raw.find("=\n");
  if (eq == std::string::npos || eq == 0 || eq > 20)
    throw NeuroChemError(file + ": malformed network file (expected a '<length>=' header)");
  const long size = integer(raw.substr(0, eq), file, "network file length", 1, static_cast<long>(kMaxSpecBytes));
  // The header is the compressed length; the spec is text a few times larger. Grow to the cap.
  std::string out;
  for (size_t cap = std::max<size_t>(static_cast<size_t>(size) * 8, 4096);; cap *= 4) {
    cap = std::min(cap, kMaxSpecBytes);
    out.assign(cap, '\0');
    unsigned int outLen = static_cast<unsigned int>(out.size());
    std::string in = raw.substr(eq + 2);
    const int rc = BZ2_bzBuffToBuffDecompress(out.data(), &outLen, in.data(), static_cast<unsigned int>(in.size()), 0, 0);
    if (rc == BZ_OK) {
      out.resize(outLen);
      return out;
    }
    if (rc != BZ_OUTBUFF_FULL || cap == kMaxSpecBytes)
      throw NeuroChemError(file + ": bzip2 decompression failed (code " + std::to_string(rc) + ")");
  }
}

std::vector<LayerSpec> parseNetworkSpec(const std::string& spec, const std::string& file, int inputWidth) {
  static const std::regex layerRe(R"(layer\s*\[([\s\S]*?)\n\s*\])");
  static const std::regex kv(R"((\w+)\s*=\s*([^;]*);)");
  static const std::regex fileRe(R"(FILE:([^\[]+)\[(\d+)\])");
  std::vector<LayerSpec> layers;
  long prevOut = inputWidth;
  for (auto it = std::sregex_iterator(spec.begin(), spec.end(), layerRe); it != std::sregex_iterator(); ++it) {
    const std::string at = file + ": layer " + std::to_string(layers.size() + 1);
    std::map<std::string, std::string> f;
    const std::string body = (*it)[1];
    for (auto k = std::sregex_iterator(body.begin(), body.end(), kv); k != std::sregex_iterator(); ++k) f[(*k)[1]] = (*k)[2];
    for (const char* key : {"nodes", "activation", "blocksize", "weights", "biases"})
      if (!f.count(key)) throw NeuroChemError(at + " lacks " + key);
    LayerSpec L;
    L.out = static_cast<int>(integer(f["nodes"], file, "nodes", 1, kMaxWidth));
    L.in = static_cast<int>(integer(f["blocksize"], file, "blocksize", 1, kMaxWidth));
    const long act = integer(f["activation"], file, "activation", 0, 1000);
    if (act != 9 && act != 6) throw NeuroChemError(at + ": unsupported activation " + std::to_string(act) + " (9 = CELU, 6 = linear)");
    L.celu = act == 9;
    if (L.in != prevOut) throw NeuroChemError(at + ": input " + std::to_string(L.in) + " does not match " + std::to_string(prevOut));
    std::smatch wm, bm;
    if (!std::regex_search(f["weights"], wm, fileRe) || !std::regex_search(f["biases"], bm, fileRe))
      throw NeuroChemError(at + ": weights/biases must name FILE:...[count]");
    const long wc = integer(wm[2], file, "weight count", 0, std::numeric_limits<long>::max());
    const long bc = integer(bm[2], file, "bias count", 0, std::numeric_limits<long>::max());
    if (wc != static_cast<long>(L.in) * L.out || bc != L.out) throw NeuroChemError(at + ": weight counts do not match the layer shape");
    L.weightsFile = wm[1];
    L.biasFile = bm[1];
    if (L.weightsFile.find("..") != std::string::npos || L.biasFile.find("..") != std::string::npos || L.weightsFile.front() == '/' ||
        L.biasFile.front() == '/')
      throw NeuroChemError(at + ": weight files must lie beside the network file");
    prevOut = L.out;
    layers.push_back(std::move(L));
  }
  if (layers.empty()) throw NeuroChemError(file + ": no layer [ … ] blocks");
  return layers;
}

std::vector<double> parseFloat32Values(const std::string& bytes, size_t count, const std::string& file) {
  if (bytes.size() != count * sizeof(float))
    throw NeuroChemError(file + ": expected " + std::to_string(count) + " float32 values (" + std::to_string(count * sizeof(float)) +
                         " bytes), found " + std::to_string(bytes.size()) + " bytes");
  std::vector<double> out(count);
  for (size_t i = 0; i < count; ++i) {
    float v;
    std::memcpy(&v, bytes.data() + i * sizeof(float), sizeof(float));
    if (!std::isfinite(v)) throw NeuroChemError(file + ": non-finite weight at value " + std::to_string(i));
    out[i] = v;
  }
  return out;
}

}  // namespace mlffb::ani
