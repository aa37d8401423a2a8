#pragma once
// Whole-file writes that are atomic: the text goes to a temporary file in the same folder,
// is flushed to disk, and is renamed over the target, so a reader (or a crash) never sees a
// truncated file.
#include <string>

namespace mlffb {

/// Writes `content` to `path` atomically; throws std::runtime_error naming the path on failure.
void writeFileAtomically(const std::string& path, const std::string& content);
/// Reads a whole file; throws std::runtime_error naming the path if it cannot be read.
std::string readFile(const std::string& path);
/// Creates `dir` (and parents) if needed and checks it is writable; throws naming it otherwise.
void ensureWritableDirectory(const std::string& dir);

}  // namespace mlffb
