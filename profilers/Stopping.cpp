#include "profilers/Stopping.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "profilers/WallClockCollector.hpp"

namespace mlffb::profilers {

nlohmann::ordered_json StoppingCriteria::toJson() const {
  if (!adaptive) return {{"mode", "fixed"}, {"samples", fixedSamples}};
  return {{"mode", "adaptive"}, {"min_samples", minSamples}, {"min_time_s", minTimeS}, {"max_noise", maxNoise}, {"max_time_s", maxTimeS}};
}

StoppingCriteria StoppingCriteria::fixed(int samples) {
  StoppingCriteria c;
  c.adaptive = false;
  c.fixedSamples = samples;
  return c;
}

StoppingCriteria StoppingCriteria::fromJson(const nlohmann::ordered_json& j) {
  if (j.at("mode") == "fixed") return fixed(j.at("samples"));
  StoppingCriteria c;
  c.minSamples = j.at("min_samples");
  c.minTimeS = j.at("min_time_s");
  c.maxNoise = j.at("max_noise");
  c.maxTimeS = j.at("max_time_s");
  return c;
}

namespace {
double medianOf(std::vector<double>& v) {
  const size_t n = v.size(), h = n / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(h), v.end());
  const double upper = v[h];
  if (n % 2) return upper;
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + static_cast<long>(h)));
}
}  // namespace

Interval medianInterval(const std::vector<double>& x, int resamples, std::uint64_t seed) {
  const size_t n = x.size();
  if (n == 0) return {};
  std::vector<double> sorted(x);
  std::sort(sorted.begin(), sorted.end());
  if (n == 1) return {sorted[0], sorted[0]};
  if (n > kBootstrapMaxSamples) {
    // Order statistics: the number of samples below the median is Binomial(n, ½).
    const double half = 1.959964 * std::sqrt(static_cast<double>(n)) / 2.0;
    const double mid = static_cast<double>(n) / 2.0;
    const auto at = [&](double k) { return sorted[static_cast<size_t>(std::clamp(k, 0.0, static_cast<double>(n - 1)))]; };
    return {at(std::floor(mid - half)), at(std::ceil(mid + half) - 1)};
  }
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, n - 1);
  std::vector<double> medians(static_cast<size_t>(resamples)), draw(n);
  for (auto& m : medians) {
    for (auto& d : draw) d = sorted[pick(rng)];
    m = medianOf(draw);
  }
  return {percentile(medians, 0.025), percentile(medians, 0.975)};
}

SampleStats sampleStats(const std::vector<double>& x) {
  SampleStats s;
  s.samples = static_cast<int>(x.size());
  if (x.empty()) return s;
  s.median = percentile(x, 0.5);
  const Interval ci = medianInterval(x);
  s.lo = ci.lo;
  s.hi = ci.hi;
  s.noise = x.size() < 2 ? std::numeric_limits<double>::infinity() : (s.median > 0 ? (ci.hi - ci.lo) / 2.0 / s.median : 0.0);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(x.size());
  double var = 0;
  for (double v : x) var += (v - mean) * (v - mean);
  s.rsd = x.size() > 1 && mean > 0 ? std::sqrt(var / static_cast<double>(x.size() - 1)) / mean : 0.0;
  return s;
}

bool StoppingRule::more(const std::vector<double>& samples, double elapsedS) {
  const size_t n = samples.size();
  if (!c_.adaptive) {
    if (static_cast<int>(n) < c_.fixedSamples) return true;
    met_ = true;
    stoppedBy_ = "fixed-count";
    return false;
  }
  if (elapsedS >= c_.maxTimeS) {
    met_ = false;
    stoppedBy_ = "max-time";
    return false;
  }
  if (static_cast<int>(n) < std::max(2, c_.minSamples) || elapsedS < c_.minTimeS) return true;
  if (n >= nextCheck_) {
    lastNoise_ = sampleStats(samples).noise;
    nextCheck_ = n + std::max<size_t>(1, n / 10);
    if (lastNoise_ <= c_.maxNoise) {
      met_ = true;
      stoppedBy_ = "criteria";
      return false;
    }
  }
  return true;
}

nlohmann::ordered_json StoppingRule::describe(const std::vector<double>& samples, double elapsedS, const std::string& unit) const {
  const SampleStats s = sampleStats(samples);
  nlohmann::ordered_json j;
  j["criteria"] = c_.toJson();
  j["unit"] = unit;
  j["samples"] = s.samples;
  j["measured_s"] = elapsedS;
  j["median_ms"] = s.median;
  j["ci95_ms"] = {s.lo, s.hi};
  j["noise"] = std::isfinite(s.noise) ? nlohmann::ordered_json(s.noise) : nlohmann::ordered_json(nullptr);
  j["rsd"] = s.rsd;
  j["met"] = c_.adaptive ? met_ : static_cast<int>(samples.size()) >= c_.fixedSamples;
  j["stopped_by"] = stoppedBy_.empty() ? std::string(c_.adaptive ? "unfinished" : "fixed-count") : stoppedBy_;
  return j;
}

}  // namespace mlffb::profilers
