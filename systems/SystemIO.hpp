#pragma once
// Structure files: PDB, GRO (GROMACS, nm) and XYZ (extended XYZ Lattice for boxes).
#include <string>

#include "systems/System.hpp"

namespace mlffb {

enum class FileFormat { Pdb, Gro, Xyz };

FileFormat parseFileFormat(const std::string& name);  // "pdb" | "gro" | "xyz"
FileFormat formatFromPath(const std::string& path);   // by extension; throws if unknown
std::string extension(FileFormat f);                  // "pdb", ...

/// How a structure file is read.
struct ReadOptions {
  int frame = 1;  // which MODEL of a multi-model PDB (1-based); other formats have one frame
};

/// PDB: CRYST1 with any angles (a along x, b in the xy plane, reduced); of alternate locations
/// the first of each residue is kept (blank, or the first letter seen, as OpenMM's PDBFile does)
/// and the number dropped is recorded in provenance ("alternate_locations_dropped"); insertion
/// codes make distinct residues; HETATM waters and ions are kept as solvent residues.
System parsePdb(const std::string& text, const std::string& fileName, const ReadOptions& options = {});
/// GRO: box line with 3 values (orthorhombic) or 9 (v1x v2y v3z v1y v1z v2x v2z v3x v3y).
System parseGro(const std::string& text, const std::string& fileName);
/// Extended XYZ: Lattice="ax ay az bx by bz cx cy cz" of any orientation; a cell that is not in
/// the reduced orientation is rotated into it together with the atoms (energies do not change).
System parseXyz(const std::string& text, const std::string& fileName);
std::string formatPdb(const System& s);
std::string formatGro(const System& s);
std::string formatXyz(const System& s);

/// Reads any supported file (format from the extension). Bonds come from PDB CONECT records
/// when present, else from distances. Throws std::invalid_argument naming file and line.
System readSystem(const std::string& path, const ReadOptions& options = {});
/// Writes atomically in the given format.
void writeSystem(const System& s, const std::string& path, FileFormat format);

/// Residue names treated as solvent (water, common ions).
bool isSolventResidue(const std::string& residueName);

}  // namespace mlffb
