#pragma once
// Real weights a model entry can fetch for a user who has none (`mlff-bench weights fetch MODEL`):
// the public archive they come from, the folder inside it, and a manifest of the SHA-256 of every
// file the model reads (shipped in the source tree), which the fetched copy must match file by file.
#include <string>

namespace mlffb {

struct WeightsSource {
  std::string name;           // folder name once fetched: "ani-2x_8x"
  std::string url;            // the archive (a .zip)
  std::string license;        // said to the user and in the fetch's output
  std::string archiveFolder;  // the weights folder inside the archive
  std::string manifest;       // path of the manifest (`sha256sum` format, relative names) in the source tree
};

/// Where fetched weights go by default: ${XDG_DATA_HOME:-$HOME/.local/share}/mlff-bench/models/NAME.
std::string fetchedWeightsFolder(const std::string& name);

}  // namespace mlffb
