#include "backends/native/NativeEngine.hpp"

#include <algorithm>
#include <cmath>
#include <deque>

#include "backends/EngineRegistry.hpp"
#include "backends/MdRecorder.hpp"
#include "backends/native/Dynamics.hpp"
#include "core/Units.hpp"
#include "profilers/Range.hpp"
#include "systems/Element.hpp"
#include "systems/Rng.hpp"

namespace mlffb {
namespace {
using units::kBoltzmannKJPerMolK;
using units::kForceToAccel;
using units::kKineticToKJPerMol;

double maxForce(const std::vector<Vec3>& f) {
  double m = 0;
  for (const auto& v : f) m = std::max(m, norm(v));
  return m;
}

/// The state on the host, the potential called through compute().
class HostDynamics final : public Dynamics {
 public:
  HostDynamics(Potential& p, NativeEngine::State& st, double temperatureK, std::uint64_t seed)
      : pot_(p), st_(st), noise_(seed ^ 0x5851f42d4c957f2dULL), sigma_(st.masses.size()) {
    for (size_t i = 0; i < sigma_.size(); ++i) sigma_[i] = std::sqrt(kBoltzmannKJPerMolK * temperatureK / st.masses[i] * kForceToAccel);
  }
  void halfKick(double dt) override {
    for (size_t i = 0; i < st_.masses.size(); ++i) st_.velocities[i] += forces_[i] * (0.5 * dt * kForceToAccel / st_.masses[i]);
  }
  void drift(double h) override {
    for (size_t i = 0; i < st_.masses.size(); ++i) st_.positions[i] += st_.velocities[i] * h;
  }
  void thermostat(double c1, double c2) override {
    for (size_t i = 0; i < st_.masses.size(); ++i)
      st_.velocities[i] = st_.velocities[i] * c1 + Vec3{noise_.normal(), noise_.normal(), noise_.normal()} * (c2 * sigma_[i]);
  }
  double maxDisplacement2() override {
    double worst = 0;
    for (size_t i = 0; i < origin_.size(); ++i) worst = std::max(worst, norm2(st_.positions[i] - origin_[i]));
    return worst;
  }
  void markListOrigin() override { origin_ = st_.positions; }
  void buildNeighborList(const std::optional<Box>& box, double skin) override { pot_.buildNeighborList(st_.positions, box, skin); }
  double compute(const std::optional<Box>& box) override {
    EnergyForces ef = pot_.compute(st_.positions, box, true);
    forces_ = std::move(ef.forces);
    return ef.energy;
  }
  double kineticEnergy() override { return NativeEngine::kineticEnergy(st_); }
  std::vector<Vec3> positions() override { return st_.positions; }
  std::vector<Vec3> velocities() override { return st_.velocities; }
  const char* where() const override { return "host"; }

 private:
  Potential& pot_;
  NativeEngine::State& st_;
  Rng noise_;
  std::vector<double> sigma_;
  std::vector<Vec3> forces_, origin_;
};

}  // namespace

#ifndef MLFFB_HAVE_DEVICE_DYNAMICS
std::unique_ptr<Dynamics> makeDeviceDynamics(DeviceResident&, const std::vector<Vec3>&, const std::vector<Vec3>&, const std::vector<double>&, double,
                                             std::uint64_t) {
  return nullptr;  // built without CUDA
}
#endif

std::vector<double> NativeEngine::massesOf(const System& s) {
  std::vector<double> m(s.size());
  for (size_t i = 0; i < s.size(); ++i) m[i] = elementInfo(s.atoms[i].element).mass;
  return m;
}

void NativeEngine::maxwellBoltzmann(State& st, double temperatureK, std::uint64_t seed) {
  Rng rng(seed);
  const size_t n = st.masses.size();
  st.velocities.assign(n, Vec3{});
  double mtot = 0;
  Vec3 p;
  for (size_t i = 0; i < n; ++i) {
    const double sigma = std::sqrt(kBoltzmannKJPerMolK * temperatureK / st.masses[i] * kForceToAccel);
    st.velocities[i] = Vec3{rng.normal(), rng.normal(), rng.normal()} * sigma;
    p += st.velocities[i] * st.masses[i];
    mtot += st.masses[i];
  }
  const Vec3 vcom = p / mtot;
  for (auto& v : st.velocities) v -= vcom;
}

double NativeEngine::kineticEnergy(const State& st) {
  double k = 0;
  for (size_t i = 0; i < st.masses.size(); ++i) k += 0.5 * st.masses[i] * norm2(st.velocities[i]);
  return k * kKineticToKJPerMol;
}

double NativeEngine::temperature(const State& st, double kinetic) {
  const double dof = std::max(1.0, 3.0 * static_cast<double>(st.masses.size()) - 3.0);
  return 2.0 * kinetic / (dof * kBoltzmannKJPerMolK);
}

MinimizationResult NativeEngine::minimize(Potential& p, std::vector<Vec3>& x, const std::optional<Box>& box,
                                          int maxSteps, double tolerance) {
  constexpr int kMemory = 10;
  constexpr double kMaxStep = 0.2;  // Å per atom per iteration
  const size_t n = x.size();
  MinimizationResult res;
  EnergyForces cur = p.compute(x, box, true);
  res.energies.push_back(cur.energy);
  std::deque<std::pair<std::vector<Vec3>, std::vector<Vec3>>> mem;  // (s, y) with y = Δgradient
  auto dotv = [](const std::vector<Vec3>& a, const std::vector<Vec3>& b) {
    double d = 0;
    for (size_t i = 0; i < a.size(); ++i) d += dot(a[i], b[i]);
    return d;
  };
  for (int it = 0; it < maxSteps; ++it) {
    res.finalMaxForce = maxForce(cur.forces);
    if (res.finalMaxForce <= tolerance) {
      res.converged = true;
      break;
    }
    // Two-loop recursion on the gradient g = −F.
    std::vector<Vec3> q(n);
    for (size_t i = 0; i < n; ++i) q[i] = -cur.forces[i];
    std::vector<double> alpha(mem.size());
    for (int k = static_cast<int>(mem.size()) - 1; k >= 0; --k) {
      const double rho = 1.0 / dotv(mem[k].second, mem[k].first);
      alpha[k] = rho * dotv(mem[k].first, q);
      for (size_t i = 0; i < n; ++i) q[i] -= mem[k].second[i] * alpha[k];
    }
    if (!mem.empty()) {
      const double gamma = dotv(mem.back().first, mem.back().second) / dotv(mem.back().second, mem.back().second);
      for (auto& v : q) v *= gamma;
    }
    for (size_t k = 0; k < mem.size(); ++k) {
      const double rho = 1.0 / dotv(mem[k].second, mem[k].first);
      const double beta = rho * dotv(mem[k].second, q);
      for (size_t i = 0; i < n; ++i) q[i] += mem[k].first[i] * (alpha[k] - beta);
    }
    std::vector<Vec3> d(n);
    for (size_t i = 0; i < n; ++i) d[i] = -q[i];
    double gd = -dotv(cur.forces, d);
    if (gd >= 0) {  // not a descent direction: steepest descent, forget the history
      mem.clear();
      for (size_t i = 0; i < n; ++i) d[i] = cur.forces[i];
      gd = -dotv(cur.forces, d);
    }
    double longest = 0;
    for (const auto& v : d) longest = std::max(longest, norm(v));
    if (longest > kMaxStep) {
      for (auto& v : d) v *= kMaxStep / longest;
      gd *= kMaxStep / longest;
    }
    // Armijo backtracking.
    double step = 1.0;
    std::vector<Vec3> trial(n);
    EnergyForces next;
    bool accepted = false;
    for (int bt = 0; bt < 40; ++bt) {
      for (size_t i = 0; i < n; ++i) trial[i] = x[i] + d[i] * step;
      next = p.compute(trial, box, true);
      if (std::isfinite(next.energy) && next.energy <= cur.energy + 1e-4 * step * gd) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;  // no further decrease possible at this precision
    std::vector<Vec3> s(n), y(n);
    for (size_t i = 0; i < n; ++i) {
      s[i] = trial[i] - x[i];
      y[i] = cur.forces[i] - next.forces[i];  // Δgradient
    }
    if (dotv(s, y) > 1e-12) {
      mem.emplace_back(std::move(s), std::move(y));
      if (static_cast<int>(mem.size()) > kMemory) mem.pop_front();
    }
    x = trial;
    cur = std::move(next);
    res.energies.push_back(cur.energy);
    res.steps = it + 1;
  }
  res.finalMaxForce = maxForce(cur.forces);
  res.converged = res.converged || res.finalMaxForce <= tolerance;
  return res;
}

EngineResult NativeEngine::run(const EngineRequest& request) {
  if (request.configuration != Configuration::Mlff)
    throw std::invalid_argument("native engine supports configuration 'mlff' only (asked for '" + toString(request.configuration) + "')");
  if (!request.system || !request.potential) throw std::invalid_argument("native engine: the request has no system or no potential");
  const System& system = *request.system;
  Potential& potential = *request.potential;
  const MdOptions& o = request.md;
  MdRecorder recorder(o, &system);
  potential.setSystem(system);
  const std::optional<Box> box = system.box;
  State st;
  st.positions = system.positions;
  st.masses = massesOf(system);
  EngineResult out;

  MinimizationResult mres;
  if (o.minimizeSteps > 0) {
    profilers::Range r("minimize");
    mres = minimize(potential, st.positions, box, o.minimizeSteps, o.minimizeToleranceKJPerMolA);
  }
  out.minimization = {mres.steps, mres.converged, o.minimizeToleranceKJPerMolA, mres.finalMaxForce,
                      mres.energies.empty() ? 0.0 : mres.energies.front(), mres.energies.empty() ? 0.0 : mres.energies.back()};

  maxwellBoltzmann(st, o.temperatureK, o.seed);
  const double dt = o.timestepFs;
  const double gammaPerFs = o.frictionPerPs * units::kPsPerFs;  // 1/ps → 1/fs
  const double c1 = std::exp(-gammaPerFs * dt), c2 = std::sqrt(1.0 - c1 * c1);
  // A potential on a CUDA device that can compute from device memory keeps the whole state there.
  std::unique_ptr<Dynamics> dyn;
  if (DeviceResident* dev = potential.deviceResident()) dyn = makeDeviceDynamics(*dev, st.positions, st.velocities, st.masses, o.temperatureK, o.seed);
  if (!dyn) dyn = std::make_unique<HostDynamics>(potential, st, o.temperatureK, o.seed);
  out.extra["state_on"] = dyn->where();

  const bool useList = potential.acceptsNeighborList() && o.skinAngstrom > 0;
  bool haveList = false;
  int rebuilds = 0;
  auto maybeRebuild = [&] {
    if (!useList) return;
    if (!haveList || dyn->maxDisplacement2() > 0.25 * o.skinAngstrom * o.skinAngstrom) {
      dyn->buildNeighborList(box, o.skinAngstrom);
      dyn->markListOrigin();
      haveList = true;
      ++rebuilds;
    }
  };
  maybeRebuild();
  double energy = dyn->compute(box);

  recorder.stopWhen(request.enough);
  std::optional<profilers::MeasuredSection> measured;
  for (long step = 1;; ++step) {
    if (step == o.warmupSteps + 1) measured.emplace();  // production: the collectors' measured section
    {
      profilers::Range r("md_step");
      dyn->halfKick(dt);
      if (o.integrator == Integrator::Nve) {
        dyn->drift(dt);
      } else {  // BAOAB
        dyn->drift(0.5 * dt);
        dyn->thermostat(c1, c2);
        dyn->drift(0.5 * dt);
      }
      maybeRebuild();
      energy = dyn->compute(box);
      dyn->halfKick(dt);
    }
    profilers::sampleEnd();
    const double ke = dyn->kineticEnergy();
    recorder.record({step, energy, ke, temperature(st, ke), [&] { return dyn->positions(); }, [&] { return dyn->velocities(); }});
    if (recorder.endsAt(step)) break;
  }
  measured.reset();
  recorder.finish(out);
  if (useList) potential.clearNeighborList();
  out.neighborRebuilds = rebuilds;
  out.neighborList = useList ? "verlet, skin " + std::to_string(o.skinAngstrom) + " Å" : "rebuilt every step by the potential";
  return out;
}

}  // namespace mlffb
