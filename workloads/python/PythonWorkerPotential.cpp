// A Potential evaluated by the Python worker (see PythonWorkerPotential.hpp): the request and
// reply frames of scripts/peers/peer_worker.py's protocol, nothing model-specific.
#include "workloads/python/PythonWorkerPotential.hpp"

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <stdexcept>

#include "core/PythonEnv.hpp"
#include "core/ScratchDir.hpp"
#include "core/Subprocess.hpp"
#include "profilers/Range.hpp"

namespace mlffb {

Availability pythonModulesAvailability(const std::vector<std::string>& modules) {
  std::string why;
  return pythonHasModules(modules, &why) ? Availability::yes() : Availability::no(why);
}

struct PythonWorkerPotential::Worker {
  ScratchDir folder;
  std::unique_ptr<PipedProgram> program;
};

static_assert(sizeof(Vec3) == 3 * sizeof(double), "positions and forces travel as packed float64 triples");

namespace {

template <typename T>
void append(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

std::string deviceName(const Device& d) {
  if (!d.isCuda()) return "cpu";
  return d.index >= 0 ? "cuda:" + std::to_string(d.index) : "cuda";
}

/// The last line of the worker's log (a traceback's error).
std::string lastLogLine(const std::string& path) { return lastOutputLine(readTextFile(path, 4096)); }

}  // namespace

PythonWorkerPotential::PythonWorkerPotential(PythonWorkerSpec spec) : spec_(std::move(spec)), worker_(std::make_unique<Worker>()) {
  std::string why;
  const std::string python = pythonInterpreter(&why);
  if (python.empty()) throw std::runtime_error(spec_.model + "/" + spec_.flavor + ": " + why);
  worker_->folder = ScratchDir::create("mlffb-peer-");
  for (const auto& [name, bytes] : spec_.files) std::ofstream(worker_->folder.path() + "/" + name, std::ios::binary) << bytes;
  nlohmann::ordered_json w = spec_.worker;
  w["dtype"] = toString(spec_.options.precision);
  w["device"] = deviceName(spec_.options.device);
  SubprocessOptions o;
  o.workDir = worker_->folder.path();
  o.logPath = "worker.log";
  o.env["PYTHONDONTWRITEBYTECODE"] = "1";
  worker_->program = std::make_unique<PipedProgram>(std::vector<std::string>{python, projectScript("peers/peer_worker.py"), w.dump()}, o);
  description_ = nlohmann::ordered_json::parse(readReply("setting up " + w.dump()));
  const auto& hp = description_.at("hyperparameters");
  cutoff_ = hp.at("cutoff_upper").get<double>();
  layers_ = hp.at("num_layers").get<int>();
}

double PythonWorkerPotential::cutoff() const { return cutoff_; }
double PythonWorkerPotential::receptiveField() const { return (layers_ + 1) * cutoff_; }

PythonWorkerPotential::~PythonWorkerPotential() = default;

void PythonWorkerPotential::send(const std::string& bytes, const std::string& request) {
  if (!worker_->program->write(bytes.data(), bytes.size()))
    throw std::runtime_error(spec_.model + "/" + spec_.flavor + " worker: gone before " + request + ": " +
                             lastLogLine(worker_->program->logPath()));
}

std::string PythonWorkerPotential::readReply(const std::string& request) {
  PipedProgram& p = *worker_->program;
  uint8_t ok = 0;
  uint32_t length = 0;
  std::string payload;
  bool got = p.read(&ok, 1) && p.read(&length, 4);
  if (got) {
    payload.resize(length);
    got = p.read(payload.data(), length);
  }
  const std::string who = spec_.model + "/" + spec_.flavor + " worker";
  if (!got) throw std::runtime_error(who + ": ended while " + request + ": " + lastLogLine(p.logPath()));
  if (!ok) throw std::runtime_error(who + ": " + payload);
  return payload;
}

void PythonWorkerPotential::bind(const System& s, char kind, size_t owned) {
  std::string msg(1, kind);
  append(msg, static_cast<int64_t>(s.size()));
  if (kind == 'D') append(msg, static_cast<int64_t>(owned));
  for (const auto& a : s.atoms) append(msg, static_cast<int64_t>(a.element));
  const std::string request = "binding " + std::to_string(s.size()) + " atoms" + (kind == 'D' ? " (" + std::to_string(owned) + " owned)" : "");
  send(msg, request);
  readReply(request);
  atoms_ = s.size();
}

void PythonWorkerPotential::setSystem(const System& s) { bind(s, 'S', s.size()); }

void PythonWorkerPotential::setSubdomain(const System& s, size_t owned) {
  if (owned > s.size())
    throw std::invalid_argument(spec_.model + "/" + spec_.flavor + ": " + std::to_string(owned) + " owned atoms of " + std::to_string(s.size()));
  bind(s, 'D', owned);
}

EnergyForces PythonWorkerPotential::compute(const std::vector<Vec3>& pos, const std::optional<Box>& box, bool wantForces) {
  if (pos.size() != atoms_)
    throw std::invalid_argument(spec_.model + "/" + spec_.flavor + ": " + std::to_string(pos.size()) + " positions for a system of " +
                                std::to_string(atoms_) + " atoms");
  std::string msg = "C";
  append(msg, static_cast<uint8_t>(wantForces));
  append(msg, static_cast<uint8_t>(box.has_value()));
  const Box cell = box.value_or(Box{});
  for (const Vec3* v : {&cell.a, &cell.b, &cell.c}) append(msg, *v);
  for (const Vec3& p : pos) append(msg, p);
  const std::string request = "computing " + std::to_string(atoms_) + " atoms";
  std::string reply;
  const auto start = std::chrono::steady_clock::now();
  {
    profilers::Range r("worker_call");
    send(msg, request);
    reply = readReply(request);
  }
  const size_t want = 16 + (wantForces ? 24 * atoms_ : 0);
  if (reply.size() != want) throw std::runtime_error(spec_.model + "/" + spec_.flavor + " worker: a reply of " + std::to_string(reply.size()) +
                                                     " bytes to " + request + " (expected " + std::to_string(want) + ")");
  EnergyForces out;
  std::memcpy(&out.energy, reply.data(), 8);
  std::memcpy(&last_.modelSeconds, reply.data() + 8, 8);
  last_.roundTripSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (wantForces) {
    out.forces.resize(atoms_);
    std::memcpy(out.forces.data(), reply.data() + 16, 24 * atoms_);
  }
  total_.modelSeconds += last_.modelSeconds;
  total_.roundTripSeconds += last_.roundTripSeconds;
  ++calls_;
  return out;
}

void PythonWorkerPotential::beginRemoteOperators() {
  send("P", "beginning the operator timing");
  readReply("beginning the operator timing");
}

nlohmann::ordered_json PythonWorkerPotential::endRemoteOperators() {
  send("Q", "ending the operator timing");
  return {{"worker_call", nlohmann::ordered_json::parse(readReply("ending the operator timing"))}};
}

nlohmann::ordered_json PythonWorkerPotential::describe() const {
  nlohmann::ordered_json d{{"name", spec_.model}, {"flavor", spec_.flavor}};
  for (const auto& [k, v] : description_.items()) d[k] = v;
  d["evaluated_by"] = "Python worker (scripts/peers/peer_worker.py)";
  if (calls_ > 0) {
    const double model = total_.modelSeconds / calls_ * 1e3, trip = total_.roundTripSeconds / calls_ * 1e3;
    d["worker_calls"] = {{"calls", calls_}, {"model_ms_mean", model}, {"round_trip_ms_mean", trip}, {"ipc_overhead_ms_mean", trip - model}};
  }
  return d;
}

}  // namespace mlffb
