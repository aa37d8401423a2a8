#pragma once
// Whole-file writes that never leave a truncated file behind and never replace what the path
// names with something else: a regular file (or a new one) is written to a temporary file in the
// same folder, flushed to disk and renamed over it (its permissions kept); a symlink is followed
// to its target, which is written the same way; a FIFO or a device (/dev/stdout) is written in
// place. A reader, or a crash, never sees half a file under the final name.
#include <string>

namespace mlffb {

/// Writes `content` to `path` as above; throws std::runtime_error naming the path on failure.
void writeFileAtomically(const std::string& path, const std::string& content);
/// The file a path names once symlinks are followed (the path itself when it is no symlink);
/// the target need not exist.
std::string resolveSymlinks(const std::string& path);
/// Whether `path` (after symlinks) is absent or a regular file, i.e. written by rename.
bool isRegularOrAbsent(const std::string& path);
/// Reads a whole file; throws std::runtime_error naming the path if it cannot be read.
std::string readFile(const std::string& path);
/// Creates `dir` (and parents) if needed and checks it is writable; throws naming it otherwise.
void ensureWritableDirectory(const std::string& dir);

}  // namespace mlffb
