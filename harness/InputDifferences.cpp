// inputDifferences (InputIdentity.hpp): what changed between two plans' input digests. Apart from
// the hashing so that the journal's readers (and their fuzzer) need neither OpenSSL nor the plan.
#include "harness/InputIdentity.hpp"

namespace mlffb {
namespace {

std::string shortHash(const Json& h) { return h.is_string() ? h.get<std::string>().substr(0, 12) + "…" : std::string("(none)"); }

}  // namespace

std::vector<std::string> inputDifferences(const Json& before, const Json& now, bool& onlyAdditions) {
  std::vector<std::string> out;
  if (!before.is_object() || !now.is_object()) return out;
  for (const auto& [path, hash] : before.items()) {
    if (!now.contains(path))
      out.push_back(path + ": no longer read");
    else if (now[path] != hash)
      out.push_back(path + ": content changed (sha256 " + shortHash(hash) + " → " + shortHash(now[path]) + ")");
  }
  if (!out.empty()) onlyAdditions = false;
  return out;
}

}  // namespace mlffb
