#pragma once
// Reader of GROMACS topologies (.top and the .itp files it includes) into a ClassicalTopology.
// The preprocessor is GROMACS's: #include searched in the including file's folder, then the
// include folders (GMXLIB, then GROMACS's share/gromacs/top); #define NAME [value], #undef,
// #ifdef/#ifndef/#else/#endif; defined names used as parameter fields are substituted (the
// amber99sb-ildn torsion macros). Sections: defaults, atomtypes, bondtypes, constrainttypes,
// pairtypes, angletypes, dihedraltypes (two- and four-type forms, X wildcards, the best match
// wins, multiple function-9 terms), moleculetype, atoms, bonds, pairs, angles, dihedrals,
// constraints, settles, exclusions, position_restraints (read and not applied), system,
// molecules. Anything else, or anything malformed, is one error naming file:line.
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/classical/ClassicalTopology.hpp"

namespace mlffb::classical {

class TopologyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct TopologyReadOptions {
  std::vector<std::string> includeDirs;   // searched after the including file's folder
  std::vector<std::string> defines;       // as -DNAME or NAME=value, e.g. "FLEXIBLE", "POSRES"
  double maxAtoms = 1e7;                  // [ molecules ] beyond this is refused
};

/// GROMACS's include folders on this machine: $GMXLIB (colon-separated), then the share/gromacs/top
/// of the gmx found on PATH, then /usr/share/gromacs/top; only those that exist.
std::vector<std::string> defaultIncludeDirs();

/// Reads `path` (a .top); throws TopologyError naming file:line.
ClassicalTopology readTopology(const std::string& path, const TopologyReadOptions& options = {});
/// The same from text (`fileName` for messages and relative includes).
ClassicalTopology parseTopology(const std::string& text, const std::string& fileName, const TopologyReadOptions& options = {});

}  // namespace mlffb::classical
