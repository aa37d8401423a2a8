#include "systems/Solvator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "core/Units.hpp"
#include "systems/CellList.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"
#include "systems/StructureStats.hpp"

namespace mlffb {
namespace {
constexpr double kAvogadro = 6.02214076e23;
// g/cm³ → molecules per Å³ for water.
double waterNumberDensity(double gPerCm3) { return gPerCm3 / Solvator::kWaterMass * kAvogadro * 1e-24; }

/// Spatial hash over solute atoms for overlap queries.
struct SoluteGrid {
  SoluteGrid(const System& s, double cell) : sys(s), cell(cell) {
    lo = Vec3{1e300, 1e300, 1e300};
    Vec3 hi{-1e300, -1e300, -1e300};
    for (size_t i = 0; i < s.size(); ++i)
      for (int d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], s.positions[i][d]);
        hi[d] = std::max(hi[d], s.positions[i][d]);
      }
    for (int d = 0; d < 3; ++d) n[d] = std::max(1, static_cast<int>((hi[d] - lo[d]) / cell) + 1);
    cells.resize(static_cast<size_t>(n[0]) * n[1] * n[2]);
    for (size_t i = 0; i < s.size(); ++i) cells[index(s.positions[i])].push_back(static_cast<int>(i));
  }
  size_t index(const Vec3& p) const {
    int c[3];
    for (int d = 0; d < 3; ++d) c[d] = std::clamp(static_cast<int>((p[d] - lo[d]) / cell), 0, n[d] - 1);
    return (static_cast<size_t>(c[2]) * n[1] + c[1]) * n[0] + c[0];
  }
  /// Distance-limited check: true if p is closer than heavyLim to a heavy atom or hLim to a hydrogen.
  bool overlaps(const Vec3& p, double heavyLim, double hLim) const {
    int c[3];
    for (int d = 0; d < 3; ++d) c[d] = static_cast<int>(std::floor((p[d] - lo[d]) / cell));
    for (int dz = -1; dz <= 1; ++dz)
      for (int dy = -1; dy <= 1; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          const int x = c[0] + dx, y = c[1] + dy, z = c[2] + dz;
          if (x < 0 || y < 0 || z < 0 || x >= n[0] || y >= n[1] || z >= n[2]) continue;
          for (int i : cells[(static_cast<size_t>(z) * n[1] + y) * n[0] + x]) {
            const double lim = sys.atoms[i].element == 1 ? hLim : heavyLim;
            if (norm2(sys.positions[i] - p) < lim * lim) return true;
          }
        }
    return false;
  }
  const System& sys;
  double cell;
  Vec3 lo;
  int n[3];
  std::vector<std::vector<int>> cells;
};

/// Waters on a lattice slightly denser than `density` filling [0, box], a seeded uniform subset
/// of `target` sites, each water randomly oriented; waters with an atom for which `clashes` is
/// true are left out.
template <class Clash>
void addLatticeWaters(System& out, const Vec3& box, long target, double density, std::uint64_t seed, Clash&& clashes) {
  // Lattice sites: per axis at least box/a sites where a is the spacing of the target density.
  const double rho = waterNumberDensity(density);
  const double a = std::cbrt(1.0 / rho);
  int n[3];
  for (int d = 0; d < 3; ++d) n[d] = static_cast<int>(std::ceil(box[d] / a));
  const long sites = static_cast<long>(n[0]) * n[1] * n[2];
  Rng rng(seed);
  // Seeded partial Fisher–Yates: the first `target` entries are a uniform random subset.
  std::vector<long> order(static_cast<size_t>(sites));
  for (long i = 0; i < sites; ++i) order[static_cast<size_t>(i)] = i;
  const long keep = std::min(target, sites);
  for (long i = 0; i < keep; ++i) {
    const long j = i + static_cast<long>(rng.uniform() * static_cast<double>(sites - i));
    std::swap(order[static_cast<size_t>(i)], order[static_cast<size_t>(j)]);
  }
  std::sort(order.begin(), order.begin() + keep);

  const double half = deg2rad(Solvator::kHOH / 2.0);
  int residue = 0;
  for (long k = 0; k < keep; ++k) {
    const long site = order[static_cast<size_t>(k)];
    const int ix = static_cast<int>(site % n[0]), iy = static_cast<int>((site / n[0]) % n[1]),
              iz = static_cast<int>(site / (static_cast<long>(n[0]) * n[1]));
    const Vec3 o{(ix + 0.5) * box.x / n[0], (iy + 0.5) * box.y / n[1], (iz + 0.5) * box.z / n[2]};
    // Random orientation: bisector u, and v perpendicular to it in the molecular plane.
    const Vec3 u = rng.unitVector();
    Vec3 t = rng.unitVector();
    Vec3 v = cross(u, t);
    while (norm(v) < 1e-6) v = cross(u, rng.unitVector());
    v = normalized(v);
    const Vec3 h1 = o + (u * std::cos(half) + v * std::sin(half)) * Solvator::kOH;
    const Vec3 h2 = o + (u * std::cos(half) - v * std::sin(half)) * Solvator::kOH;
    bool clash = false;
    for (const Vec3& p : {o, h1, h2})
      if (clashes(p)) clash = true;
    if (clash) continue;
    ++residue;
    const int base = static_cast<int>(out.size());
    out.addAtom(Atom{8, "O", "HOH", residue, 'W', true}, o);
    out.addAtom(Atom{1, "H1", "HOH", residue, 'W', true}, h1);
    out.addAtom(Atom{1, "H2", "HOH", residue, 'W', true}, h2);
    out.bonds.emplace_back(base, base + 1);
    out.bonds.emplace_back(base, base + 2);
  }
}
}  // namespace

System Solvator::solvate(const System& solute) const {
  if (!(opt_.paddingAngstrom > 0)) throw std::invalid_argument("solvation padding must be positive");
  if (solute.box) throw std::invalid_argument("solvate: the solute already has a periodic box");
  System out = solute;
  out.bonds = solute.bonds;
  // Centre the solute in the box.
  Vec3 lo{1e300, 1e300, 1e300}, hi{-1e300, -1e300, -1e300};
  for (const auto& p : solute.positions)
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], p[d]);
      hi[d] = std::max(hi[d], p[d]);
    }
  const Vec3 box = (hi - lo) + Vec3{1, 1, 1} * (2.0 * opt_.paddingAngstrom);
  const Vec3 shift = Vec3{1, 1, 1} * opt_.paddingAngstrom - lo;
  for (auto& p : out.positions) p += shift;
  out.box = Box::orthorhombic(box);

  const long target = std::lround(waterNumberDensity(opt_.density) * box.x * box.y * box.z);
  SoluteGrid grid(out, std::max(opt_.clearance, opt_.hydrogenClearance));
  addLatticeWaters(out, box, target, opt_.density, opt_.seed, [&](const Vec3& p) { return grid.overlaps(p, opt_.clearance, opt_.hydrogenClearance); });
  out.name = solute.name + "-solvated";
  out.provenance.parameters.emplace_back("solvent", "TIP3P");
  out.provenance.parameters.emplace_back("padding_nm", std::to_string(opt_.paddingAngstrom * units::kNmPerAngstrom));
  out.provenance.parameters.emplace_back("water_density_g_cm3", std::to_string(opt_.density));
  out.provenance.parameters.emplace_back("solvation_seed", std::to_string(opt_.seed));
  return out;
}

System buildWaterBox(int molecules, std::uint64_t seed, double density) {
  if (molecules < 1) throw std::invalid_argument("water box: at least one molecule (got " + std::to_string(molecules) + ")");
  if (!(density > 0)) throw std::invalid_argument("water box: density must be positive");
  const double edge = std::cbrt(molecules / waterNumberDensity(density));
  System out;
  const Vec3 box{edge, edge, edge};
  out.box = Box::orthorhombic(box);
  addLatticeWaters(out, box, molecules, density, seed, [](const Vec3&) { return false; });
  out.name = "water-" + std::to_string(molecules);
  out.provenance.builder = "water";
  out.provenance.seed = seed;
  out.provenance.parameters.emplace_back("molecules", std::to_string(molecules));
  out.provenance.parameters.emplace_back("water_density_g_cm3", std::to_string(density));
  return out;
}

double bulkWaterDensity(const System& s, double distance) {
  if (!s.box || !s.box->isOrthorhombic()) throw std::invalid_argument("bulk water density needs an orthorhombic periodic box");
  const Vec3 box = s.box->lengths();
  System solute;
  for (size_t i = 0; i < s.size(); ++i)
    if (!s.atoms[i].solvent) solute.addAtom(s.atoms[i], s.positions[i]);
  // Grid points in the bulk (farther than `distance` from the solute) measure the volume.
  const double h = 0.5;
  int n[3];
  for (int d = 0; d < 3; ++d) n[d] = std::max(1, static_cast<int>(box[d] / h));
  std::vector<char> bulk(static_cast<size_t>(n[0]) * n[1] * n[2], 1);
  auto cellOf = [&](const Vec3& p) {
    int c[3];
    for (int d = 0; d < 3; ++d) {
      double f = p[d] / box[d];
      f -= std::floor(f);
      c[d] = std::min(n[d] - 1, static_cast<int>(f * n[d]));
    }
    return (static_cast<size_t>(c[2]) * n[1] + c[1]) * n[0] + c[0];
  };
  const int reach = static_cast<int>(std::ceil(distance / h)) + 1;
  for (const auto& p : solute.positions) {
    int c[3];
    for (int d = 0; d < 3; ++d) c[d] = static_cast<int>(std::floor(p[d] / box[d] * n[d]));
    for (int dz = -reach; dz <= reach; ++dz)
      for (int dy = -reach; dy <= reach; ++dy)
        for (int dx = -reach; dx <= reach; ++dx) {
          int g[3] = {c[0] + dx, c[1] + dy, c[2] + dz};
          Vec3 q;
          for (int d = 0; d < 3; ++d) {
            g[d] = ((g[d] % n[d]) + n[d]) % n[d];
            q[d] = (g[d] + 0.5) * box[d] / n[d];
          }
          Vec3 dv = q - p;
          for (int d = 0; d < 3; ++d) dv[d] -= box[d] * std::round(dv[d] / box[d]);
          if (norm2(dv) < distance * distance) bulk[(static_cast<size_t>(g[2]) * n[1] + g[1]) * n[0] + g[0]] = 0;
        }
  }
  size_t bulkPoints = 0;
  for (char b : bulk) bulkPoints += b;
  if (bulkPoints == 0) return 0;
  const double volume = static_cast<double>(bulkPoints) / static_cast<double>(bulk.size()) * box.x * box.y * box.z;
  double mass = 0;
  for (size_t i = 0; i < s.size(); ++i)
    if (s.atoms[i].solvent && s.atoms[i].element == 8 && bulk[cellOf(s.positions[i])]) mass += Solvator::kWaterMass;
  return mass / kAvogadro / (volume * 1e-24);
}

}  // namespace mlffb
