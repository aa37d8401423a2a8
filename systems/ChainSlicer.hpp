#pragma once
// Cuts a single-chain protein into N-terminal prefixes, re-terminated at each cut.
#include <string>

#include "systems/PolyAlanineBuilder.hpp"
#include "systems/System.hpp"

namespace mlffb {

class ChainSlicer {
 public:
  /// `chain` must hold exactly one protein chain (solvent is dropped); `source` names it in errors.
  ChainSlicer(System chain, std::string source, Termini termini);
  int residues() const { return static_cast<int>(residueStart_.size()); }
  /// The first `n` residues, with an OXT or NME cap added after the last one.
  System slice(int n) const;

 private:
  System chain_;
  std::string source_;
  Termini termini_;
  std::vector<int> residueStart_;  // first atom index of each residue, plus end
};

}  // namespace mlffb
