#pragma once
// A worker's progress on its point (samples or steps against its criteria), for the runner's
// progress line on a terminal: one line in the file the runner names in MLFFB_PROGRESS_FILE,
// replaced (write beside, rename) at most twice a second. Without the variable, nothing is written.
#include <string>

namespace mlffb {

inline constexpr const char* kProgressEnv = "MLFFB_PROGRESS_FILE";

/// Whether a progress line is wanted now (the variable is set and half a second has passed since
/// the last one): callers build the line only then, as it may cost an interval of many samples.
bool pointProgressDue();
/// Replaces the progress line.
void sayPointProgress(const std::string& line);
/// The line in `file`, or empty.
std::string readPointProgress(const std::string& file);

}  // namespace mlffb
