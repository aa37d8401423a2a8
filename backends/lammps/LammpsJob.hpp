#pragma once
// What the lammps engine (in mlff-bench) and its driver program (mlff-bench-lammps, under
// mpirun) exchange: the system as a LAMMPS data file, a job file (model, protocol, ranks) and a
// result file written by rank 0. Plain functions, no LAMMPS or MPI here, so the engine and the
// tests use them without either. Also the seed's Eq. 3 scaling model.
#include <array>
#include <string>
#include <vector>

#include "backends/Engine.hpp"
#include <nlohmann/json.hpp>

namespace mlffb::lammps {

using Json = nlohmann::ordered_json;

/// The LAMMPS atom types of a system: one per element present, in increasing atomic number.
std::vector<int> typeElements(const System& s);

/// A LAMMPS data file (atom_style atomic, units real) for `s`: a periodic system keeps its cell
/// (orthorhombic or LAMMPS's restricted triclinic, tilts from the reduced cell) with positions
/// wrapped into it; a system without a cell gets a box 1 Å beyond its atoms, to be shrink-wrapped.
std::string dataFile(const System& s);

struct Job {
  std::string dataPath;             // data file
  std::string resultPath;           // written by rank 0, atomically
  ModelSpec model;
  std::vector<std::string> typeSymbols;  // element of each atom type, "H", "O", …
  bool periodic = true;
  std::string mode = "md";          // md | single-point
  MdOptions md;                     // its trace CSV written by rank 0 (an absolute path); no frames
  int repeat = 1, warmup = 0;       // single-point evaluations
  std::array<int, 3> grid{0, 0, 0}; // processors; 0: LAMMPS chooses
  bool writeForces = false;         // single point: forces of every atom in the result (tests)
  bool writePositions = false;      // md: final positions of every atom in the result (tests)
  bool prune = true;                // drop ghosts beyond the receptive field before evaluating
  Json toJson() const;
  static Job fromJson(const Json& j);
};

/// Eq. 3 of the chemtrain-deploy paper generalised to the processor grid LAMMPS chose: the
/// speed-up when every rank evaluates its subdomain (L_k / p_k wide) plus a ghost shell of
/// width TR on both sides, S = Π_k (L_k + 2TR) / (L_k / p_k + 2TR) over the decomposed
/// dimensions (a dimension with p_k = 1 contributes 1). With p_k = P^(1/d) for d dimensions
/// this is the paper's S = ((L + 2TR) / (P^(−1/d) L + 2TR))^d.
double eq3Speedup(const std::array<double, 3>& lengths, const std::array<int, 3>& grid, double receptiveField);
/// The paper's form for a cube of side L split evenly over d dimensions.
double eq3SpeedupCube(double length, int ranks, int dimensions, double receptiveField);

}  // namespace mlffb::lammps
