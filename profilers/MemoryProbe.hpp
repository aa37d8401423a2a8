#pragma once
// Peak resident memory of this process: reset before a run (Linux clear_refs "5"), read after.
#include <cstdint>

namespace mlffb::profilers {

/// Resets the peak-RSS mark; returns false if the kernel refused (the peak is then process-wide).
bool resetPeakRss();
/// VmHWM (peak resident set size) in bytes, 0 if unavailable.
std::uint64_t peakRssBytes();
/// VmRSS (current resident set size) in bytes.
std::uint64_t currentRssBytes();

}  // namespace mlffb::profilers
