#pragma once
// When a timing is known well enough: nvbench-style stopping criteria for a series of samples
// (single-point evaluations, or windows of MD steps), and the interval every timing carries.
//
// Noise is the relative half-width of a 95 % confidence interval of the median, not the relative
// standard deviation. The RSD describes the distribution and does not shrink with more samples, so
// a timer with honest jitter (a shared machine) would never meet an RSD criterion; the interval
// says how well the median is known, shrinks as 1/√n, and is what decides whether two figures
// differ. The median, because a descheduled sample is an outlier the mean would carry.
// The interval is the percentile bootstrap of the median (2,000 resamples, a fixed seed: the same
// samples give the same interval) up to kBootstrapMaxSamples samples; above that the
// distribution-free order-statistic interval (binomial, normal approximation), to which the
// bootstrap converges and which costs nothing at 10⁵ samples.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace mlffb::profilers {

struct StoppingCriteria {
  /// adaptive: sample until the criteria below; fixed: exactly `fixedSamples`.
  bool adaptive = true;
  int fixedSamples = 0;
  int minSamples = 5;
  double minTimeS = 0.5;   // measured time (sum of the samples' own time), seconds
  double maxNoise = 0.02;  // relative half-width of the median's 95 % interval
  double maxTimeS = 20.0;  // never measure past this
  /// The criteria as the record carries them.
  nlohmann::ordered_json toJson() const;
  static StoppingCriteria fixed(int samples);
  static StoppingCriteria fromJson(const nlohmann::ordered_json& j);
};

struct Interval {
  double lo = 0, hi = 0;
};

inline constexpr size_t kBootstrapMaxSamples = 400;
/// The 95 % interval of the median of `x` (see above); {x, x} for one sample, {0, 0} for none.
Interval medianInterval(const std::vector<double>& x, int resamples = 2000, std::uint64_t seed = 0x6d6c6666u);

struct SampleStats {
  int samples = 0;
  double median = 0, lo = 0, hi = 0;
  double noise = 0;  // (hi − lo) / 2 / median; infinite below 2 samples
  double rsd = 0;    // standard deviation / mean (descriptive only)
};
SampleStats sampleStats(const std::vector<double>& x);

/// Decides after each sample whether to take another. Samples are durations in ms; `elapsedS` is
/// the measured time so far (the caller's clock, so tests can drive it with a synthetic one).
class StoppingRule {
 public:
  explicit StoppingRule(StoppingCriteria c) : c_(c) {}
  /// True while another sample is wanted. The noise is evaluated on a geometric schedule (every
  /// ~10 % more samples), so a long series costs O(n log n) in intervals, not O(n²).
  bool more(const std::vector<double>& samples, double elapsedS);
  /// Why sampling stopped: "criteria", "max-time", "fixed-count", or the caller's own reason.
  const std::string& stoppedBy() const { return stoppedBy_; }
  void setStoppedBy(std::string why) { stoppedBy_ = std::move(why); }
  bool met() const { return met_; }
  const StoppingCriteria& criteria() const { return c_; }
  /// The record's `timing` section for these samples.
  nlohmann::ordered_json describe(const std::vector<double>& samples, double elapsedS, const std::string& unit) const;

 private:
  StoppingCriteria c_;
  size_t nextCheck_ = 0;
  double lastNoise_ = 0;
  bool met_ = false;
  std::string stoppedBy_;
};

}  // namespace mlffb::profilers
