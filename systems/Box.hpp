#pragma once
// A periodic cell as three vectors in the reduced form GROMACS and OpenMM use: a along x, b in the
// xy plane, c with cz > 0, and |bx| ≤ ax/2, |cx| ≤ ax/2, |cy| ≤ by/2 (triclinic in general,
// orthorhombic when bx = cx = cy = 0). Minimum images come from fractional coordinates, which is
// exact for every pair closer than half the cell's smallest perpendicular width; that is the
// cutoff rule the cell list enforces.
#include <string>

#include "systems/Vec3.hpp"

namespace mlffb {

/// The largest |coordinate| and cell length accepted, Å: 10 µm, far beyond any system the engines
/// run (GRO's fixed columns end there too) and where a double still resolves 1.5e-11 Å; beyond it
/// rounding starts to move atoms (at 1e15 Å a double's step is 0.125 Å: energies shift by kJ/mol).
inline constexpr double kMaxCoordinateAngstrom = 1e5;
/// "1e+15 Å is beyond ±100000 Å, where double precision no longer holds a structure's geometry".
std::string beyondCoordinateBound(double value);

struct Box {
  Vec3 a, b, c;  // Å

  static Box orthorhombic(const Vec3& lengths);
  /// From edge lengths (Å) and angles (degrees) as in a PDB CRYST1 record (α between b and c,
  /// β between a and c, γ between a and b), reduced. Throws std::invalid_argument for lengths or
  /// angles that describe no cell.
  static Box fromLengthsAngles(double a, double b, double c, double alphaDeg, double betaDeg, double gammaDeg);
  /// From three vectors with a along x and b in the xy plane (ay = az = bz = 0), reduced.
  /// Throws std::invalid_argument saying what is wrong.
  static Box fromVectors(const Vec3& a, const Vec3& b, const Vec3& c);

  bool isOrthorhombic() const { return b.x == 0 && c.x == 0 && c.y == 0; }
  bool isReduced() const;
  /// The same lattice in reduced form (OpenMM's reduction: c −= b·round(cy/by), c −= a·round(cx/ax),
  /// b −= a·round(bx/ax)).
  Box reduced() const;
  Vec3 lengths() const { return {norm(a), norm(b), norm(c)}; }
  /// α, β, γ in degrees.
  Vec3 anglesDeg() const;
  double volume() const { return a.x * b.y * c.z; }
  /// Perpendicular widths of the cell: the distances between opposite faces.
  Vec3 widths() const;
  double minWidth() const;
  /// r = s_a a + s_b b + s_c c.
  Vec3 toFractional(const Vec3& r) const;
  Vec3 toCartesian(const Vec3& s) const { return a * s.x + b * s.y + c * s.z; }
  /// The periodic image of the difference vector d with fractional components in [−½, ½).
  Vec3 minimumImage(const Vec3& d) const;
  /// r moved into the cell (fractional coordinates in [0, 1)).
  Vec3 wrap(const Vec3& r) const;
  /// The na × nb × nc supercell, reduced.
  Box supercell(int na, int nb, int nc) const;
  bool operator==(const Box&) const = default;

  /// Throws std::invalid_argument naming `where` unless the vectors are finite, in
  /// lower-triangular form with positive diagonal, and no longer than kMaxCoordinateAngstrom.
  void validate(const std::string& where) const;
  /// "24.000 × 25.000 × 26.000 Å" or "a 24.000, b 25.000, c 26.000 Å, α 90.00°, β 104.00°, γ 90.00°".
  std::string describe() const;
};

}  // namespace mlffb
