#pragma once
// What mlff-bench reads from a GROMACS md.log: the energy blocks (every nstlog step, names and
// values in 15-character columns), the averages, the minimiser's summary, the real cycle and
// time accounting table and the Performance line.
#include <optional>
#include <string>
#include <vector>

namespace mlffb::classical {

struct GmxEnergyFrame {
  long step = 0;
  double timePs = 0;
  std::vector<std::pair<std::string, double>> terms;  // ("Bond", kJ/mol), ..., ("Temperature", K)
  std::optional<double> get(const std::string& name) const;
};

struct GmxCycleRow {
  std::string name;       // "Neighbor search", "Force", "PME mesh", ...
  long calls = 0;         // 0 when the row has no count
  double wallSeconds = 0;
  double gigaCycles = 0;
  double percent = 0;
};

struct GmxMinimization {
  bool converged = false;
  int steps = 0;
  double potential = 0;      // kJ/mol
  double maxForce = 0;       // kJ/mol/nm
  double tolerance = 0;      // kJ/mol/nm
};

struct GmxLog {
  std::vector<GmxEnergyFrame> frames;          // in step order, averages excluded
  std::optional<GmxEnergyFrame> averages;
  std::vector<GmxCycleRow> cycles;             // the accounting table (Total last)
  std::string cycleHeader;                     // "On 1 MPI rank, each using 2 OpenMP threads"
  std::optional<double> nsPerDay, hoursPerNs, coreSeconds, wallSeconds;
  std::optional<GmxMinimization> minimization;
};

/// Parses md.log text; `file` names it in errors (a log without what the caller needs is the
/// caller's error to raise).
GmxLog parseGmxLog(const std::string& text, const std::string& file);

}  // namespace mlffb::classical
