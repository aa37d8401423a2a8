#include "systems/ChainSlicer.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "systems/PeptideTermini.hpp"

namespace mlffb {

ChainSlicer::ChainSlicer(System in, std::string source, Termini termini)
    : source_(std::move(source)), termini_(termini) {
  // Keep the solute; map old → new indices for the bonds.
  std::vector<int> map(in.size(), -1);
  std::set<char> chains;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in.atoms[i].solvent) continue;
    chains.insert(in.atoms[i].chain);
    map[i] = static_cast<int>(chain_.size());
    chain_.addAtom(in.atoms[i], in.positions[i]);
  }
  if (chain_.size() == 0) throw std::invalid_argument(source_ + ": no protein atoms to slice");
  if (chains.size() > 1) {
    std::string list;
    for (char c : chains) list += (list.empty() ? "" : ", ") + std::string(1, c);
    throw std::invalid_argument(source_ + ": " + std::to_string(chains.size()) + " chains (" + list +
                                "); slice needs a single-chain protein");
  }
  for (auto [a, b] : in.bonds)
    if (map[a] >= 0 && map[b] >= 0) chain_.bonds.emplace_back(map[a], map[b]);
  chain_.provenance = in.provenance;
  for (size_t i = 0; i < chain_.size(); ++i) {
    const Atom& a = chain_.atoms[i];
    if (i == 0 || a.residueNumber != chain_.atoms[i - 1].residueNumber || a.insertionCode != chain_.atoms[i - 1].insertionCode ||
        a.residueName != chain_.atoms[i - 1].residueName)
      residueStart_.push_back(static_cast<int>(i));
  }
}

System ChainSlicer::slice(int n) const {
  if (n <= 0) throw std::invalid_argument("slice size must be positive (got " + std::to_string(n) + ")");
  if (n > residues())
    throw std::invalid_argument("slice size " + std::to_string(n) + " exceeds the " + std::to_string(residues()) +
                                " residues of the chain in " + source_);
  const int end = n < residues() ? residueStart_[n] : static_cast<int>(chain_.size());
  const int first = residueStart_[n - 1];
  System s;
  bool hasH = false, hasCap = false;
  int ca = -1, c = -1, o = -1;
  for (int i = 0; i < end; ++i) {
    const Atom& a = chain_.atoms[i];
    hasH = hasH || a.element == 1;
    if (i >= first) {
      if (a.name == "CA") ca = i;
      if (a.name == "C") c = i;
      if (a.name == "O") o = i;
      if (a.name == "OXT" || a.name == "OT2") hasCap = true;
    }
    s.addAtom(a, chain_.positions[i]);
  }
  for (auto [a, b] : chain_.bonds)
    if (a < end && b < end) s.bonds.emplace_back(a, b);
  if (!hasCap && n < residues()) {  // the whole chain stays as it was read
    if (ca < 0 || c < 0 || o < 0)
      throw std::invalid_argument(source_ + ": residue " + std::to_string(chain_.atoms[first].residueNumber) +
                                  " lacks CA, C or O; cannot re-terminate the slice there");
    appendCTerminus(s, termini_, ca, c, o, hasH);
  }
  for (auto& b : s.bonds) b = {std::min(b.first, b.second), std::max(b.first, b.second)};
  std::sort(s.bonds.begin(), s.bonds.end());
  s.bonds.erase(std::unique(s.bonds.begin(), s.bonds.end()), s.bonds.end());
  s.provenance = chain_.provenance;
  s.provenance.builder = "slice";
  s.provenance.parameters = {{"residues", std::to_string(n)}, {"termini", toString(termini_)}};
  return s;
}

}  // namespace mlffb
