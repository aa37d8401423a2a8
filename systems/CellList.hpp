#pragma once
// O(N) pair search with a uniform cell grid: open boundaries, or a periodic cell of any shape
// (Box: cells laid out in fractional coordinates, minimum images; the cutoff may be at most half
// the cell's smallest perpendicular width, so every pair has at most one image within it). The
// grid never has more than about two cells per atom, however far apart the atoms are, and the
// neighbouring cells of a cell are found when it is visited, not stored.
#include <optional>
#include <stdexcept>
#include <vector>

#include "systems/Box.hpp"
#include "systems/Vec3.hpp"

namespace mlffb {

/// A periodic cell thinner than twice the cutoff: minimum images are not enough there.
class CellTooSmall : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class CellList {
 public:
  /// Throws std::invalid_argument when the cutoff is not positive, CellTooSmall when it is longer
  /// than half the cell's smallest width.
  CellList(const std::vector<Vec3>& positions, const std::optional<Box>& box, double cutoff);

  /// Calls fn(i, j, d, r2) once for every pair i < j with |d| < cutoff, d = r_j − r_i
  /// (minimum image when periodic).
  template <class Fn>
  void forEachPair(Fn&& fn) const;

  /// Number of pairs i < j closer than the cutoff.
  size_t countPairs() const;

 private:
  int cellIndex(int cx, int cy, int cz) const { return (cz * dims_[1] + cy) * dims_[0] + cx; }
  Vec3 delta(const Vec3& a, const Vec3& b) const { return box_ ? box_->minimumImage(b - a) : b - a; }
  /// The distinct cells around cell c (itself included, wrapped when periodic); returns how many.
  int neighborCells(int c, int (&out)[27]) const;

  const std::vector<Vec3>& pos_;
  std::optional<Box> box_;
  double cutoff_, cutoff2_;
  int dims_[3]{1, 1, 1};
  std::vector<int> cellStart_, cellAtoms_;  // CSR: atoms of cell c are cellAtoms_[cellStart_[c]..cellStart_[c+1])
  bool dedupe_ = false;                     // a periodic axis of fewer than 3 cells repeats neighbours
};

template <class Fn>
void CellList::forEachPair(Fn&& fn) const {
  const int ncell = dims_[0] * dims_[1] * dims_[2];
  int around[27];
  for (int c = 0; c < ncell; ++c) {
    if (cellStart_[c] == cellStart_[c + 1]) continue;
    const int count = neighborCells(c, around);
    for (int a = cellStart_[c]; a < cellStart_[c + 1]; ++a) {
      const int i = cellAtoms_[a];
      for (int k = 0; k < count; ++k) {
        const int nc = around[k];
        for (int b = cellStart_[nc]; b < cellStart_[nc + 1]; ++b) {
          const int j = cellAtoms_[b];
          if (j <= i) continue;
          const Vec3 d = delta(pos_[i], pos_[j]);
          const double r2 = norm2(d);
          if (r2 < cutoff2_) fn(i, j, d, r2);
        }
      }
    }
  }
}

}  // namespace mlffb
