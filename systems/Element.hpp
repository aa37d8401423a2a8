#pragma once
// Chemical elements known to the readers and writers.
#include <string>
#include <string_view>

namespace mlffb {

struct ElementInfo {
  int atomicNumber;
  const char* symbol;
  double mass;  // amu
};

/// Atomic number → info; throws for numbers outside the table.
const ElementInfo& elementInfo(int atomicNumber);
/// Symbol (case-insensitive, e.g. "CL", "Cl") → atomic number, or 0 if unknown.
int elementFromSymbol(std::string_view symbol);
/// Best guess of the element from a PDB/GRO atom name (e.g. "CA" → C, "HB1" → H, "CL" → Cl
/// only when the residue is an ion); returns 0 if none.
int elementFromAtomName(std::string_view atomName, std::string_view residueName);

}  // namespace mlffb
