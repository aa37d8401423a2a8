#pragma once
// The run record of a point, assembled here and nowhere else: its identity (id, model, engine,
// configuration, mode, device, precision), its system section, status and message, and the
// measurements the driver returns.
#include <string>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

/// The record before anything ran: status "error", message "did not finish". A worker writes it
/// first, so a crash still leaves the point's identity (and its system, when built) behind.
Json startedRecord(const Point& point, const Json& systemSection);
/// A point the planner found this build or machine cannot run: skipped with the reason.
Json skippedRecord(const Point& point);
void setStatus(Json& record, const std::string& status, const std::string& message);

}  // namespace mlffb
