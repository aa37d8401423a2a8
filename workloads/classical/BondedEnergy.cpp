#include "workloads/classical/BondedEnergy.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace mlffb::classical {

double oneOver4PiEps0() {
  constexpr double kEps0SI = 8.8541878128e-12, kCharge = 1.602176634e-19, kAvogadro = 6.02214076e23;
  const double eps0 = kEps0SI * 1e-9 * 1e3 / (kCharge * kCharge * kAvogadro);  // e² mol kJ⁻¹ nm⁻¹
  return 1.0 / (4.0 * std::numbers::pi * eps0);
}

std::vector<std::pair<std::string, double>> BondedEnergies::named(const ClassicalTopology& top) const {
  bool hasUb = false, hasProper = false, hasRb = false, hasImp = false, hasPimp = false;
  for (const auto& a : top.angles) hasUb = hasUb || a.function == 5;
  for (const auto& d : top.dihedrals) {
    hasProper = hasProper || d.function == 1 || d.function == 9;
    hasRb = hasRb || d.function == 3;
    hasImp = hasImp || d.function == 2;
    hasPimp = hasPimp || d.function == 4;
  }
  std::vector<std::pair<std::string, double>> out;
  if (!top.bonds.empty()) out.emplace_back("Bond", bond);
  if (!top.angles.empty()) out.emplace_back(hasUb ? "U-B" : "Angle", hasUb ? angle + ureyBradley : angle);
  if (hasProper) out.emplace_back("Proper Dih.", proper);
  if (hasRb) out.emplace_back("Ryckaert-Bell.", ryckaertBellemans);
  if (hasImp) out.emplace_back("Improper Dih.", improper);
  if (hasPimp) out.emplace_back("Per. Imp. Dih.", periodicImproper);
  if (!top.pairs.empty()) {
    out.emplace_back("LJ-14", lj14);
    out.emplace_back("Coulomb-14", coulomb14);
  }
  return out;
}

namespace {
constexpr double kNm = 0.1;  // nm per Å
constexpr double kDeg = std::numbers::pi / 180.0;

double wrapAngle(double a) {
  a = std::fmod(a + std::numbers::pi, 2 * std::numbers::pi);
  if (a < 0) a += 2 * std::numbers::pi;
  return a - std::numbers::pi;
}
}  // namespace

BondedEnergies bondedEnergies(const ClassicalTopology& top, const std::vector<Vec3>& positions, const std::optional<Box>& box,
                              std::vector<Vec3>* forces) {
  if (positions.size() != top.size())
    throw std::invalid_argument("classical topology has " + std::to_string(top.size()) + " atoms, positions " + std::to_string(positions.size()));
  // Work in nm; forces are converted to kJ/mol/Å when added.
  auto d = [&](int a, int b) {  // x_a − x_b, nm
    Vec3 v = positions[a] - positions[b];
    if (box) v = box->minimumImage(v);
    return v * kNm;
  };
  auto addF = [&](int a, const Vec3& f) {
    if (forces) (*forces)[a] += f * kNm;  // kJ/mol/nm → kJ/mol/Å
  };
  BondedEnergies e;
  auto harmonicBond = [&](int i, int j, double r0, double k, double& acc) {
    const Vec3 rij = d(i, j);
    const double r = norm(rij);
    const double dr = r - r0;
    acc += 0.5 * k * dr * dr;
    if (r > 0) {
      const Vec3 f = rij * (-k * dr / r);
      addF(i, f);
      addF(j, -f);
    }
  };
  for (const auto& b : top.bonds) harmonicBond(b.i, b.j, b.r0, b.k, e.bond);
  for (const auto& a : top.angles) {
    const Vec3 rij = d(a.i, a.j), rkj = d(a.k, a.j);
    const double nij2 = norm2(rij), nkj2 = norm2(rkj);
    const double nij1 = 1 / std::sqrt(nij2), nkj1 = 1 / std::sqrt(nkj2);
    double c = dot(rij, rkj) * nij1 * nkj1;
    c = std::clamp(c, -1.0, 1.0);
    const double theta = std::acos(c);
    const double dt = theta - a.theta0 * kDeg;
    e.angle += 0.5 * a.kTheta * dt * dt;
    const double s2 = 1 - c * c;
    if (s2 > 1e-24) {
      const double st = -a.kTheta * dt / std::sqrt(s2), sth = st * c;  // (−dV/dθ) / sin θ
      const double cik = st * nij1 * nkj1, cii = sth * nij1 * nij1, ckk = sth * nkj1 * nkj1;
      const Vec3 fi = -(rkj * cik - rij * cii);
      const Vec3 fk = -(rij * cik - rkj * ckk);
      addF(a.i, fi);
      addF(a.k, fk);
      addF(a.j, -fi - fk);
    }
    if (a.function == 5) harmonicBond(a.i, a.k, a.ubR0, a.ubK, e.ureyBradley);
  }
  for (const auto& t : top.dihedrals) {
    const Vec3 rij = d(t.i, t.j), rkj = d(t.k, t.j), rkl = d(t.k, t.l);
    const Vec3 m = cross(rij, rkj), n = cross(rkj, rkl);
    const double nrkj2 = norm2(rkj), nrkj = std::sqrt(nrkj2);
    const double iprm = norm2(m), iprn = norm2(n);
    const double phi = std::atan2(nrkj * dot(rij, n), dot(m, n));  // IUPAC: trans = 180°
    double v = 0, dvdphi = 0;
    switch (t.function) {
      case 1:
      case 4:
      case 9: {
        const double arg = t.multiplicity * phi - t.phase * kDeg;
        v = t.force * (1 + std::cos(arg));
        dvdphi = -t.force * t.multiplicity * std::sin(arg);
        (t.function == 4 ? e.periodicImproper : e.proper) += v;
        break;
      }
      case 2: {
        const double dp = wrapAngle(phi - t.phase * kDeg);
        v = 0.5 * t.force * dp * dp;
        dvdphi = t.force * dp;
        e.improper += v;
        break;
      }
      case 3: {
        const double psi = phi > 0 ? phi - std::numbers::pi : phi + std::numbers::pi;
        const double c = std::cos(psi);
        double cn = 1, dv = 0;
        for (int k = 0; k < 6; ++k) {
          v += t.rb[k] * cn;
          if (k < 5) dv += (k + 1) * t.rb[k + 1] * cn;
          cn *= c;
        }
        dvdphi = -std::sin(psi) * dv;
        e.ryckaertBellemans += v;
        break;
      }
      default: throw std::logic_error("dihedral function " + std::to_string(t.function));
    }
    if (!forces || iprm < 1e-30 || iprn < 1e-30) continue;
    const Vec3 fi = m * (-dvdphi * nrkj / iprm);
    const Vec3 fl = n * (dvdphi * nrkj / iprn);
    const double p = dot(rij, rkj) / nrkj2, q = dot(rkl, rkj) / nrkj2;
    const Vec3 svec = fi * p - fl * q;
    const Vec3 fj = fi - svec, fk = fl + svec;
    addF(t.i, fi);
    addF(t.j, -fj);
    addF(t.k, -fk);
    addF(t.l, fl);
  }
  const double epsfac = oneOver4PiEps0();
  for (const auto& p : top.pairs) {
    const Vec3 rij = d(p.i, p.j);
    const double r2 = norm2(rij), r = std::sqrt(r2);
    const double qq = top.atoms[p.i].charge * top.atoms[p.j].charge * p.chargeScale * epsfac;
    const double s6 = std::pow(p.sigma * p.sigma / r2, 3);
    const double vlj = 4 * p.epsilon * (s6 * s6 - s6);
    const double vc = qq / r;
    e.lj14 += vlj;
    e.coulomb14 += vc;
    // −dV/dr · r̂ = (24ε(2s¹² − s⁶)/r + qq/r²) r̂
    const double fscal = (24 * p.epsilon * (2 * s6 * s6 - s6) + vc) / r2;
    addF(p.i, rij * fscal);
    addF(p.j, rij * -fscal);
  }
  return e;
}

}  // namespace mlffb::classical
