#pragma once
// Runs one point of a plan in this process and returns its run record (never throws for a
// failure of the point itself: the record's status says what happened).
#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

/// The record before anything ran (status "error", message "did not finish"): what a worker
/// writes first, so a crash still leaves the point's identity and system behind.
Json startedRecord(const Point& point, const System& system);
Json runPoint(const Point& point);

}  // namespace mlffb
