#pragma once
// Runs another program (gmx, mpirun) the way the out-of-process engines need (or starts one that
// answers requests over a socket: PipedProgram): argv without a shell, a working folder, stdin
// from a text, stdout and stderr together into a log file that stays for the user, a wall-clock
// limit. Nothing is inherited but the environment (plus `env`).
// Every program it starts dies with the thread that started it, whatever kills that (SIGKILL, the
// out-of-memory killer): PR_SET_PDEATHSIG, set between fork and exec. The program's own children
// (the ranks mpirun starts) are told to do the same by MLFFB_DIE_WITH_PARENT (our own programs
// obey it at startup: dieWithParentIfAsked).
#include <map>
#include <string>
#include <vector>

namespace mlffb {

struct SubprocessResult {
  int exitCode = -1;       // the program's exit status; -1 when it died of a signal or did not start
  int signal = 0;          // the signal that ended it, if any
  bool timedOut = false;
  double seconds = 0;      // wall clock
  std::string logPath;     // stdout and stderr
  bool ok() const { return exitCode == 0 && !timedOut; }
};

struct SubprocessOptions {
  std::string workDir = ".";
  std::string stdinText;                    // fed on stdin (empty: /dev/null)
  std::string logPath;                      // stdout+stderr; relative to workDir; required
  std::map<std::string, std::string> env;   // added to (or replacing in) the environment
  double timeoutSeconds = 0;                // 0: none
};

/// Runs argv[0] (searched on PATH when it has no '/'); throws std::runtime_error only when the
/// program cannot be started at all (not found, not executable).
SubprocessResult runProgram(const std::vector<std::string>& argv, const SubprocessOptions& options);

/// A long-lived program that answers requests (the Python peers' worker): started as runProgram
/// starts programs (dies with the thread that started it; stderr into options.logPath; stdinText
/// and timeoutSeconds unused), its stdin and stdout one connected socket to this process, so a
/// write to a program that has exited is an error, not SIGPIPE. The destructor closes the socket
/// (end of input: the program's cue to exit), waits up to 5 s, then kills it.
class PipedProgram {
 public:
  PipedProgram(const std::vector<std::string>& argv, const SubprocessOptions& options);
  ~PipedProgram();
  PipedProgram(const PipedProgram&) = delete;
  PipedProgram& operator=(const PipedProgram&) = delete;
  /// Writes all `n` bytes to its stdin; false when it has gone.
  bool write(const void* data, size_t n);
  /// Reads exactly `n` bytes of its stdout; false when it ended first.
  bool read(void* data, size_t n);
  /// Its stderr.
  const std::string& logPath() const { return logPath_; }

 private:
  int pid_ = -1;
  int fd_ = -1;
  std::string logPath_;
};

/// The variable runProgram sets in every program it starts: the started program's pid. A program of
/// ours started below it (an MPI rank, a `run` under ncu) calls dieWithParentIfAsked at startup.
inline constexpr const char* kDieWithParentVariable = "MLFFB_DIE_WITH_PARENT";

/// When MLFFB_DIE_WITH_PARENT names this process's parent (it is a direct child of a program
/// runProgram started): it gets SIGKILL when that parent dies, and exits at once when it already
/// has. Otherwise (no variable: a `run` a person started, which may outlive its shell with nohup;
/// a process further down) nothing changes.
void dieWithParentIfAsked();

/// The full path of `program` on PATH (or itself when it contains '/' and is executable); empty if none.
std::string findProgram(const std::string& program);

/// The text of a file, at most `maxBytes` from its end (0: whole).
std::string readTextFile(const std::string& path, size_t maxBytes = 0);

/// `s` as one shell word: unchanged when it holds only characters no shell treats specially,
/// else in single quotes (for command lines printed to be pasted: the resume hint, `profile --dry-run`).
std::string shellQuote(const std::string& s);

}  // namespace mlffb
