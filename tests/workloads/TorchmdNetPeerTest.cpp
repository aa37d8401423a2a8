// The TorchMD-Net peers in the Python worker: our et/torch equals TorchMD-Net 3.1's own ET on the
// same weights (float64, in vacuum and periodic), `mlff-bench export --model et` evaluated in
// Python reproduces TorchMD-Net's ET, TensorNet's forces are −∇E and it is rotation invariant, and
// the worker's errors come back as one line naming the request; the worker times its own operators
// (GEMMs counted from their shapes) for the torch-ops collector.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "../PeerTestUtil.hpp"
#include "../PhysicsTestUtil.hpp"
#include "systems/Rng.hpp"
#include "workloads/ModelRegistry.hpp"
#include "workloads/ResultCheck.hpp"
#include "workloads/python/PythonWorkerPotential.hpp"
#include "workloads/torchscript/ModelExport.hpp"

using namespace mlffb;

namespace {

/// A small complete ET (every term present) so one evaluation takes milliseconds.
OptionValues smallEt() { return {{"hidden_channels", "32"}, {"num_layers", "2"}, {"num_rbf", "16"}, {"num_heads", "4"}}; }

PotentialOptions optionsOf(const std::string& flavor, std::uint64_t seed, OptionValues values = {}) {
  PotentialOptions o;
  o.flavor = flavor;
  o.precision = Precision::Float64;
  o.seed = seed;
  o.options = std::move(values);
  return o;
}

System cluster(int n, std::uint64_t seed) { return test::randomCluster(n, seed, {1, 1, 1, 6, 6, 7, 8, 16}, 0.06, 1.0); }

/// A cluster's atoms in an orthorhombic or triclinic cell (reduced, widths > 2 × 5 Å) at the
/// same density, so many pairs cross the cell's faces.
System inCell(const Box& box, std::uint64_t seed) {
  const System c = cluster(static_cast<int>(0.06 * box.volume()), seed);
  System s;
  s.box = box;
  Rng rng(seed);
  for (size_t i = 0; i < c.size(); ++i) s.addAtom(c.atoms[i], box.toCartesian(Vec3{rng.uniform(), rng.uniform(), rng.uniform()}));
  return s;
}

/// max over atoms and axes of |f − r| / max |r|.
double maxForceError(const std::vector<Vec3>& f, const std::vector<Vec3>& r) {
  double err = 0, scale = 0;
  for (size_t i = 0; i < r.size(); ++i)
    for (int k = 0; k < 3; ++k) {
      err = std::max(err, std::abs(f[i][k] - r[i][k]));
      scale = std::max(scale, std::abs(r[i][k]));
    }
  return err / scale;
}

/// The float64 tolerances: 1e-9 relative energy, forces within 1e-7 of the largest force.
void expectSameFunction(const EnergyForces& got, const EnergyForces& want, const std::string& what) {
  EXPECT_NEAR(got.energy, want.energy, 1e-9 * std::abs(want.energy)) << what;
  EXPECT_LT(maxForceError(got.forces, want.forces), 1e-7) << what;
}

}  // namespace

TEST(TorchmdNetPeer, EtTorchIsTorchmdNetsEtOnTheSameWeightsFloat64) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchmdnet");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto ours = createPotential("et", optionsOf("torch", seed, smallEt()));
  auto peer = createPotential("et", optionsOf("torchmd-net", seed, smallEt()));
  const System vacuum = cluster(40, seed);
  for (const System& s : {vacuum, inCell(Box::orthorhombic({12.5, 13.0, 14.0}), seed), inCell(Box{{13.0, 0, 0}, {6.5, 12.5, 0}, {6.5, 6.25, 12.0}}, seed)}) {
    ours->setSystem(s);
    peer->setSystem(s);
    const std::string what = !s.box ? "vacuum" : s.box->isOrthorhombic() ? "orthorhombic" : "triclinic";
    expectSameFunction(peer->compute(s.positions, s.box, true), ours->compute(s.positions, s.box, true), what);
  }
}

TEST(TorchmdNetPeer, OurEtExportInPythonReproducesTorchmdNetsEt) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchmdnet");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  ExportRequest rq;
  rq.model = "et";
  rq.options = optionsOf("torch", seed, smallEt());
  PythonWorkerSpec spec{"et", "mlffb-export", {{"model", "mlffb-export"}, {"export", "et.pt"}}, optionsOf("", seed), {}};
  spec.files["et.pt"] = exportTorchScript(rq).bytes;
  PythonWorkerPotential exported(std::move(spec));
  auto peer = createPotential("et", optionsOf("torchmd-net", seed, smallEt()));
  for (const System& s : {cluster(30, seed), inCell(Box::orthorhombic({12.5, 13.0, 14.0}), seed)}) {
    exported.setSystem(s);
    peer->setSystem(s);
    expectSameFunction(exported.compute(s.positions, s.box, true), peer->compute(s.positions, s.box, true), s.box ? "periodic" : "vacuum");
  }
}

TEST(TorchmdNetPeer, TensorNetForcesAreMinusTheEnergyGradientAndRotationInvariant) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchmdnet");
  const std::uint64_t seed = test::freshSeed();
  SCOPED_TRACE("seed " + std::to_string(seed));
  auto p = createPotential("tensornet", optionsOf("torchmd-net", seed));
  const System s = cluster(20, seed);
  p->setSystem(s);
  const EnergyForces r = p->compute(s.positions, std::nullopt, true);
  Rng rng(seed);
  const double h = 1e-4;
  for (int t = 0; t < 6; ++t) {  // central differences on our side of the worker
    const int i = rng.uniformInt(0, static_cast<int>(s.size()) - 1), k = rng.uniformInt(0, 2);
    auto x = s.positions;
    x[i][k] += h;
    const double up = p->compute(x, std::nullopt, false).energy;
    x[i][k] -= 2 * h;
    const double down = p->compute(x, std::nullopt, false).energy;
    EXPECT_NEAR(r.forces[i][k], -(up - down) / (2 * h), 1e-6 * (1 + std::abs(r.forces[i][k]))) << "atom " << i << " axis " << k;
  }
  const test::Rotation rot = test::randomRotation(rng);
  std::vector<Vec3> moved;
  for (const auto& v : s.positions) moved.push_back(rot(v));
  const EnergyForces q = p->compute(moved, std::nullopt, true);
  EXPECT_NEAR(q.energy, r.energy, 1e-9 * std::abs(r.energy));
  std::vector<Vec3> rotated;
  for (const auto& f : r.forces) rotated.push_back(rot(f));
  EXPECT_LT(relativeForceError(q.forces, rotated), 1e-9);
}

TEST(TorchmdNetPeer, TheWorkerTimesItsOperatorsAndCountsTheirGemmsForTorchOps) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchmdnet");
  auto p = createPotential("tensornet", optionsOf("torchmd-net", 5));
  ASSERT_TRUE(p->timesOperatorsRemotely());
  const System s = cluster(16, 5);
  p->setSystem(s);
  auto gemmFlops = [&](int calls) {
    p->beginRemoteOperators();
    for (int k = 0; k < calls; ++k) p->compute(s.positions, std::nullopt, true);
    const nlohmann::ordered_json ops = p->endRemoteOperators().at("worker_call");
    double flops = 0;
    for (const auto& [name, st] : ops.items()) {
      EXPECT_LE(st["self_ms"].get<double>(), st["total_ms"].get<double>() + 1e-9) << name;
      flops += st.value("flops", 0.0);
    }
    EXPECT_GT(ops.at("aten::addmm").at("calls").get<double>(), 0);  // its linear layers
    return flops;
  };
  const double one = gemmFlops(1);
  EXPECT_GT(one, 0);
  EXPECT_DOUBLE_EQ(gemmFlops(3), 3 * one);  // the same shapes every call, counted again each time
}

TEST(TorchmdNetPeer, WorkerErrorsAreOneLineNamingTheRequest) {
  MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchmdnet");
  PotentialOptions o = optionsOf("torchmd-net", 1, {{"tensornet_max_neighbors", "1"}});
  auto p = createPotential("tensornet", o);
  const System s = cluster(20, 3);
  p->setSystem(s);
  // Twice: the worker answers the next request after an error.
  for (int attempt = 0; attempt < 2; ++attempt) {
    try {
      p->compute(s.positions, std::nullopt, true);
      ADD_FAILURE() << "a neighbour cap of 1 was not refused";
    } catch (const std::runtime_error& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("tensornet/torchmd-net worker: computing 20 atoms in vacuum: "), std::string::npos) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
  }
}
