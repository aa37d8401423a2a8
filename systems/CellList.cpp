#include "systems/CellList.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

namespace mlffb {

CellList::CellList(const std::vector<Vec3>& positions, const std::optional<Box>& box, double cutoff)
    : pos_(positions), box_(box), cutoff_(cutoff), cutoff2_(cutoff * cutoff) {
  if (!(cutoff > 0)) throw std::invalid_argument("cell list: cutoff must be positive");
  // Per axis: the extent the cells divide (the perpendicular width when periodic) and each
  // atom's coordinate along it in [0, 1).
  Vec3 lo{0, 0, 0}, extent{0, 0, 0};
  if (box_) {
    extent = box_->widths();
    const double w = box_->minWidth();
    if (cutoff > 0.5 * w) {
      char buf[200];
      std::snprintf(buf, sizeof buf, "cutoff %.2f Å exceeds half the periodic cell's smallest width %.2f Å", cutoff, w);
      throw CellTooSmall(buf);
    }
  } else if (!positions.empty()) {
    Vec3 hi = positions[0];
    lo = positions[0];
    for (const auto& p : positions)
      for (int d = 0; d < 3; ++d) {
        lo[d] = std::min(lo[d], p[d]);
        hi[d] = std::max(hi[d], p[d]);
      }
    extent = hi - lo;
  }
  for (int d = 0; d < 3; ++d) {
    // Cells never thinner than the cutoff; at most 128 per axis (clamped before the cast: an
    // extent of 1e16 Å does not fit an int).
    dims_[d] = static_cast<int>(std::clamp(std::floor(extent[d] / cutoff), 1.0, 128.0));
  }
  // At most about two cells per atom: a few atoms far apart must not make millions of empty cells
  // (fewer, larger cells are still correct).
  const double cap = std::max(27.0, 2.0 * static_cast<double>(positions.size()));
  const double cells = static_cast<double>(dims_[0]) * dims_[1] * dims_[2];
  if (cells > cap) {
    const double shrink = std::cbrt(cap / cells);
    for (int d = 0; d < 3; ++d) dims_[d] = std::max(1, static_cast<int>(std::floor(dims_[d] * shrink)));
  }
  for (int d = 0; d < 3; ++d) dedupe_ = dedupe_ || (box_ && dims_[d] < 3);
  const int ncell = dims_[0] * dims_[1] * dims_[2];
  std::vector<int> cellOf(positions.size());
  std::vector<int> count(ncell + 1, 0);
  for (size_t i = 0; i < positions.size(); ++i) {
    Vec3 f;
    if (box_) {
      f = box_->toFractional(positions[i]);
      for (int d = 0; d < 3; ++d) f[d] -= std::floor(f[d]);
    } else {
      for (int d = 0; d < 3; ++d) f[d] = extent[d] > 0 ? (positions[i][d] - lo[d]) / extent[d] : 0.0;
    }
    int c[3];
    for (int d = 0; d < 3; ++d) c[d] = std::clamp(static_cast<int>(f[d] * dims_[d]), 0, dims_[d] - 1);
    cellOf[i] = cellIndex(c[0], c[1], c[2]);
    ++count[cellOf[i] + 1];
  }
  cellStart_.assign(ncell + 1, 0);
  for (int c = 0; c < ncell; ++c) cellStart_[c + 1] = cellStart_[c] + count[c + 1];
  cellAtoms_.resize(positions.size());
  std::vector<int> fill(cellStart_.begin(), cellStart_.end() - 1);
  for (size_t i = 0; i < positions.size(); ++i) cellAtoms_[fill[cellOf[i]]++] = static_cast<int>(i);
}

// A pair within the cutoff differs by at most cutoff / width in each fractional coordinate, i.e.
// by at most one cell: the 27 surrounding cells (wrapped when periodic) hold every partner.
int CellList::neighborCells(int c, int (&out)[27]) const {
  const int cx = c % dims_[0], cy = (c / dims_[0]) % dims_[1], cz = c / (dims_[0] * dims_[1]);
  int count = 0;
  for (int dz = -1; dz <= 1; ++dz)
    for (int dy = -1; dy <= 1; ++dy)
      for (int dx = -1; dx <= 1; ++dx) {
        int n[3] = {cx + dx, cy + dy, cz + dz};
        bool ok = true;
        for (int d = 0; d < 3; ++d)
          if (n[d] < 0 || n[d] >= dims_[d]) {
            if (!box_) ok = false;
            n[d] = (n[d] + dims_[d]) % dims_[d];
          }
        if (ok) out[count++] = cellIndex(n[0], n[1], n[2]);
      }
  if (dedupe_) {
    std::sort(out, out + count);
    count = static_cast<int>(std::unique(out, out + count) - out);
  }
  return count;
}

size_t CellList::countPairs() const {
  size_t n = 0;
  forEachPair([&](int, int, const Vec3&, double) { ++n; });
  return n;
}

}  // namespace mlffb
