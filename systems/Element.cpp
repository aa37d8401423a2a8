#include "systems/Element.hpp"

#include <array>
#include <cctype>
#include <stdexcept>

namespace mlffb {
namespace {
// Standard atomic weights (IUPAC 2013, conventional values), the first 36 elements.
constexpr std::array<ElementInfo, 37> kElements{{
    {0, "X", 0.0},       {1, "H", 1.008},     {2, "He", 4.0026},   {3, "Li", 6.94},
    {4, "Be", 9.0122},   {5, "B", 10.81},     {6, "C", 12.011},    {7, "N", 14.007},
    {8, "O", 15.999},    {9, "F", 18.998},    {10, "Ne", 20.180},  {11, "Na", 22.990},
    {12, "Mg", 24.305},  {13, "Al", 26.982},  {14, "Si", 28.085},  {15, "P", 30.974},
    {16, "S", 32.06},    {17, "Cl", 35.45},   {18, "Ar", 39.948},  {19, "K", 39.098},
    {20, "Ca", 40.078},  {21, "Sc", 44.956},  {22, "Ti", 47.867},  {23, "V", 50.942},
    {24, "Cr", 51.996},  {25, "Mn", 54.938},  {26, "Fe", 55.845},  {27, "Co", 58.933},
    {28, "Ni", 58.693},  {29, "Cu", 63.546},  {30, "Zn", 65.38},   {31, "Ga", 69.723},
    {32, "Ge", 72.630},  {33, "As", 74.922},  {34, "Se", 78.971},  {35, "Br", 79.904},
    {36, "Kr", 83.798},
}};

bool ieq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}
}  // namespace

const ElementInfo& elementInfo(int z) {
  if (z <= 0 || z >= static_cast<int>(kElements.size()))
    throw std::invalid_argument("unknown atomic number " + std::to_string(z));
  return kElements[static_cast<size_t>(z)];
}

int elementFromSymbol(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  if (s.empty()) return 0;
  for (size_t z = 1; z < kElements.size(); ++z)
    if (ieq(s, kElements[z].symbol)) return static_cast<int>(z);
  return 0;
}

int elementFromAtomName(std::string_view name, std::string_view res) {
  std::string letters;
  for (char c : name)
    if (std::isalpha(static_cast<unsigned char>(c))) letters.push_back(static_cast<char>(std::toupper(c)));
  if (letters.empty()) return 0;
  // Ions named like their residue (CL, NA, MG, ...).
  if (ieq(name, res)) {
    if (int z = elementFromSymbol(letters); z) return z;
  }
  // Protein/water atom names start with the element letter (H, C, N, O, S).
  switch (letters[0]) {
    case 'H': return 1;
    case 'C': return 6;
    case 'N': return 7;
    case 'O': return 8;
    case 'S': return 16;
    case 'F': return 9;
    case 'P': return 15;
    default: return 0;
  }
}

}  // namespace mlffb
