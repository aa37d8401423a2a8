#pragma once
// The manifest record of one system file (`systems build` manifest, `systems inspect`, and the
// system section of run records).
#include <string>

#include "harness/Json.hpp"
#include "systems/System.hpp"

namespace mlffb {

Json systemRecord(const System& s, const std::string& file);
/// Notes on stderr about what reading a file left out (alternate locations dropped, the frame
/// read of several), one line each.
void printReadNotes(const System& s);

}  // namespace mlffb
