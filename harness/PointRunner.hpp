#pragma once
// Runs one point of a plan in this process and returns its run record (never throws for a
// failure of the point itself: the record's status says what happened).
#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

/// Measures `point` on `system` (built once, by the caller) and classifies a failure:
/// out of memory → oom, unavailable → skipped, anything else → error with the message.
Json runPoint(const Point& point, const System& system);

}  // namespace mlffb
