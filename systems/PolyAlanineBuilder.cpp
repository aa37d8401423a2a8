#include "systems/PolyAlanineBuilder.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <unordered_map>

#include "systems/PeptideTermini.hpp"
#include "systems/Rng.hpp"
#include "systems/Topology.hpp"

namespace mlffb {
namespace {

// Engh & Huber (1991) peptide geometry; X–H from neutron-diffraction averages.
constexpr double kNCA = 1.458, kCAC = 1.525, kCN = 1.329, kCO = 1.231, kCACB = 1.530;
constexpr double kNH = 1.01, kCH = 1.09, kCOXT = 1.25;
constexpr double kAngNCAC = 111.2, kAngCACN = 116.2, kAngCNCA = 121.7, kAngCACO = 120.1;
constexpr double kAngCACOXT = 117.0, kTetra = 109.5;
constexpr double kOmega = 180.0;
constexpr double kHelixPhi = -57.0, kHelixPsi = -47.0;
constexpr double kExtendedPhi = -135.0, kExtendedPsi = 135.0;

// Clash limits used while growing (slightly above the guaranteed 2.5 / 1.5 Å).
constexpr double kGrowHeavy = 2.6, kGrowAny = 1.6;

constexpr int kSlots = 10;  // N H CA HA CB HB1 HB2 HB3 C O
constexpr std::array<const char*, kSlots> kSlotNames{"N", "H", "CA", "HA", "CB", "HB1", "HB2", "HB3", "C", "O"};
constexpr std::array<bool, kSlots> kSlotHeavy{true, false, true, false, true, false, false, false, true, true};

std::array<Vec3, kSlots> slots(const PolyAlanineBuilder::Residue& r) {
  return {r.N, r.H, r.CA, r.HA, r.CB, r.HB[0], r.HB[1], r.HB[2], r.C, r.O};
}

/// Amide hydrogen: in the C–N–CA plane, bisecting the exterior angle.
Vec3 amideH(const Vec3& prevC, const Vec3& n, const Vec3& ca) {
  return n + normalized(-(normalized(prevC - n) + normalized(ca - n))) * kNH;
}

PolyAlanineBuilder::Residue completeResidue(const Vec3& prevC, const Vec3& n, const Vec3& ca, const Vec3& c,
                                            double psi) {
  PolyAlanineBuilder::Residue r;
  r.N = n;
  r.CA = ca;
  r.C = c;
  r.H = amideH(prevC, n, ca);
  // Tetrahedral CA: CB and HA on either side of the N–CA–C plane; CB on the side that makes
  // ((N−CA)×(C−CA))·(CB−CA) > 0, which is L-chirality.
  const Vec3 u1 = normalized(n - ca), u2 = normalized(c - ca);
  const Vec3 b = normalized(-(u1 + u2));
  const Vec3 nn = normalized(cross(u1, u2));
  const double t = deg2rad(109.4712206 / 2.0);
  r.CB = ca + (b * std::cos(t) + nn * std::sin(t)) * kCACB;
  r.HA = ca + (b * std::cos(t) - nn * std::sin(t)) * kCH;
  for (int k = 0; k < 3; ++k) r.HB[k] = placeAtom(n, ca, r.CB, kCH, kTetra, 60.0 + 120.0 * k);
  r.O = placeAtom(n, ca, c, kCO, kAngCACO, psi + 180.0);
  return r;
}

/// The residue that follows `prev` (whose psi is `prevPsi`), with dihedrals phi/psi.
PolyAlanineBuilder::Residue nextResidue(const PolyAlanineBuilder::Residue& prev, double prevPsi, double phi,
                                        double psi) {
  const Vec3 n = placeAtom(prev.N, prev.CA, prev.C, kCN, kAngCACN, prevPsi);
  const Vec3 ca = placeAtom(prev.CA, prev.C, n, kNCA, kAngCNCA, kOmega);
  const Vec3 c = placeAtom(prev.C, n, ca, kCAC, kAngNCAC, phi);
  return completeResidue(prev.C, n, ca, c, psi);
}

// Topological exclusions (≤ 3 bonds) between slots of the same residue (dr = 0) and of
// consecutive residues (dr = 1, first index in the earlier residue).
struct Exclusions {
  bool same[kSlots][kSlots]{};
  bool next[kSlots][kSlots]{};
  Exclusions() {
    std::vector<std::pair<int, int>> bonds;
    for (int r = 0; r < 2; ++r) {
      const int o = r * kSlots;
      for (auto [a, b] : {std::pair{0, 1}, {0, 2}, {2, 3}, {2, 4}, {4, 5}, {4, 6}, {4, 7}, {2, 8}, {8, 9}})
        bonds.emplace_back(o + a, o + b);
    }
    bonds.emplace_back(8, kSlots + 0);  // C(i)–N(i+1)
    const auto within = atomsWithinBonds(2 * kSlots, bonds, 3);
    for (int a = 0; a < 2 * kSlots; ++a)
      for (int b : within[a]) {
        if (a < kSlots && b < kSlots) same[a][b] = true;
        if (a < kSlots && b >= kSlots) next[a][b - kSlots] = true;
      }
  }
};

/// Spatial hash of placed chain atoms (id = residue * kSlots + slot) for clash checks while growing.
class ChainGrid {
 public:
  explicit ChainGrid(double cell) : cell_(cell) {}
  void insert(int id, const Vec3& p) {
    if (static_cast<size_t>(id) >= pos_.size()) pos_.resize(static_cast<size_t>(id) + 1);
    pos_[id] = p;
    cells_[key(p)].push_back(id);
  }
  void erase(int id) {
    auto& v = cells_[key(pos_[id])];
    v.erase(std::find(v.begin(), v.end(), id));
  }
  /// True if the atom (id, p) clashes with any placed atom.
  bool clashes(int id, const Vec3& p, const Exclusions& ex) const {
    const int ri = id / kSlots, si = id % kSlots;
    const long cx = cellCoord(p.x), cy = cellCoord(p.y), cz = cellCoord(p.z);
    for (long dx = -1; dx <= 1; ++dx)
      for (long dy = -1; dy <= 1; ++dy)
        for (long dz = -1; dz <= 1; ++dz) {
          auto it = cells_.find(pack(cx + dx, cy + dy, cz + dz));
          if (it == cells_.end()) continue;
          for (int j : it->second) {
            if (j == id) continue;
            const int rj = j / kSlots, sj = j % kSlots;
            if (ri == rj && ex.same[si][sj]) continue;
            if (rj == ri - 1 && ex.next[sj][si]) continue;
            if (rj == ri + 1 && ex.next[si][sj]) continue;
            const double r2 = norm2(pos_[j] - p);
            const double lim = (kSlotHeavy[si] && kSlotHeavy[sj]) ? kGrowHeavy : kGrowAny;
            if (r2 < lim * lim) return true;
          }
        }
    return false;
  }

 private:
  long cellCoord(double v) const { return static_cast<long>(std::floor(v / cell_)); }
  static long long pack(long x, long y, long z) {
    return ((static_cast<long long>(x) + (1 << 20)) << 42) | ((static_cast<long long>(y) + (1 << 20)) << 21) |
           (static_cast<long long>(z) + (1 << 20));
  }
  long long key(const Vec3& p) const { return pack(cellCoord(p.x), cellCoord(p.y), cellCoord(p.z)); }
  double cell_;
  std::vector<Vec3> pos_;
  std::unordered_map<long long, std::vector<int>> cells_;
};

const Exclusions& exclusions() {
  static const Exclusions ex;
  return ex;
}

// Loop (phi, psi) basins sampled between helices: beta, PPII, alpha-R, alpha-L, bridge.
struct Basin {
  double phi, psi, weight;
};
constexpr std::array<Basin, 5> kLoopBasins{{{-120, 130, 0.30}, {-65, 145, 0.30}, {-63, -42, 0.15},
                                            {57, 47, 0.10}, {-90, 0, 0.15}}};

std::pair<double, double> sampleLoop(Rng& rng) {
  double u = rng.uniform(), acc = 0;
  for (const auto& b : kLoopBasins) {
    acc += b.weight;
    if (u < acc || &b == &kLoopBasins.back()) return {b.phi + 10.0 * rng.normal(), b.psi + 10.0 * rng.normal()};
  }
  return {kLoopBasins[0].phi, kLoopBasins[0].psi};
}

bool containsName(const std::string& a, const std::string& b, const char* x, const char* y) {
  return (a == x && b == y) || (a == y && b == x);
}
bool isH(const std::string& n) { return !n.empty() && n[0] == 'H'; }
bool isMethylC(const std::string& n) { return n == "CB" || n == "CH3"; }
bool isAlphaC(const std::string& n) { return n == "CA" || n == "CH3"; }

}  // namespace

Conformation parseConformation(const std::string& s) {
  if (s == "folded") return Conformation::Folded;
  if (s == "helix") return Conformation::Helix;
  if (s == "extended") return Conformation::Extended;
  throw std::invalid_argument("unknown conformation '" + s + "' (folded, helix, extended)");
}
Termini parseTermini(const std::string& s) {
  if (s == "charged") return Termini::Charged;
  if (s == "capped") return Termini::Capped;
  throw std::invalid_argument("unknown termini '" + s + "' (charged, capped)");
}
std::string toString(Conformation c) {
  return c == Conformation::Folded ? "folded" : (c == Conformation::Helix ? "helix" : "extended");
}
std::string toString(Termini t) { return t == Termini::Charged ? "charged" : "capped"; }

double PeptideGeometry::bondLength(const std::string& a, const std::string& b) {
  if (isH(a) || isH(b)) {
    const std::string& heavy = isH(a) ? b : a;
    if (isH(heavy)) return std::numeric_limits<double>::quiet_NaN();
    return heavy == "N" ? kNH : kCH;
  }
  if (containsName(a, b, "N", "CA") || containsName(a, b, "N", "CH3")) return kNCA;
  if (containsName(a, b, "CA", "C") || containsName(a, b, "CH3", "C")) return kCAC;
  if (containsName(a, b, "C", "N")) return kCN;
  if (containsName(a, b, "C", "O")) return kCO;
  if (containsName(a, b, "C", "OXT")) return kCOXT;
  if (containsName(a, b, "CA", "CB")) return kCACB;
  return std::numeric_limits<double>::quiet_NaN();
}

double PeptideGeometry::angle(const std::string& o1, const std::string& c, const std::string& o2) {
  if (c == "CA") return containsName(o1, o2, "N", "C") ? kAngNCAC : kTetra;
  if (isMethylC(c)) return kTetra;
  if (c == "C") {
    if ((isAlphaC(o1) && o2 == "N") || (isAlphaC(o2) && o1 == "N")) return kAngCACN;
    if ((isAlphaC(o1) && o2 == "O") || (isAlphaC(o2) && o1 == "O")) return kAngCACO;
    if (containsName(o1, o2, "O", "N")) return 360.0 - kAngCACN - kAngCACO;
    if (containsName(o1, o2, "CA", "OXT")) return kAngCACOXT;
    if (containsName(o1, o2, "O", "OXT")) return 360.0 - kAngCACO - kAngCACOXT;
  }
  if (c == "N") {
    auto terminalH = [](const std::string& n) { return n == "H1" || n == "H2" || n == "H3"; };
    if (terminalH(o1) || terminalH(o2)) return kTetra;  // NH3+
    if ((o1 == "C" && isAlphaC(o2)) || (o2 == "C" && isAlphaC(o1))) return kAngCNCA;
    if (o1 == "H" || o2 == "H") return (360.0 - kAngCNCA) / 2.0;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

PolyAlanineBuilder::PolyAlanineBuilder(PolyAlanineOptions options) : opt_(options) {
  if (opt_.chainResidues < 1) throw std::invalid_argument("poly-alanine chain needs at least one residue");
  switch (opt_.conformation) {
    case Conformation::Helix: buildRegular(kHelixPhi, kHelixPsi); break;
    case Conformation::Extended: buildRegular(kExtendedPhi, kExtendedPsi); break;
    case Conformation::Folded: growFolded(); break;
  }
}

namespace {
PolyAlanineBuilder::Residue firstResidue(double phi, double psi, Vec3* virtualPrevC) {
  const Vec3 n{0, 0, 0}, ca{kNCA, 0, 0};
  const double a = deg2rad(180.0 - kAngNCAC);
  const Vec3 c = ca + Vec3{std::cos(a), std::sin(a), 0} * kCAC;
  // The carbonyl C a residue 0 would have, at dihedral C0–N–CA–C = phi.
  *virtualPrevC = placeAtom(c, ca, n, kCN, kAngCNCA, phi);
  return completeResidue(*virtualPrevC, n, ca, c, psi);
}
}  // namespace

void PolyAlanineBuilder::buildRegular(double phi, double psi) {
  const int n = opt_.chainResidues;
  phi_.assign(n, phi);
  psi_.assign(n, psi);
  res_.clear();
  res_.push_back(firstResidue(phi, psi, &virtualPrevC_));
  for (int i = 1; i < n; ++i) res_.push_back(nextResidue(res_.back(), psi_[i - 1], phi_[i], psi_[i]));
}

void PolyAlanineBuilder::growFolded() {
  // Greedy compact growth: helical segments (10–18 residues) joined by loops (2–4 residues) whose
  // dihedrals are drawn from the allowed basins. For each segment, kCandidates random variants
  // are built; the clash-free one whose CA atoms lie closest to the centroid of the chain so far
  // is kept, so the chain wraps into a globule. Dead ends back-track one segment.
  constexpr int kCandidates = 24;
  const int total = opt_.chainResidues;
  const Exclusions& ex = exclusions();
  Rng rng(opt_.seed);
  ChainGrid grid(kGrowHeavy);
  phi_.clear();
  psi_.clear();
  res_.clear();
  std::vector<int> segmentStarts;

  auto insertResidue = [&](int index, const Residue& r) {
    auto s = slots(r);
    for (int k = 0; k < kSlots; ++k) grid.insert(index * kSlots + k, s[k]);
  };
  auto eraseResidue = [&](int index) {
    for (int k = 0; k < kSlots; ++k) grid.erase(index * kSlots + k);
  };

  // First helix: its first residue fixes the frame.
  {
    const int len = std::min(total, rng.uniformInt(10, 18));
    phi_.assign(len, kHelixPhi);
    psi_.assign(len, kHelixPsi);
    res_.push_back(firstResidue(kHelixPhi, kHelixPsi, &virtualPrevC_));
    for (int i = 1; i < len; ++i) res_.push_back(nextResidue(res_.back(), psi_[i - 1], phi_[i], psi_[i]));
    for (int i = 0; i < len; ++i) insertResidue(i, res_[i]);
    segmentStarts.push_back(0);
  }

  long attempts = 0;
  const long maxAttempts = 200L * total;
  while (static_cast<int>(res_.size()) < total) {
    Vec3 centroid;
    for (const auto& r : res_) centroid += r.CA;
    centroid = centroid / static_cast<double>(res_.size());

    const int start = static_cast<int>(res_.size());
    double bestScore = std::numeric_limits<double>::infinity();
    std::vector<double> bestPhi, bestPsi;
    std::vector<Residue> bestRes;
    for (int cand = 0; cand < kCandidates; ++cand) {
      if (++attempts > maxAttempts)
        throw std::runtime_error("poly-alanine builder: could not grow a clash-free folded chain of " +
                                 std::to_string(total) + " residues from seed " + std::to_string(opt_.seed));
      const int loop = rng.uniformInt(2, 4);
      const int helix = rng.uniformInt(10, 18);
      const int len = std::min(loop + helix, total - start);
      std::vector<double> phis(len), psis(len);
      for (int k = 0; k < len; ++k) {
        if (k < loop) {
          std::tie(phis[k], psis[k]) = sampleLoop(rng);
        } else {
          phis[k] = kHelixPhi;
          psis[k] = kHelixPsi;
        }
      }
      // The last helix residue before the loop keeps its psi (already fixed); build the segment.
      std::vector<Residue> seg;
      bool ok = true;
      double score = 0;
      Residue prev = res_.back();
      double prevPsi = psi_.back();
      for (int k = 0; k < len && ok; ++k) {
        Residue r = nextResidue(prev, prevPsi, phis[k], psis[k]);
        const int index = start + k;
        auto s = slots(r);
        for (int q = 0; q < kSlots && ok; ++q) ok = !grid.clashes(index * kSlots + q, s[q], ex);
        if (ok) {
          insertResidue(index, r);  // visible to the rest of this candidate
          seg.push_back(r);
          score += norm2(r.CA - centroid);
          prev = r;
          prevPsi = psis[k];
        }
      }
      for (int k = 0; k < static_cast<int>(seg.size()); ++k) eraseResidue(start + k);
      if (!ok) continue;
      score /= len;
      if (score < bestScore) {
        bestScore = score;
        bestPhi = phis;
        bestPsi = psis;
        bestRes = seg;
      }
    }
    if (bestRes.empty()) {
      // Dead end: drop the last segment (never the first) and try again.
      if (segmentStarts.size() > 1) {
        const int s0 = segmentStarts.back();
        segmentStarts.pop_back();
        for (int i = static_cast<int>(res_.size()) - 1; i >= s0; --i) eraseResidue(i);
        res_.resize(s0);
        phi_.resize(s0);
        psi_.resize(s0);
      }
      continue;
    }
    segmentStarts.push_back(start);
    for (size_t k = 0; k < bestRes.size(); ++k) {
      res_.push_back(bestRes[k]);
      phi_.push_back(bestPhi[k]);
      psi_.push_back(bestPsi[k]);
      insertResidue(start + static_cast<int>(k), bestRes[k]);
    }
  }
}

System PolyAlanineBuilder::build(int residues) const {
  if (residues < 1 || residues > opt_.chainResidues)
    throw std::invalid_argument("slice size " + std::to_string(residues) + " is outside 1.." +
                                std::to_string(opt_.chainResidues) + " residues of the chain");
  System s;
  s.name = "polyala-" + std::to_string(residues);
  auto bond = [&](int a, int b) { s.bonds.emplace_back(a, b); };
  auto add = [&](int element, const char* name, const char* resName, int resNum, const Vec3& p) {
    s.addAtom(Atom{element, name, resName, resNum, 'A', false}, p);
    return static_cast<int>(s.size()) - 1;
  };
  const bool capped = opt_.termini == Termini::Capped;
  const int offset = capped ? 1 : 0;

  int prevC = -1;
  if (capped) {  // ACE: HH31 CH3 HH32 HH33 C O
    const Residue& r1 = res_[0];
    const Vec3 c = virtualPrevC_;
    const Vec3 o = placeAtom(r1.CA, r1.N, c, kCO, 360.0 - kAngCACN - kAngCACO, 0.0);
    const Vec3 ch3 = placeAtom(r1.CA, r1.N, c, kCAC, kAngCACN, 180.0);
    Vec3 h[3];
    for (int k = 0; k < 3; ++k) h[k] = placeAtom(r1.N, c, ch3, kCH, kTetra, 60.0 + 120.0 * k);
    const int h1 = add(1, "HH31", "ACE", 1, h[0]);
    const int ich3 = add(6, "CH3", "ACE", 1, ch3);
    const int h2 = add(1, "HH32", "ACE", 1, h[1]);
    const int h3 = add(1, "HH33", "ACE", 1, h[2]);
    const int ic = add(6, "C", "ACE", 1, c);
    const int io = add(8, "O", "ACE", 1, o);
    bond(ich3, h1);
    bond(ich3, h2);
    bond(ich3, h3);
    bond(ich3, ic);
    bond(ic, io);
    prevC = ic;
  }
  for (int i = 0; i < residues; ++i) {
    const Residue& r = res_[i];
    const int num = i + 1 + offset;
    const int in = add(7, "N", "ALA", num, r.N);
    if (prevC >= 0) bond(prevC, in);
    if (i == 0 && !capped) {
      for (int k = 0; k < 3; ++k) {
        static const char* names[3] = {"H1", "H2", "H3"};
        bond(in, add(1, names[k], "ALA", num, placeAtom(r.C, r.CA, r.N, kNH, kTetra, 60.0 + 120.0 * k)));
      }
    } else {
      const Vec3 h = (i == 0) ? amideH(virtualPrevC_, r.N, r.CA) : r.H;
      bond(in, add(1, "H", "ALA", num, h));
    }
    const int ica = add(6, "CA", "ALA", num, r.CA);
    const int iha = add(1, "HA", "ALA", num, r.HA);
    const int icb = add(6, "CB", "ALA", num, r.CB);
    const int ihb1 = add(1, "HB1", "ALA", num, r.HB[0]);
    const int ihb2 = add(1, "HB2", "ALA", num, r.HB[1]);
    const int ihb3 = add(1, "HB3", "ALA", num, r.HB[2]);
    const int ic = add(6, "C", "ALA", num, r.C);
    const int io = add(8, "O", "ALA", num, r.O);
    bond(in, ica);
    bond(ica, iha);
    bond(ica, icb);
    bond(icb, ihb1);
    bond(icb, ihb2);
    bond(icb, ihb3);
    bond(ica, ic);
    bond(ic, io);
    prevC = ic;
    if (i == residues - 1) appendCTerminus(s, opt_.termini, ica, ic, io, true);
  }
  for (auto& b : s.bonds) b = {std::min(b.first, b.second), std::max(b.first, b.second)};
  std::sort(s.bonds.begin(), s.bonds.end());
  s.provenance.builder = "polyala";
  s.provenance.seed = opt_.seed;
  s.provenance.parameters = {{"conformation", toString(opt_.conformation)},
                             {"termini", toString(opt_.termini)},
                             {"residues", std::to_string(residues)},
                             {"chain_residues", std::to_string(opt_.chainResidues)}};
  return s;
}

}  // namespace mlffb
