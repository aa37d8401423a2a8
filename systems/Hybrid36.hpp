#pragma once
// Hybrid-36 numbers, the PDB convention for atom serials beyond 99,999 and residue numbers
// beyond 9,999 in fixed-width columns: decimal while it fits, then base 36 with upper-case
// letters (A0000 = 100,000 for width 5), then lower-case letters.
#include <string>
#include <string_view>

namespace mlffb {

/// `value` in `width` columns, right-aligned; throws std::invalid_argument when it does not fit.
std::string encodeHybrid36(int width, long value);
/// The value of a field written that way (decimal, spaces around allowed); throws
/// std::invalid_argument when it is neither.
long decodeHybrid36(std::string_view field);

}  // namespace mlffb
