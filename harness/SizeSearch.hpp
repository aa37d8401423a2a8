#pragma once
// The largest system a flavour evaluates on a device (the `max-atoms` suite; the seed's Table 2 of
// chemtrain-deploy): sizes double from a start until a probe fails (out of memory, timeout,
// error) or the limit is reached, then bisect between the largest success and the smallest
// failure. Each probe is an ordinary point run in its own worker, so an out-of-memory is a
// result, not a crash; the search is a function of the probes recorded so far, so a resumed
// suite continues where it stopped. A probe killed from outside (`killed`: a SIGKILL the kernel
// did not count as an out-of-memory kill) bounds nothing: its series stops there, incomplete.
#include <optional>
#include <vector>

#include "harness/Json.hpp"

namespace mlffb {

struct SizeSearch {
  int start = 1;            // first size probed (the suite's size unit: molecules, atoms, residues)
  int limit = 1;            // never probe beyond this
  double tolerance = 0.05;  // stop bisecting when the bracket is this narrow (relative)
  double timeSeconds = 0;   // each series' wall-clock budget (0: none): no probe starts after it, none runs past it

  Json toJson() const;
  static SizeSearch fromJson(const Json& j);
};

struct Probe {
  int size = 0;
  bool ok = false;
};

/// The next size to probe after `probes` (in the order they ran), or nothing when the search is done.
std::optional<int> nextProbeSize(const SizeSearch& search, const std::vector<Probe>& probes);

/// The report's `max_size` section: per series (the same point but for its size) the largest
/// size and atom count that ran, the smallest that did not with its status and message, and
/// whether the search is complete (the bracket closed to its tolerance, or the limit reached) or
/// stopped early (its time budget, an interruption): then the bracket is only what was reached.
Json maxSizeSeries(const Json& runs, const SizeSearch& search);

}  // namespace mlffb
