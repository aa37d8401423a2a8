#pragma once
// The TorchScript files of the peer flavours, made by the peer packages themselves: a script under
// scripts/peers/ run with the project's Python environment builds the package's own model and
// saves it with torch.jit (FILE.pt, and FILE.pt.json saying what it is). A file is made once and
// kept in a cache folder under a key of everything it depends on (the scripts of the script's
// folder, its arguments, the weights files' content, the packages' versions), so a suite does not export again per repeat,
// per run or per invocation; a change of any of those makes a new file.
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace mlffb {

struct PeerExportRequest {
  std::string what;                     // for messages and the file's name: "torchani-ani2x-float64-periodic"
  std::string script;                   // under scripts/: "peers/export_torchani.py"
  std::vector<std::string> args;        // the script's arguments, without --out FILE.pt (added); it runs in
                                        // a fresh folder, where relative paths it is given point
  std::vector<std::string> keyPaths;    // files, or folders of files, whose content the model depends on (weights)
  std::vector<std::string> packages;    // Python distributions whose versions it depends on
  double timeoutSeconds = 900;
};

struct PeerExportResult {
  std::string file;             // the .pt
  nlohmann::ordered_json info;  // the script's FILE.pt.json
  bool cached = false;          // found in the cache, not made by this call
  double seconds = 0;           // wall clock of this call (the whole export when made now)
};

/// The file for `request`, made now if the cache lacks it. Throws std::runtime_error with the
/// script's error line and the path of its log (kept) when the export fails.
PeerExportResult peerExport(const PeerExportRequest& request);

/// Where the files are kept: $MLFFB_CACHE_DIR/peers, else $XDG_CACHE_HOME/mlff-bench/peers, else
/// $HOME/.cache/mlff-bench/peers, else the temp folder's mlff-bench-cache/peers.
std::string peerCacheDir();

/// The versions of Python distributions in the project's environment ("torchani" → "2.9.0"),
/// asked once per process and list; throws std::runtime_error saying why when they cannot be read.
std::map<std::string, std::string> pythonPackageVersions(const std::vector<std::string>& packages);

}  // namespace mlffb
