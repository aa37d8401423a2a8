#pragma once
// A molecular system: atoms, positions (Å), optional periodic box (three vectors, triclinic in
// the reduced form), bonds, solute/solvent partition and provenance. Plain data; builders and
// readers fill it.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "systems/Box.hpp"
#include "systems/Vec3.hpp"

namespace mlffb {

struct Atom {
  int element = 0;          // atomic number
  std::string name;         // PDB atom name, e.g. "CA"
  std::string residueName;  // e.g. "ALA", "HOH"
  int residueNumber = 0;    // 1-based, as written to files
  char chain = 'A';
  bool solvent = false;     // part of the solvent (water, ions)
  char insertionCode = ' '; // PDB insertion code: 52 and 52A are different residues
};

struct Provenance {
  std::string builder;  // "polyala", "random", "file", ...
  std::vector<std::pair<std::string, std::string>> parameters;
  std::uint64_t seed = 0;
  std::string sourceFile;
};

struct System {
  std::string name;
  std::vector<Atom> atoms;
  std::vector<Vec3> positions;           // Å
  std::optional<Box> box;                // periodic cell, Å
  std::vector<std::pair<int, int>> bonds;
  Provenance provenance;

  size_t size() const { return atoms.size(); }
  void addAtom(Atom a, const Vec3& r) {
    atoms.push_back(std::move(a));
    positions.push_back(r);
  }
  size_t soluteCount() const;
  size_t solventCount() const { return size() - soluteCount(); }
  /// Number of distinct residues of the solute.
  int soluteResidues() const;
  double totalMass() const;  // amu
  /// Throws std::invalid_argument naming `where` and the atom if a position is not finite
  /// or an atom has no known element.
  void validate(const std::string& where) const;
  /// "atom 7 (CB ALA 2)": 1-based index, name, residue, as messages name atoms.
  std::string atomLabel(size_t i) const;
};

/// The na × nb × nc periodic supercell of a periodic system (the replicated boxes of
/// chemtrain-deploy's size tests): copy (i, j, k) is the system shifted by i a + j b + k c, copies
/// in that order (i fastest), each with its own bonds and residue numbers offset past the previous
/// copy's so that every copy's residues stay distinct. Throws std::invalid_argument without a box
/// or for a count below 1.
System replicate(const System& s, int na, int nb, int nc);

/// Copies per cell vector for about `copies` copies of a cell: among the grids whose largest count
/// is at most twice the smallest, the one whose product is nearest `copies` (on a tie the smaller
/// product, then the most cubic), so a replicated cubic box stays near-cubic. At least 1 × 1 × 1.
std::array<int, 3> replicaGrid(double copies);

}  // namespace mlffb
