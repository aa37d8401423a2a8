#pragma once
// Pieces every ANI-2x flavour reports the same way: description and analytic FLOP counts.
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "workloads/Potential.hpp"
#include "workloads/WeightsSource.hpp"
#include "workloads/ani2x/AniModel.hpp"

namespace mlffb::ani {

/// The real ANI-2x weights: $MLFFB_ANI2X_WEIGHTS, else ../shared/models/ani-2x_8x beside the
/// source tree, else the copy `mlff-bench weights fetch ani2x` made; empty if none exists.
std::string defaultAniWeights();
/// Where `mlff-bench weights fetch ani2x` gets the real weights (the ANI model zoo's archive).
WeightsSource aniWeightsSource();

/// The `member` option (−1, or absent: the whole ensemble).
int aniMemberOption(const PotentialOptions& o);

nlohmann::ordered_json describeAni(const AniModelData& data, const std::string& flavor);

/// Analytic floating-point operations per stage (transcendentals counted as one):
///   neighbors  9 per directed neighbour pair (distance);
///   descriptor 116 per directed radial pair (16 shifts × 7 + cutoff), 204 per angular triple
///              (angle and cutoffs 20, 4 angle sections × 6, 8 radial shifts × 4, 32 terms × 4);
///   energy     2 × 8 members × multiply-adds of the element network per atom;
///   forces     the same GEMM work backwards (layers 3→1 to the AEV) plus 154 per radial pair
///              and 316 per angular triple for the AEV derivatives.
/// `aevWidth` is the input width the first layer actually multiplies (1008, or fewer when a
/// flavour drops the columns of absent elements).
std::map<std::string, double> aniStageFlops(long directedRadialPairs, long angularTriples,
                                            const std::array<long, kSpecies>& atomsPerSpecies, bool withForces,
                                            int aevWidth = kAevLength);

}  // namespace mlffb::ani
