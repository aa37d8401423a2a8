#pragma once
// ANI-2x model data shared by every flavour: AEV constants, self energies and the 8-member
// ensemble of per-element networks (float64 masters; flavours convert to their precision).
// Facts: ../shared/reference/ani2x.md.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "systems/System.hpp"

namespace mlffb::ani {

inline constexpr int kSpecies = 7;                 // H C N O S F Cl
inline constexpr int kRadialShifts = 16, kAngularShifts = 8, kAngleSections = 4;
inline constexpr int kRadialLength = kSpecies * kRadialShifts;                          // 112
inline constexpr int kSpeciesPairs = kSpecies * (kSpecies + 1) / 2;                     // 28
inline constexpr int kAngularSub = kAngularShifts * kAngleSections;                     // 32
inline constexpr int kAevLength = kRadialLength + kSpeciesPairs * kAngularSub;          // 1008
inline constexpr int kMembers = 8;
inline constexpr double kCeluAlpha = 0.1;
inline constexpr const char* kSpeciesSymbols[kSpecies] = {"H", "C", "N", "O", "S", "F", "Cl"};

/// Species index (0..6) of an atomic number, or -1 if ANI-2x does not support it.
int speciesOf(int atomicNumber);
/// Species indices of a system's atoms; throws std::invalid_argument naming the first
/// unsupported atom (index, name, element).
std::vector<int> speciesOfSystem(const System& s);
/// Row-major upper-triangle index of the unordered species pair.
int pairIndex(int a, int b);
/// The AEV columns that can be non-zero for a system of these species (those of the elements and
/// element pairs present), in AEV order: the columns the native kernel sets' GEMMs multiply.
std::vector<int> activeAevColumns(const std::vector<int>& species);

struct AevParameters {
  double Rcr = 5.1, Rca = 3.5, EtaR = 19.7, EtaA = 12.5, Zeta = 14.1;
  std::array<double, kRadialShifts> ShfR{};
  std::array<double, kAngularShifts> ShfA{};
  std::array<double, kAngleSections> ShfZ{};
  AevParameters();  // the ANI-2x values
};

struct DenseLayer {
  int in = 0, out = 0;
  std::vector<double> weight;  // out × in, row-major
  std::vector<double> bias;    // out
  bool celu = true;            // activation after the layer (CELU α = 0.1) or linear
};

using Network = std::vector<DenseLayer>;  // 1008 → h1 → h2 → h3 → 1

struct AniModelData {
  AevParameters aev;
  std::array<double, kSpecies> selfEnergy{};                        // Hartree
  std::array<std::array<Network, kSpecies>, kMembers> networks;     // [member][species]
  std::string weightsSource;  // "random(seed=N)" or the folder read
};

/// Hidden widths of the element networks.
std::array<int, 3> hiddenWidths(int species);

/// Deterministic random weights with the exact architecture: each layer's weights and biases
/// uniform in ±1/sqrt(fan_in) (PyTorch's nn.Linear default), from a seeded Mersenne Twister;
/// self energies and AEV constants are ANI-2x's.
AniModelData randomAniModel(std::uint64_t seed);

/// Reads NeuroChem files: DIR/rHCNOSFCl-5.1R_16-3.5A_a8-4.params, DIR/sae_linfit.dat and
/// DIR/train{0..7}/networks/ANN-<El>.nnf (bzip2 spec) with their .wparam/.bparam float32 files.
/// Throws std::runtime_error naming the file that is missing or malformed.
AniModelData loadNeuroChemModel(const std::string& dir);

/// The model a run asks for: NeuroChem weights from `weightsDir`, or random ones from `seed` when
/// it is empty or "random";
/// `member` ≥ 0 keeps only that ensemble member (copied into every slot, so the mean is it).
AniModelData loadAniModel(const std::string& weightsDir, std::uint64_t seed, int member);

/// Multiply-add counts per atom per member of the element network (forward).
double networkMacsPerAtom(int species);

}  // namespace mlffb::ani
