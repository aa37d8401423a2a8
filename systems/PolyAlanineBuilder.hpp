#pragma once
// All-atom L-poly-alanine built from internal coordinates (Engh & Huber geometry, trans peptide
// bonds). One chain of `chainResidues` is built once; build(n) returns its N-terminal prefix of
// n residues, re-terminated at the cut, so every slice shares the coordinates of its atoms with
// the full chain.
#include <cstdint>
#include <string>
#include <vector>

#include "systems/System.hpp"

namespace mlffb {

enum class Conformation { Folded, Helix, Extended };
enum class Termini { Charged, Capped };

Conformation parseConformation(const std::string& s);
Termini parseTermini(const std::string& s);
std::string toString(Conformation c);
std::string toString(Termini t);

struct PolyAlanineOptions {
  Conformation conformation = Conformation::Folded;
  Termini termini = Termini::Charged;
  std::uint64_t seed = 42;
  int chainResidues = 1000;  // length of the chain the slices are cut from
};

/// Ideal geometry of the builder, looked up by PDB atom names (tests compare against these).
struct PeptideGeometry {
  /// Ideal bond length (Å) between two bonded atoms, or NaN if the pair is not a known bond.
  static double bondLength(const std::string& a, const std::string& b);
  /// Ideal angle (degrees) outer1–center–outer2, or NaN if unknown.
  static double angle(const std::string& outer1, const std::string& center, const std::string& outer2);
};

class PolyAlanineBuilder {
 public:
  explicit PolyAlanineBuilder(PolyAlanineOptions options);

  /// N-terminal prefix of `residues` alanines (1 ≤ residues ≤ chainResidues).
  System build(int residues) const;

  const PolyAlanineOptions& options() const { return opt_; }
  /// Backbone dihedrals of the chain, degrees (phi[0] is the virtual phi of residue 1).
  const std::vector<double>& phi() const { return phi_; }
  const std::vector<double>& psi() const { return psi_; }

  struct Residue {
    Vec3 N, H, CA, HA, CB, HB[3], C, O;
  };

 private:
  void growFolded();
  void buildRegular(double phi, double psi);

  PolyAlanineOptions opt_;
  std::vector<double> phi_, psi_;
  std::vector<Residue> res_;
  Vec3 virtualPrevC_;  // where the C of a residue 0 would be (ACE carbonyl carbon)
};

}  // namespace mlffb
