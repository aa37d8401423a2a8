#include "systems/PeptideTermini.hpp"

#include "systems/PolyAlanineBuilder.hpp"

namespace mlffb {

void appendCTerminus(System& s, Termini termini, int caIndex, int cIndex, int oIndex, bool withHydrogens) {
  const Vec3 ca = s.positions[caIndex], c = s.positions[cIndex], o = s.positions[oIndex];
  const Atom last = s.atoms[cIndex];  // a copy: add() grows s.atoms, which would leave a reference dangling
  auto add = [&](int element, const char* name, const char* res, int num, const Vec3& p) {
    s.addAtom(Atom{element, name, res, num, last.chain, false}, p);
    return static_cast<int>(s.size()) - 1;
  };
  const double cn = PeptideGeometry::bondLength("C", "N"), nca = PeptideGeometry::bondLength("N", "CA");
  const double ch = PeptideGeometry::bondLength("CH3", "HH31"), nh = PeptideGeometry::bondLength("N", "H");
  const double cacn = PeptideGeometry::angle("CA", "C", "N"), cnca = PeptideGeometry::angle("C", "N", "CA");
  const double tetra = PeptideGeometry::angle("HH31", "CH3", "HH32");
  if (termini == Termini::Charged) {
    const Vec3 oxt = placeAtom(o, ca, c, PeptideGeometry::bondLength("C", "OXT"), PeptideGeometry::angle("CA", "C", "OXT"), 180.0);
    s.bonds.emplace_back(cIndex, add(8, "OXT", last.residueName.c_str(), last.residueNumber, oxt));
    return;
  }
  const int num = last.residueNumber + 1;
  const Vec3 n = placeAtom(o, ca, c, cn, cacn, 180.0);
  const Vec3 ch3 = placeAtom(ca, c, n, nca, cnca, 180.0);
  const int in = add(7, "N", "NME", num, n);
  s.bonds.emplace_back(cIndex, in);
  if (withHydrogens)
    s.bonds.emplace_back(in, add(1, "H", "NME", num, n + normalized(-(normalized(c - n) + normalized(ch3 - n))) * nh));
  const int ic = add(6, "CH3", "NME", num, ch3);
  s.bonds.emplace_back(in, ic);
  if (withHydrogens) {
    static const char* names[3] = {"HH31", "HH32", "HH33"};
    for (int k = 0; k < 3; ++k) s.bonds.emplace_back(ic, add(1, names[k], "NME", num, placeAtom(c, n, ch3, ch, tetra, 60.0 + 120.0 * k)));
  }
}

}  // namespace mlffb
