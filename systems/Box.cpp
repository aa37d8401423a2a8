#include "systems/Box.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace mlffb {
namespace {

bool finite(const Vec3& v) { return isFinite(v); }

/// cos and sin of an angle in degrees, exact for right angles so orthorhombic cells stay exact.
void cosSin(double deg, double& c, double& s) {
  if (std::abs(deg - 90.0) < 1e-9) {
    c = 0;
    s = 1;
    return;
  }
  c = std::cos(deg2rad(deg));
  s = std::sin(deg2rad(deg));
}

}  // namespace

Box Box::orthorhombic(const Vec3& l) {
  Box b{{l.x, 0, 0}, {0, l.y, 0}, {0, 0, l.z}};
  b.validate("box");
  return b;
}

Box Box::fromLengthsAngles(double la, double lb, double lc, double alpha, double beta, double gamma) {
  if (!(la > 0 && lb > 0 && lc > 0) || !std::isfinite(la + lb + lc))
    throw std::invalid_argument("box lengths must be positive and finite");
  for (double ang : {alpha, beta, gamma})
    if (!(ang > 0 && ang < 180)) throw std::invalid_argument("box angles must lie strictly between 0° and 180°");
  double ca, sa, cb, sb, cg, sg;
  cosSin(alpha, ca, sa);
  cosSin(beta, cb, sb);
  cosSin(gamma, cg, sg);
  const Vec3 a{la, 0, 0};
  const Vec3 b{lb * cg, lb * sg, 0};
  const double cx = lc * cb, cy = lc * (ca - cb * cg) / sg;
  const double cz2 = lc * lc - cx * cx - cy * cy;
  if (!(cz2 > 1e-12 * lc * lc)) {
    char buf[160];
    std::snprintf(buf, sizeof buf, "box angles α %.2f°, β %.2f°, γ %.2f° describe no cell", alpha, beta, gamma);
    throw std::invalid_argument(buf);
  }
  return fromVectors(a, b, Vec3{cx, cy, std::sqrt(cz2)});
}

Box Box::fromVectors(const Vec3& a, const Vec3& b, const Vec3& c) {
  Box box{a, b, c};
  box.validate("box");
  return box.isReduced() ? box : box.reduced();
}

void Box::validate(const std::string& where) const {
  if (!finite(a) || !finite(b) || !finite(c)) throw std::invalid_argument(where + ": box vectors must be finite");
  if (a.y != 0 || a.z != 0 || b.z != 0)
    throw std::invalid_argument(where + ": box vectors must have a along x and b in the xy plane (ay = az = bz = 0)");
  if (!(a.x > 0 && b.y > 0 && c.z > 0))
    throw std::invalid_argument(where + ": box vectors need ax, by, cz > 0 (a right-handed cell with positive lengths)");
  const char* names[] = {"a", "b", "c"};
  const Vec3* vectors[] = {&a, &b, &c};
  for (int i = 0; i < 3; ++i)
    if (const double l = norm(*vectors[i]); l > kMaxCoordinateAngstrom)
      throw std::invalid_argument(where + ": cell vector " + names[i] + ": length " + beyondCoordinateBound(l));
}

std::string beyondCoordinateBound(double value) {
  char b[160];
  std::snprintf(b, sizeof b, "%g Å is beyond ±%g Å, where double precision no longer holds a structure's geometry", value,
                kMaxCoordinateAngstrom);
  return b;
}

bool Box::isReduced() const {
  const double eps = 1e-9;
  return std::abs(b.x) <= 0.5 * a.x * (1 + eps) && std::abs(c.x) <= 0.5 * a.x * (1 + eps) &&
         std::abs(c.y) <= 0.5 * b.y * (1 + eps);
}

Box Box::reduced() const {
  Box r = *this;
  r.c -= r.b * std::round(r.c.y / r.b.y);
  r.c -= r.a * std::round(r.c.x / r.a.x);
  r.b -= r.a * std::round(r.b.x / r.a.x);
  return r;
}

Vec3 Box::anglesDeg() const {
  auto angle = [](const Vec3& u, const Vec3& v) {
    const double cs = std::clamp(dot(u, v) / (norm(u) * norm(v)), -1.0, 1.0);
    return rad2deg(std::acos(cs));
  };
  return {angle(b, c), angle(a, c), angle(a, b)};
}

Vec3 Box::widths() const {
  const double v = volume();
  return {v / norm(cross(b, c)), v / norm(cross(c, a)), v / norm(cross(a, b))};
}

double Box::minWidth() const {
  const Vec3 w = widths();
  return std::min({w.x, w.y, w.z});
}

Vec3 Box::toFractional(const Vec3& r) const {
  const double sc = r.z / c.z;
  const double sb = (r.y - sc * c.y) / b.y;
  const double sa = (r.x - sb * b.x - sc * c.x) / a.x;
  return {sa, sb, sc};
}

Vec3 Box::minimumImage(const Vec3& d) const {
  if (isOrthorhombic())
    return {d.x - a.x * std::round(d.x / a.x), d.y - b.y * std::round(d.y / b.y), d.z - c.z * std::round(d.z / c.z)};
  Vec3 s = toFractional(d);
  for (int k = 0; k < 3; ++k) s[k] -= std::round(s[k]);
  return toCartesian(s);
}

Vec3 Box::wrap(const Vec3& r) const {
  Vec3 s = toFractional(r);
  for (int k = 0; k < 3; ++k) s[k] -= std::floor(s[k]);
  return toCartesian(s);
}

Box Box::supercell(int na, int nb, int nc) const {
  if (na < 1 || nb < 1 || nc < 1) throw std::invalid_argument("supercell multiples must be at least 1");
  return Box{a * na, b * nb, c * nc}.reduced();
}

std::string Box::describe() const {
  char buf[160];
  if (isOrthorhombic()) {
    std::snprintf(buf, sizeof buf, "%.3f × %.3f × %.3f Å", a.x, b.y, c.z);
  } else {
    const Vec3 l = lengths(), g = anglesDeg();
    std::snprintf(buf, sizeof buf, "a %.3f, b %.3f, c %.3f Å, α %.2f°, β %.2f°, γ %.2f°", l.x, l.y, l.z, g.x, g.y, g.z);
  }
  return buf;
}

}  // namespace mlffb
