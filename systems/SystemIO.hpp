#pragma once
// Structure files: PDB, GRO (GROMACS, nm) and XYZ (extended XYZ Lattice for boxes).
#include <string>

#include "systems/System.hpp"

namespace mlffb {

enum class FileFormat { Pdb, Gro, Xyz };

FileFormat parseFileFormat(const std::string& name);  // "pdb" | "gro" | "xyz"
FileFormat formatFromPath(const std::string& path);   // by extension; throws if unknown
std::string extension(FileFormat f);                  // "pdb", ...

System parsePdb(const std::string& text, const std::string& fileName);
System parseGro(const std::string& text, const std::string& fileName);
System parseXyz(const std::string& text, const std::string& fileName);
std::string formatPdb(const System& s);
std::string formatGro(const System& s);
std::string formatXyz(const System& s);

/// Reads any supported file (format from the extension). Bonds come from PDB CONECT records
/// when present, else from distances. Throws std::invalid_argument naming file and line.
System readSystem(const std::string& path);
/// Writes atomically in the given format.
void writeSystem(const System& s, const std::string& path, FileFormat format);

/// Residue names treated as solvent (water, common ions).
bool isSolventResidue(const std::string& residueName);

}  // namespace mlffb
