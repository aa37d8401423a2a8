#pragma once
// Small 3-vector of doubles (Å) with the arithmetic the builders and readers need.
#include <cmath>

namespace mlffb {

struct Vec3 {
  double x = 0, y = 0, z = 0;
  constexpr Vec3() = default;
  constexpr Vec3(double x_, double y_, double z_) : x(x_), y(y_), z(z_) {}
  constexpr double operator[](int i) const { return i == 0 ? x : (i == 1 ? y : z); }
  double& operator[](int i) { return i == 0 ? x : (i == 1 ? y : z); }
  constexpr Vec3 operator+(const Vec3& o) const { return {x + o.x, y + o.y, z + o.z}; }
  constexpr Vec3 operator-(const Vec3& o) const { return {x - o.x, y - o.y, z - o.z}; }
  constexpr Vec3 operator-() const { return {-x, -y, -z}; }
  constexpr Vec3 operator*(double s) const { return {x * s, y * s, z * s}; }
  constexpr Vec3 operator/(double s) const { return {x / s, y / s, z / s}; }
  Vec3& operator+=(const Vec3& o) { x += o.x; y += o.y; z += o.z; return *this; }
  Vec3& operator-=(const Vec3& o) { x -= o.x; y -= o.y; z -= o.z; return *this; }
  Vec3& operator*=(double s) { x *= s; y *= s; z *= s; return *this; }
  constexpr bool operator==(const Vec3&) const = default;
};

constexpr Vec3 operator*(double s, const Vec3& v) { return v * s; }
constexpr double dot(const Vec3& a, const Vec3& b) { return a.x * b.x + a.y * b.y + a.z * b.z; }
constexpr Vec3 cross(const Vec3& a, const Vec3& b) {
  return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x};
}
inline double norm(const Vec3& a) { return std::sqrt(dot(a, a)); }
constexpr double norm2(const Vec3& a) { return dot(a, a); }
inline Vec3 normalized(const Vec3& a) { return a / norm(a); }
inline bool isFinite(const Vec3& a) {
  return std::isfinite(a.x) && std::isfinite(a.y) && std::isfinite(a.z);
}

constexpr double kPi = 3.14159265358979323846;
constexpr double deg2rad(double d) { return d * kPi / 180.0; }
constexpr double rad2deg(double r) { return r * 180.0 / kPi; }

/// Angle a-b-c in degrees.
inline double angleDeg(const Vec3& a, const Vec3& b, const Vec3& c) {
  Vec3 u = a - b, v = c - b;
  double cs = dot(u, v) / (norm(u) * norm(v));
  cs = cs > 1 ? 1 : (cs < -1 ? -1 : cs);
  return rad2deg(std::acos(cs));
}

/// Dihedral a-b-c-d in degrees, in (-180, 180] (IUPAC sign: positive is clockwise looking from b to c).
inline double dihedralDeg(const Vec3& a, const Vec3& b, const Vec3& c, const Vec3& d) {
  const Vec3 b1 = b - a, b2 = c - b, b3 = d - c;
  return rad2deg(std::atan2(norm(b2) * dot(b1, cross(b2, b3)), dot(cross(b1, b2), cross(b2, b3))));
}

/// Natural extension reference frame: the position of d such that |cd| = bond,
/// angle b-c-d = angleDeg and dihedral a-b-c-d = dihedralDeg.
inline Vec3 placeAtom(const Vec3& a, const Vec3& b, const Vec3& c, double bond, double angleDegrees,
                      double dihedralDegrees) {
  const double th = deg2rad(angleDegrees), ph = deg2rad(dihedralDegrees);
  Vec3 bc = normalized(c - b);
  Vec3 n = normalized(cross(b - a, bc));
  Vec3 m = cross(n, bc);
  Vec3 d2{-bond * std::cos(th), bond * std::sin(th) * std::cos(ph), bond * std::sin(th) * std::sin(ph)};
  return c + bc * d2.x + m * d2.y + n * d2.z;
}

}  // namespace mlffb
