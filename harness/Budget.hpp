#pragma once
// A point's time budget and the prediction that keeps a suite inside it. A point's wall time is
// predicted from the finished points of its series (the same point at other sizes: same model,
// flavour, engine, configuration, mode, device, precision, ranks): the part outside its sampling
// (setup, warm-up, minimisation, the float64 check) by a power law in the size through the largest
// measured size and the largest at most half of it (else the next smaller), its exponent clamped to [1, 3] (cost grows at least linearly with size,
// and no model here grows faster than cubically; one measured size: linear); the sampling part
// scaled the same way but, under adaptive criteria, never past their max-time. The first MD point of a series is predicted from the single point of its
// model on its system: minimisation limit + warm-up + the fewest production steps, one evaluation each. A point predicted past its budget is recorded `skipped` with the prediction;
// the progress line's ETA sums the predictions of the points still to run.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/Json.hpp"
#include "harness/Plan.hpp"

namespace mlffb {

/// A predicted point past its prediction is stopped at this many times its budget (a point with no
/// prediction, the first of its series, runs to --timeout).
inline constexpr double kBudgetKillFactor = 3.0;

struct Prediction {
  double seconds = 0;
  double exponent = 1;
  Json from = Json::array();  // [{"id", "size", "wall_s"}] the measured points it scales
  Json toJson(double budgetS) const;
};

/// The series a point belongs to: its id with the size taken out.
std::string seriesKey(const Point& p);

/// Predicts `p`'s wall time from `records` (finished records with `wall_s`; only status ok counts)
/// whose points (`plan`, by id) are of its series. Nothing when no point of the series finished.
std::optional<Prediction> predictWall(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan);

/// The system name of a smaller point of `p`'s series that was skipped for its budget (predicted
/// past it, or stopped past kBudgetKillFactor × it), or empty.
std::string smallerPastBudget(const Point& p, const std::vector<Json>& records, const std::map<std::string, const Point*>& plan);

/// "predicted 412 s (∝ size^1.3 from polyala-100 at 38 s and polyala-200 at 95 s)".
std::string describePrediction(const Prediction& p);

}  // namespace mlffb
