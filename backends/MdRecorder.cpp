// MdRecorder: the protocol check, blow-up detection, trace, frames and production samples of
// every engine's MD run (see MdRecorder.hpp).
#include "backends/MdRecorder.hpp"

#include <algorithm>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"

namespace mlffb {

void MdRecorder::checkProtocol(const MdOptions& o) {
  if (o.steps < 1 || o.warmupSteps < 0 || !(o.timestepFs > 0) || !(o.temperatureK > 0) || o.traceEvery < 1)
    throw std::invalid_argument("MD options: steps ≥ 1, warm-up ≥ 0, dt > 0, temperature > 0 and trace interval ≥ 1 are required");
}

namespace {
constexpr const char* kBlowUp = "MD blew up at step ";
}  // namespace

bool MdRecorder::namesBlowUp(const std::string& text) { return text.find(kBlowUp) != std::string::npos; }

MdRecorder::MdRecorder(const MdOptions& md, const System* atoms) : md_(md), atoms_(atoms) {
  checkProtocol(md_);
  // A folder that cannot take the files fails the run before it starts, not after it.
  for (const std::string& path : {md_.tracePath, md_.trajectoryPath})
    if (!path.empty()) {
      const std::filesystem::path folder = std::filesystem::path(path).parent_path();
      ensureWritableDirectory(folder.empty() ? "." : folder.string());
    }
  if (!md_.tracePath.empty()) trace_ = "step,time_ps,potential_kj_mol,kinetic_kj_mol,total_kj_mol,temperature_k\n";
}

MdRecorder::~MdRecorder() {
  try {
    write();
  } catch (const std::exception&) {
    // A failed run's partial trace is a courtesy: the run's own error is what propagates.
  }
}

void MdRecorder::record(const MdStepRecord& s) {
  checkBlowUp(s);
  if (s.step > md_.warmupSteps) {
    timePs_.push_back(static_cast<double>(s.step) * md_.timestepFs * units::kPsPerFs);
    potential_.push_back(s.potentialKJPerMol);
    kinetic_.push_back(s.kineticKJPerMol);
    temperature_.push_back(s.temperatureK);
  }
  if (!isTraceStep(s.step)) return;
  if (!md_.tracePath.empty()) writeRow(s);
  if (wantsPositions(s.step) && s.positions) writeFrame(s.step, s.positions());
}

bool MdRecorder::endsAt(long step) {
  lastStep_ = step;
  if (step >= totalSteps()) return true;
  return step > md_.warmupSteps && enough_ && enough_(step - md_.warmupSteps);
}

void MdRecorder::finish(EngineResult& out) {
  write();
  if (lastStep_ > 0) out.productionSteps = std::max(0L, lastStep_ - md_.warmupSteps);
  out.timePs = std::move(timePs_);
  out.potentialKJPerMol = std::move(potential_);
  out.kineticKJPerMol = std::move(kinetic_);
  out.temperatureK = std::move(temperature_);
}

void MdRecorder::checkBlowUp(const MdStepRecord& s) const {
  const bool finite = std::isfinite(s.potentialKJPerMol) && std::isfinite(s.kineticKJPerMol) && std::isfinite(s.temperatureK);
  if (finite && !(s.temperatureK > md_.blowUpLimitK())) return;
  std::ostringstream msg;
  msg << kBlowUp << s.step << ": ";
  if (!finite)
    msg << "non-finite energy";
  else
    msg << "temperature " << std::lround(s.temperatureK) << " K exceeds " << md_.blowUpLimitK() << " K";
  if (finite && md_.blowUpLimitK() > md_.blowUpTemperatureK) msg << " (" << MdOptions::kBlowUpOverTarget << " × the " << md_.temperatureK << " K target)";
  msg << fastestAtom(s);
  throw MdBlowUp(msg.str());
}

/// "; fastest <atom>" (an atom with a non-finite position or velocity counts as fastest), or
/// nothing when the engine cannot say.
std::string MdRecorder::fastestAtom(const MdStepRecord& s) const {
  if (!atoms_ || !s.positions || !s.velocities) return "";
  std::vector<Vec3> x, v;
  try {
    x = s.positions();
    v = s.velocities();
  } catch (const std::exception&) {
    return "";  // an engine that refuses to hand out a broken state (OpenMM on NaN coordinates)
  }
  if (x.size() != v.size() || x.size() != atoms_->size() || x.empty()) return "";
  size_t worst = 0;
  double worstV = -1;
  for (size_t i = 0; i < x.size(); ++i) {
    const double speed = isFinite(x[i]) && isFinite(v[i]) ? norm2(v[i]) : INFINITY;
    if (speed > worstV) {
      worstV = speed;
      worst = i;
    }
  }
  return "; fastest " + atoms_->atomLabel(worst);
}

void MdRecorder::writeRow(const MdStepRecord& s) {
  const double t = static_cast<double>(s.step) * md_.timestepFs * units::kPsPerFs;
  char buf[256];
  std::snprintf(buf, sizeof buf, "%ld,%.6g,%.10g,%.10g,%.10g,%.6g\n", s.step, t, s.potentialKJPerMol, s.kineticKJPerMol,
                s.potentialKJPerMol + s.kineticKJPerMol, s.temperatureK);
  trace_ += buf;
}

void MdRecorder::writeFrame(long step, const std::vector<Vec3>& x) {
  if (x.size() != atoms_->size())
    throw std::logic_error("MD frame at step " + std::to_string(step) + ": " + std::to_string(x.size()) + " positions for " +
                           std::to_string(atoms_->size()) + " atoms");
  char buf[128];
  std::snprintf(buf, sizeof buf, "%zu\nstep=%ld time_ps=%g\n", x.size(), step, static_cast<double>(step) * md_.timestepFs * units::kPsPerFs);
  frames_ += buf;
  for (size_t i = 0; i < x.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%-2s %.6f %.6f %.6f\n", elementInfo(atoms_->atoms[i].element).symbol, x[i].x, x[i].y, x[i].z);
    frames_ += buf;
  }
}

void MdRecorder::write() {
  if (written_) return;
  written_ = true;
  // Never over an earlier run's files, never through a link.
  if (!md_.tracePath.empty()) writeNewFile(md_.tracePath, trace_, Existing::Refuse);
  if (!md_.trajectoryPath.empty() && atoms_) writeNewFile(md_.trajectoryPath, frames_, Existing::Refuse);
}

}  // namespace mlffb
