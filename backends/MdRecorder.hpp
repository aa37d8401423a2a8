#pragma once
// The MD bookkeeping every engine shares, written once: the protocol checked (one refusal, the
// same for every engine), each recorded step checked for a blow-up (non-finite energy or a
// temperature above MdOptions::blowUpLimitK(), one message naming the step and, where the
// engine knows positions and velocities, the fastest atom), the trace CSV and the XYZ frames every
// traceEvery steps, and the production steps' samples for the EngineResult. An engine steps and
// reads energies; the recorder does the rest. In-process engines (native, OpenMM) record every step
// or every step they read; out-of-process ones record what they report (GROMACS's md.log frames,
// the fix in the LAMMPS driver). The trace and frames are kept in memory and written whole, beside
// their place and moved into it (writeNewFile: never over an existing file nor through a link),
// when the run ends, failed or not.
#include <functional>
#include <string>
#include <vector>

#include "backends/Engine.hpp"
#include "systems/System.hpp"
#include "systems/Vec3.hpp"

namespace mlffb {

/// One recorded step: energies in kJ/mol, temperature in K. Positions (Å) and velocities (any one
/// unit, only compared), where the engine has them, are asked for only when needed: a frame, or
/// the fastest atom of a blow-up.
struct MdStepRecord {
  long step = 0;  // 1 … warm-up + steps (production after the warm-up)
  double potentialKJPerMol = 0, kineticKJPerMol = 0, temperatureK = 0;
  std::function<std::vector<Vec3>()> positions, velocities;
};

class MdRecorder {
 public:
  /// Throws std::invalid_argument unless steps ≥ 1, warm-up ≥ 0, dt > 0, temperature > 0 and
  /// trace interval ≥ 1.
  static void checkProtocol(const MdOptions& md);
  /// Whether `text` (an engine's log line, an error) carries the recorder's blow-up message.
  static bool namesBlowUp(const std::string& text);

  /// Checks `md`. `atoms`, when given (it must outlive the recorder), names the atoms of frames and
  /// of a blow-up; without it there are no frames and no fastest atom.
  explicit MdRecorder(const MdOptions& md, const System* atoms = nullptr);
  /// Writes the trace and frames recorded so far when finish() was not reached (a failed run).
  ~MdRecorder();
  MdRecorder(const MdRecorder&) = delete;
  MdRecorder& operator=(const MdRecorder&) = delete;

  long totalSteps() const { return static_cast<long>(md_.warmupSteps) + md_.steps; }
  /// Steps with a trace row and a frame: every traceEvery-th.
  bool isTraceStep(long step) const { return step % md_.traceEvery == 0; }
  /// Steps an engine that reads its state only now and then reads: the trace steps and the last.
  bool wantsState(long step) const { return isTraceStep(step) || step == totalSteps(); }
  /// Whether record(step) will ask for positions for a frame.
  bool wantsPositions(long step) const { return isTraceStep(step) && !md_.trajectoryPath.empty() && atoms_; }

  /// Production may end early: `enough(productionStepsSoFar)` is asked after each production step
  /// (the measurement's stopping criteria, EngineRequest::enough); empty: every step runs.
  void stopWhen(std::function<bool(long)> enough) { enough_ = std::move(enough); }
  /// Called by the engine after each step: whether it is the last one (the protocol's last step,
  /// or the criteria are met). An engine reads and records the state of its last step.
  bool endsAt(long step);

  /// Checks the step (throws MdBlowUp), keeps it when it is a production step, and writes its trace
  /// row and frame when it is a trace step.
  void record(const MdStepRecord& s);
  /// Writes the trace and frames, and moves the production samples into `out`.
  void finish(EngineResult& out);

 private:
  void checkBlowUp(const MdStepRecord& s) const;
  std::string fastestAtom(const MdStepRecord& s) const;
  void writeRow(const MdStepRecord& s);
  void writeFrame(long step, const std::vector<Vec3>& x);
  void write();

  MdOptions md_;
  const System* atoms_;
  std::string trace_, frames_;
  bool written_ = false;
  std::function<bool(long)> enough_;
  long lastStep_ = 0;
  std::vector<double> timePs_, potential_, kinetic_, temperature_;
};

}  // namespace mlffb
