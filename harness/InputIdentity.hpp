#pragma once
// The content identity of a plan's inputs: a SHA-256 of every file the plan's points read — each
// --in structure file and each option value an entry declares as an input (OptionSpec::input:
// --model-file, --weights; a folder's hash covers the names and contents of its regular files) —
// so that --resume sees a changed input under an unchanged name.
#include <string>
#include <vector>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"
#include "systems/InputFile.hpp"

namespace mlffb {

/// Hex SHA-256 of a file, read through the checked opener (InputFile.hpp) as `kind`.
std::string sha256OfFile(const std::string& path, const InputKind& kind);
/// Hex SHA-256 over the sorted relative names and contents of a folder's regular files (other
/// entries, which no loader reads as a file, are left out).
std::string sha256OfFolder(const std::string& dir);
/// {input path: hex SHA-256} of the inputs of the points that run (not those skipped at plan time).
Json inputDigests(const std::vector<Point>& points);
/// One phrase per input whose content differs between two inputDigests ("w.xyz: content changed
/// (sha256 ab12… → cd34…)", "x.pt: no longer read"); an input only `now` reads is new with the
/// points that read it, which the point ids already tell. A plan recorded without digests (older
/// reports) has nothing to compare: no phrases. `onlyAdditions` becomes false when a phrase is given.
std::vector<std::string> inputDifferences(const Json& before, const Json& now, bool& onlyAdditions);

}  // namespace mlffb
