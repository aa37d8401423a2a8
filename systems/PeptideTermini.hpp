#pragma once
// Re-terminating a peptide chain at a cut: a carboxylate OXT (charged) or an N-methylamide
// (NME) cap, both placed in the plane of the last residue's CA–C=O where the next residue's N
// would be.
#include "systems/System.hpp"

namespace mlffb {

enum class Termini;

/// Appends OXT (charged) or NME (capped) after the residue whose CA, C and O atoms are at the
/// given indices; bonds included. NME hydrogens are added only if `withHydrogens`.
void appendCTerminus(System& s, Termini termini, int caIndex, int cIndex, int oIndex, bool withHydrogens);

}  // namespace mlffb
