// Starting programs: fork and exec with PR_SET_PDEATHSIG, a log, a time limit (see Subprocess.hpp).
#include "core/Subprocess.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace mlffb {
namespace fs = std::filesystem;

std::string findProgram(const std::string& program) {
  if (program.empty()) return "";
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::stringstream ss(path ? path : "/usr/bin:/bin");
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    const std::string p = (dir.empty() ? std::string(".") : dir) + "/" + program;
    struct stat st {};
    if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

std::string readTextFile(const std::string& path, size_t maxBytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  if (maxBytes && s.size() > maxBytes) s.erase(0, s.size() - maxBytes);
  return s;
}

namespace {

/// Everything the child needs between fork and exec, made before the fork (only async-signal-safe
/// calls may run there: the caller may have threads).
struct ChildSetup {
  std::string exe, workDir, stdinPath, logPath;
  int ioFd = -1;  // when set: the program's stdin and stdout (a socket), and stdinPath is unused
  std::vector<std::string> envStrings, argvCopy;
  std::vector<char*> envp, args;
  char* pidSlot = nullptr;  // the digits of MLFFB_DIE_WITH_PARENT=…, written by the child
  pid_t parent = 0;
};

constexpr int kPidDigits = 20;

void prepareChild(ChildSetup& c, const std::vector<std::string>& argv, const std::map<std::string, std::string>& extraEnv) {
  std::map<std::string, std::string> envMap;
  for (char** e = environ; e && *e; ++e) {
    const std::string kv = *e;
    const auto eq = kv.find('=');
    if (eq != std::string::npos) envMap[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extraEnv) envMap[k] = v;
  envMap[kDieWithParentVariable] = std::string(kPidDigits, ' ');
  for (const auto& [k, v] : envMap) c.envStrings.push_back(k + "=" + v);
  for (auto& s : c.envStrings) {
    c.envp.push_back(s.data());
    if (s.rfind(std::string(kDieWithParentVariable) + "=", 0) == 0) c.pidSlot = s.data() + s.size() - kPidDigits;
  }
  c.envp.push_back(nullptr);
  c.argvCopy = argv;
  for (auto& s : c.argvCopy) c.args.push_back(s.data());
  c.args.push_back(nullptr);
  c.parent = ::getpid();
}

/// `n` in decimal into `slot` (kPidDigits wide, the rest spaces trimmed by writing a terminator).
void writePid(char* slot, long n) {
  char digits[kPidDigits];
  int len = 0;
  do {
    digits[len++] = static_cast<char>('0' + n % 10);
    n /= 10;
  } while (n > 0 && len < kPidDigits);
  for (int i = 0; i < len; ++i) slot[i] = digits[len - 1 - i];
  slot[len] = '\0';
}

/// In the forked child: dies with its parent, its files in place, then the program. An exec
/// failure's errno goes to `errFd` (close-on-exec: it closes unread when the exec works).
[[noreturn]] void execChild(ChildSetup& c, int errFd) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != c.parent) ::_exit(127);  // the parent died before the line above
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int err = 0;
  const int in = c.ioFd >= 0 ? c.ioFd : ::open(c.stdinPath.c_str(), O_RDONLY);
  const int log = ::open(c.logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (in < 0 || log < 0 || ::dup2(in, 0) < 0 || ::dup2(c.ioFd >= 0 ? in : log, 1) < 0 || ::dup2(log, 2) < 0 ||
      ::chdir(c.workDir.c_str()) != 0)
    err = errno;
  if (!err) {
    if (in > 2) ::close(in);
    if (log > 2) ::close(log);
    writePid(c.pidSlot, ::getpid());
    ::execve(c.exe.c_str(), c.args.data(), c.envp.data());
    err = errno;
  }
  [[maybe_unused]] const ssize_t w = ::write(errFd, &err, sizeof err);
  ::_exit(127);
}

/// Forks and execs; returns the child's pid, or throws with the reason it could not start.
pid_t startChild(ChildSetup& c, const std::string& name) {
  int pipeFds[2];
  if (::pipe2(pipeFds, O_CLOEXEC) != 0) throw std::runtime_error(name + ": cannot start (" + std::strerror(errno) + ")");
  const pid_t pid = ::fork();
  if (pid == 0) execChild(c, pipeFds[1]);
  const int forkErr = errno;
  ::close(pipeFds[1]);
  int err = 0;
  ssize_t n = 0;
  if (pid > 0)
    do n = ::read(pipeFds[0], &err, sizeof err);
    while (n < 0 && errno == EINTR);
  ::close(pipeFds[0]);
  if (pid < 0) throw std::runtime_error(name + ": cannot start (" + std::strerror(forkErr) + ")");
  if (n == static_cast<ssize_t>(sizeof err)) {
    ::waitpid(pid, nullptr, 0);
    throw std::runtime_error(name + ": cannot start (" + std::strerror(err) + ")");
  }
  return pid;
}

}  // namespace

void dieWithParentIfAsked() {
  const char* v = std::getenv(kDieWithParentVariable);
  const long started = v ? std::atol(v) : 0;
  // Only a direct child of the program runProgram started (mpirun's ranks, the run ncu starts): a
  // process further down has a parent of its own that already dies with it, and a parent that is
  // some launcher in between (orted, a profiler's helper) may rightly end before it.
  if (started <= 0 || ::getppid() != static_cast<pid_t>(started)) return;
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != static_cast<pid_t>(started)) std::_Exit(137);  // it died before the line above
}

namespace {
/// The child's program, folder and log (absolute) from argv and the options; throws when the
/// program is not found.
void locateChild(ChildSetup& c, const std::vector<std::string>& argv, const SubprocessOptions& o, const char* caller) {
  if (argv.empty()) throw std::invalid_argument(std::string(caller) + ": empty command");
  if (o.logPath.empty()) throw std::invalid_argument(std::string(caller) + ": no log path");
  c.exe = findProgram(argv[0]);
  if (c.exe.empty()) throw std::runtime_error(argv[0] + ": not found on PATH");
  const fs::path work = fs::absolute(o.workDir);
  c.workDir = work.string();
  c.logPath = (fs::path(o.logPath).is_absolute() ? fs::path(o.logPath) : work / o.logPath).string();
  c.stdinPath = "/dev/null";
}
}  // namespace

SubprocessResult runProgram(const std::vector<std::string>& argv, const SubprocessOptions& o) {
  ChildSetup c;
  locateChild(c, argv, o, "runProgram");
  SubprocessResult r;
  r.logPath = c.logPath;
  if (!o.stdinText.empty()) {
    c.stdinPath = r.logPath + ".stdin";
    std::ofstream(c.stdinPath) << o.stdinText;
  }
  // It stays in our process group, so the runner's kill of a worker's group (timeout, Ctrl-C)
  // stops it too; and it dies with this thread (execChild), so nothing outlives a killed worker.
  prepareChild(c, argv, o.env);

  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = startChild(c, argv[0]);
  int status = 0;
  for (;;) {
    const pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (w < 0 && errno != EINTR) break;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.timeoutSeconds > 0 && elapsed > o.timeoutSeconds && !r.timedOut) {
      r.timedOut = true;
      kill(pid, SIGTERM);
      std::this_thread::sleep_for(std::chrono::seconds(2));
      kill(pid, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(elapsed < 1 ? 2 : 20));
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (WIFEXITED(status)) r.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  if (!o.stdinText.empty()) fs::remove(c.stdinPath);
  return r;
}

PipedProgram::PipedProgram(const std::vector<std::string>& argv, const SubprocessOptions& o) {
  ChildSetup c;
  locateChild(c, argv, o, "PipedProgram");
  logPath_ = c.logPath;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error(argv[0] + ": cannot start (" + std::strerror(errno) + ")");
  c.ioFd = fds[1];
  prepareChild(c, argv, o.env);
  try {
    pid_ = startChild(c, argv[0]);
  } catch (...) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw;
  }
  ::close(fds[1]);
  fd_ = fds[0];
}

PipedProgram::~PipedProgram() {
  ::close(fd_);  // end of input: the program's cue to exit
  for (int i = 0; i < 250; ++i) {  // up to 5 s
    if (::waitpid(pid_, nullptr, WNOHANG) != 0) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
}

bool PipedProgram::write(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

bool PipedProgram::read(void* data, size_t n) {
  char* p = static_cast<char*>(data);
  while (n > 0) {
    const ssize_t r = ::recv(fd_, p, n, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

std::string shellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,@+") == std::string::npos) return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace mlffb
