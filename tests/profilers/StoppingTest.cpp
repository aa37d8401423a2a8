// Stopping criteria and the median's interval on synthetic timers (no clock: each sample's
// duration is drawn, and the measured time is their sum, as Measurement.cpp counts it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <iostream>
#include <random>

#include "profilers/Stopping.hpp"

using namespace mlffb::profilers;

namespace {

struct Series {
  std::vector<double> samples;
  double measuredS = 0;
  StoppingRule rule;
};

/// Samples `draw()` (ms) until the rule stops.
Series sampleUntilStopped(const StoppingCriteria& c, const std::function<double()>& draw) {
  Series r{{}, 0, StoppingRule(c)};
  while (r.rule.more(r.samples, r.measuredS)) {
    const double ms = draw();
    r.samples.push_back(ms);
    r.measuredS += ms * 1e-3;
  }
  return r;
}

StoppingCriteria criteria(int minSamples, double minTimeS, double maxNoise, double maxTimeS) {
  StoppingCriteria c;
  c.minSamples = minSamples;
  c.minTimeS = minTimeS;
  c.maxNoise = maxNoise;
  c.maxTimeS = maxTimeS;
  return c;
}

}  // namespace

TEST(Stopping, StableTimerStopsAtTheMinimaWithTheCriteriaMet) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> jitter(10.0, 0.05);  // 10 ms ± 0.5 %
  const Series r = sampleUntilStopped(criteria(5, 0.2, 0.02, 60), [&] { return jitter(rng); });
  EXPECT_TRUE(r.rule.met());
  EXPECT_EQ(r.rule.stoppedBy(), "criteria");
  // 0.2 s of 10 ms samples is 20: the minimum time decides, the noise is met at once.
  EXPECT_GE(r.samples.size(), 20u);
  EXPECT_LE(r.samples.size(), 23u);
  EXPECT_LT(r.measuredS, 1.0);  // far from max-time
  const auto j = r.rule.describe(r.samples, r.measuredS, "ms");
  EXPECT_LE(j["noise"].get<double>(), 0.02);
  EXPECT_TRUE(j["met"].get<bool>());
  EXPECT_LE(j["ci95_ms"][0].get<double>(), j["median_ms"].get<double>());
  EXPECT_GE(j["ci95_ms"][1].get<double>(), j["median_ms"].get<double>());
}

TEST(Stopping, MinimumSamplesHoldForASlowStableTimer) {
  const Series r = sampleUntilStopped(criteria(7, 0.01, 0.02, 600), [] { return 1000.0; });  // 1 s each
  EXPECT_EQ(r.samples.size(), 7u);
  EXPECT_TRUE(r.rule.met());
}

TEST(Stopping, NoisyTimerRunsToMaxTimeAndSaysNotMet) {
  // Half the samples 1 ms, half 3 ms (a bimodal timer: a core shared with another process): the
  // median is not determined, its interval spans both modes however many samples come.
  std::mt19937_64 rng(2);
  std::bernoulli_distribution slow(0.5);
  const Series r = sampleUntilStopped(criteria(5, 0.1, 0.02, 2.0), [&] { return slow(rng) ? 3.0 : 1.0; });
  EXPECT_FALSE(r.rule.met());
  EXPECT_EQ(r.rule.stoppedBy(), "max-time");
  EXPECT_GE(r.measuredS, 2.0);
  EXPECT_LT(r.measuredS, 2.0 + 0.004);  // never past max-time by more than one sample
  const auto j = r.rule.describe(r.samples, r.measuredS, "ms");
  EXPECT_GT(j["noise"].get<double>(), 0.02);
  EXPECT_FALSE(j["met"].get<bool>());
}

TEST(Stopping, FixedCountIsExact) {
  const Series r = sampleUntilStopped(StoppingCriteria::fixed(4), [] { return 5.0; });
  EXPECT_EQ(r.samples.size(), 4u);
  EXPECT_EQ(r.rule.stoppedBy(), "fixed-count");
  EXPECT_EQ(StoppingCriteria::fromJson(StoppingCriteria::fixed(4).toJson()).fixedSamples, 4);
  const StoppingCriteria back = StoppingCriteria::fromJson(criteria(9, 1.5, 0.03, 40).toJson());
  EXPECT_TRUE(back.adaptive);
  EXPECT_EQ(back.minSamples, 9);
  EXPECT_DOUBLE_EQ(back.maxNoise, 0.03);
}

/// Coverage of the 95 % interval of the median: over many trials from a known distribution, the
/// interval holds the true median at the nominal rate, within three binomial standard errors.
void expectCoverage(int n, int trials) {
  std::mt19937_64 rng(1234 + n);
  std::exponential_distribution<double> d(1.0);  // skewed, like timings; median ln 2
  const double truth = std::log(2.0);
  int covered = 0;
  for (int t = 0; t < trials; ++t) {
    std::vector<double> x(static_cast<size_t>(n));
    for (auto& v : x) v = d(rng);
    const Interval ci = medianInterval(x, 1000, 77 + t);
    covered += ci.lo <= truth && truth <= ci.hi;
  }
  const double rate = static_cast<double>(covered) / trials;
  const double se = std::sqrt(0.95 * 0.05 / trials);
  std::cout << "median interval, n = " << n << ": covers the true median in " << covered << " of " << trials << " trials (" << rate << ")\n";
  EXPECT_GE(rate, 0.95 - 3 * se) << "n = " << n << ": coverage " << rate;
  EXPECT_LE(rate, 0.95 + 3 * se) << "n = " << n << ": coverage " << rate;
}

TEST(Stopping, BootstrapIntervalCoversTheTrueMedianAtItsNominalRate) {
  // Measured (2026-12-07): 0.941 at n = 25 (1,500 trials), 0.943 at n = 101 (800 trials): the
  // percentile bootstrap of a median runs a little under its nominal rate at small n, inside the band.
  expectCoverage(25, 1500);
  expectCoverage(101, 800);
}

TEST(Stopping, OrderStatisticIntervalCoversTheTrueMedianAtItsNominalRate) {
  expectCoverage(static_cast<int>(kBootstrapMaxSamples) + 201, 1500);  // measured 0.950
}

TEST(Stopping, IntervalOfFewSamples) {
  EXPECT_EQ(medianInterval({}).lo, 0);
  EXPECT_EQ(medianInterval({4.0}).hi, 4.0);
  const SampleStats one = sampleStats({4.0});
  EXPECT_TRUE(std::isinf(one.noise));
  // The same samples give the same interval (a fixed seed).
  const std::vector<double> x{3, 1, 4, 1, 5, 9, 2, 6};
  EXPECT_EQ(medianInterval(x).lo, medianInterval(x).lo);
  EXPECT_EQ(medianInterval(x).hi, medianInterval(x).hi);
}
