#pragma once
// NeuroChem's files, parsed from their bytes: the AEV constants (.params), the self energies
// (sae_linfit.dat), a network file (.nnf: "<length>=\n" then a bzip2 stream of the layer spec),
// the layer spec text and the raw float32 weight files. Each function takes the text or bytes of
// one file and its name; anything malformed is a NeuroChemError naming the file, never another
// exception, an unbounded allocation or a crash (fuzzed: tests/fuzz/FuzzNeuroChem.cpp).
#include <array>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "workloads/ani2x/AniModel.hpp"

namespace mlffb::ani {

class NeuroChemError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct LayerSpec {
  int in = 0, out = 0;
  bool celu = true;                  // activation 9 (CELU α 0.1) or 6 (linear)
  std::string weightsFile, biasFile;  // relative to the .nnf's folder
};

/// Constants of the .params file (Rcr, Rca, EtaR, EtaA, Zeta, ShfR[16], ShfA[8], ShfZ[4]).
AevParameters parseAevParameters(const std::string& text, const std::string& file);
/// The 7 self energies (Hartree) of sae_linfit.dat, "El,index=value" lines.
std::array<double, kSpecies> parseSelfEnergies(const std::string& text, const std::string& file);
/// The layer spec inside a .nnf file (at most 64 MiB once decompressed).
std::string decompressNnf(const std::string& raw, const std::string& file);
/// The `layer [ … ]` blocks of a spec: shapes chained from `inputWidth`, weight and bias counts
/// matching them (widths 1..100000).
std::vector<LayerSpec> parseNetworkSpec(const std::string& spec, const std::string& file, int inputWidth);
/// `count` little-endian float32 values, exactly, all finite.
std::vector<double> parseFloat32Values(const std::string& bytes, size_t count, const std::string& file);

}  // namespace mlffb::ani
