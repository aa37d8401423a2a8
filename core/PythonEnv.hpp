#pragma once
// The project's Python environment: the virtual environment scripts/setup.sh creates inside the
// checkout (`.venv`, pinned by scripts/python-requirements.txt) with PyPI's torch and the peer
// packages (TorchANI, TorchMD-Net, OpenMM with openmm-torch and openmm-ml). The peer flavours and
// the openmm-ml engine run their Python through it; where it or a package is missing they are
// skipped with the reason this gives, never a crash.
#include <optional>
#include <string>
#include <vector>

namespace mlffb {

/// The interpreter: $MLFFB_PYTHON when set (it must be executable), else <checkout>/.venv/bin/python3.
/// Empty with `why` filled when there is none.
std::string pythonInterpreter(std::string* why = nullptr);

/// Whether the interpreter imports every module of `modules` (asked once per process and list, by
/// running it); `why` gets the reason when not (no environment, or the import error's last line).
bool pythonHasModules(const std::vector<std::string>& modules, std::string* why = nullptr);

/// The last non-empty line of a program's output: a Python traceback's error line.
std::string lastOutputLine(const std::string& text);

/// The full path of a script the project ships under scripts/ (e.g. "peers/peer_worker.py").
std::string projectScript(const std::string& relative);

/// The checkout mlff-bench was built from (compiled in).
std::string projectSourceDir();

}  // namespace mlffb
