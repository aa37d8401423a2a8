#pragma once
// The manifest record of one system file (`systems build` manifest, `systems inspect`, and the
// system section of run records).
#include <string>

#include "harness/Json.hpp"
#include "systems/System.hpp"

namespace mlffb {

Json systemRecord(const System& s, const std::string& file);

}  // namespace mlffb
