#pragma once
// The classical force field of one system, fully expanded (every molecule of [ molecules ] laid
// out atom by atom, every bonded term with its parameters resolved from the force field's type
// tables): what the GROMACS topology reader produces and what the OpenMM and native engines and
// the bonded-energy evaluator consume. Units are GROMACS's: nm, degrees, kJ/mol, e, amu.
#include <string>
#include <vector>

namespace mlffb::classical {

struct TopAtom {
  std::string type;        // atom type ([ atomtypes ] name)
  std::string name;        // atom name
  std::string residue;
  int residueNumber = 0;
  int atomicNumber = 0;    // from the atom type (0 when the force field does not say)
  double charge = 0;       // e
  double mass = 0;         // amu
  double sigma = 0;        // nm (LJ, from the atom type)
  double epsilon = 0;      // kJ/mol
};

/// Harmonic bond (function 1): ½k(r − r0)².
struct BondTerm {
  int i = 0, j = 0;
  double r0 = 0;  // nm
  double k = 0;   // kJ/mol/nm²
};

/// Harmonic angle (function 1): ½k(θ − θ0)²; Urey–Bradley (function 5) adds ½kUB(r13 − r13₀)².
struct AngleTerm {
  int i = 0, j = 0, k = 0;
  int function = 1;
  double theta0 = 0;  // degrees
  double kTheta = 0;  // kJ/mol/rad²
  double ubR0 = 0;    // nm
  double ubK = 0;     // kJ/mol/nm²
};

/// Dihedral terms. Functions 1 and 9 (proper) and 4 (periodic improper): k(1 + cos(nφ − φs));
/// function 2 (harmonic improper): ½k(ξ − ξ0)² with ξ0 in `phase`; function 3 (Ryckaert–
/// Bellemans): Σ Cn cos^n(ψ), ψ = φ − 180°.
struct DihedralTerm {
  int i = 0, j = 0, k = 0, l = 0;
  int function = 9;
  double phase = 0;  // degrees (ξ0 for function 2)
  double force = 0;  // kJ/mol (kJ/mol/rad² for function 2)
  int multiplicity = 0;
  double rb[6] = {0, 0, 0, 0, 0, 0};  // function 3: C0..C5, kJ/mol
  bool improper() const { return function == 2 || function == 4; }
};

/// A 1-4 pair (function 1): LJ with σ, ε (fudgeLJ already applied when generated) and Coulomb
/// scaled by `chargeScale` (fudgeQQ).
struct PairTerm {
  int i = 0, j = 0;
  double sigma = 0;    // nm
  double epsilon = 0;  // kJ/mol
  double chargeScale = 1;
};

/// A fixed distance: [ constraints ] and the three distances of each SETTLE water.
struct ConstraintTerm {
  int i = 0, j = 0;
  double length = 0;  // nm
};

struct MoleculeBlock {
  std::string name;
  int count = 0;
  int firstAtom = 0;          // index of the first atom of the first copy
  int atomsPerMolecule = 0;
  int nrexcl = 0;
  bool settles = false;       // rigid water by SETTLE
};

struct ClassicalTopology {
  std::string source;          // the .top file
  std::string systemName;
  int nonbondedFunction = 1;   // 1: Lennard-Jones
  int combinationRule = 2;     // 1: C6/C12 given; 2: arithmetic σ, geometric ε; 3: geometric both
  bool generatePairs = false;
  double fudgeLJ = 1, fudgeQQ = 1;
  std::vector<TopAtom> atoms;
  std::vector<BondTerm> bonds;
  std::vector<AngleTerm> angles;
  std::vector<DihedralTerm> dihedrals;
  std::vector<PairTerm> pairs;
  std::vector<ConstraintTerm> constraints;
  /// Per atom, the other atoms (sorted, higher indices only) whose nonbonded interaction is
  /// excluded: within nrexcl bonds of the molecule, and the [ exclusions ] given.
  std::vector<std::vector<int>> exclusions;
  std::vector<MoleculeBlock> molecules;

  size_t size() const { return atoms.size(); }
  double totalCharge() const;
};

}  // namespace mlffb::classical
