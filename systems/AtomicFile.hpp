#pragma once
// Whole-file writes that never leave a truncated file behind and never replace what the path
// names with something else: a regular file (or a new one) is written to a temporary file in the
// same folder, flushed to disk and renamed over it (its permissions kept); a symlink is followed
// to its target, which is written the same way; a FIFO or a device (/dev/stdout) is written in
// place. A reader, or a crash, never sees half a file under the final name.
//
// The one writing rule every command follows, through the functions below: a file is written only
// where the command line asked; one already there is replaced only with the command's --force; a
// name the suite derives itself (a lock, a journal, a file inside an output folder, a trace) is
// never written through a symbolic link; a failed or short write fails naming the path and the
// cause (No space left on device, File too large); folders a command created and left empty are
// removed again.
#include <string>
#include <vector>

#include "core/ScratchDir.hpp"

namespace mlffb {

/// Writes `content` to `path` as above; throws std::runtime_error naming the path on failure.
void writeFileAtomically(const std::string& path, const std::string& content);
/// Whether a derived name may replace a file already there (the command's --force).
enum class Existing { Refuse, Replace };
/// Writes a file at a name the suite derives (inside an output folder, beside a report): a
/// symbolic link there is refused, never followed; an existing file is replaced only with
/// Existing::Replace (else a UsageError saying --force); written whole as above.
void writeNewFile(const std::string& path, const std::string& content, Existing existing);
/// Appends `text` to a derived file (a journal), created if absent, never through a link; flushed
/// to disk; throws naming the path and the cause.
void appendToFile(const std::string& path, const std::string& text);
/// Checks, before any work, a file the command line names (`option` PATH): not a folder nor a
/// name ending in '/'; an existing regular file only with `force`. UsageError otherwise.
void requireFileOutput(const std::string& path, bool force, const std::string& option = "--out");
/// Checks, before any work, that the files `names` inside `dir` may be written: absent, or
/// present with `force`; a link there is refused.
void requireNewInFolder(const std::string& dir, const std::vector<std::string>& names, bool force);

/// An output folder for a command's life: created (with its parents) when missing and checked
/// writable; the folders it created are removed again at the end if they stayed empty (a command
/// that failed before writing leaves nothing behind).
class OutputFolder {
 public:
  explicit OutputFolder(const std::string& dir);
  ~OutputFolder();
  OutputFolder(const OutputFolder&) = delete;
  OutputFolder& operator=(const OutputFolder&) = delete;

 private:
  void removeEmpty() noexcept;
  std::vector<std::string> created_;  // innermost first
};

/// A hidden folder inside an output folder where a command writes its files first; commit() moves
/// them in, so a failure leaves neither half the files nor any (the folder is removed with what
/// is left in it).
class StagingFolder {
 public:
  /// Creates DIR/.mlff-bench-staging-XXXXXX (owner-locked; one a killed command left is removed first); DIR must exist.
  explicit StagingFolder(const std::string& dir);
  const std::string& path() const { return scratch_.path(); }
  /// `staged` (a path inside the staging folder) as it will be named once committed.
  std::string shown(const std::string& staged) const;
  /// Moves every staged file into the output folder; checks all first (no link there, nothing
  /// there unless Existing::Replace) so a refusal moves none. Returns their names.
  std::vector<std::string> commit(Existing existing);

 private:
  std::string dir_;
  ScratchDir scratch_;  // owner-locked, removed with what is left in it; one a killed command left is reclaimed by the next
};

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
