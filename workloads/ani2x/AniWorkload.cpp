#include "workloads/ani2x/AniWorkload.hpp"

#include <stdexcept>

namespace mlffb::ani {

int aniMemberOption(const PotentialOptions& o) {
  const int m = optionInt(o.options, "member", -1);
  if (m < -1 || m >= kMembers)
    throw std::invalid_argument("--member must be an ensemble member index 0.." + std::to_string(kMembers - 1) + " (got " +
                                std::to_string(m) + ")");
  return m;
}

nlohmann::ordered_json describeAni(const AniModelData& d, const std::string& flavor) {
  nlohmann::ordered_json widths = nlohmann::ordered_json::object();
  for (int s = 0; s < kSpecies; ++s) {
    const auto h = hiddenWidths(s);
    widths[kSpeciesSymbols[s]] = {kAevLength, h[0], h[1], h[2], 1};
  }
  return {{"name", "ani2x"},
          {"flavor", flavor},
          {"hyperparameters",
           {{"aev_length", kAevLength},
            {"radial_cutoff", d.aev.Rcr},
            {"angular_cutoff", d.aev.Rca},
            {"EtaR", d.aev.EtaR},
            {"EtaA", d.aev.EtaA},
            {"Zeta", d.aev.Zeta},
            {"members", kMembers},
            {"activation", "CELU(0.1)"},
            {"layers", widths}}},
          {"weights", {{"source", d.weightsSource}}}};
}

std::map<std::string, double> aniStageFlops(long pairs, long triples, const std::array<long, kSpecies>& atoms,
                                            bool withForces, int aevWidth) {
  double macs = 0, backMacs = 0;
  for (int s = 0; s < kSpecies; ++s) {
    const auto h = hiddenWidths(s);
    const double firstLayerSaved = static_cast<double>(h[0]) * (kAevLength - aevWidth);
    macs += static_cast<double>(atoms[s]) * (networkMacsPerAtom(s) - firstLayerSaved);
    backMacs += static_cast<double>(atoms[s]) * (h[2] * h[1] + h[1] * h[0] + h[0] * static_cast<double>(aevWidth));
  }
  std::map<std::string, double> f;
  f["neighbors"] = 9.0 * pairs;
  f["descriptor"] = 116.0 * pairs + 204.0 * triples;
  f["energy"] = 2.0 * kMembers * macs;
  if (withForces) f["forces"] = 2.0 * kMembers * backMacs + 154.0 * pairs + 316.0 * triples;
  return f;
}

}  // namespace mlffb::ani
