// Helpers of the export tests (see ExportTestUtil.hpp).
#include "ExportTestUtil.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "../PhysicsTestUtil.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb::test {

torch::jit::Module load(const ExportedModel& e) {
  std::istringstream in(e.bytes);
  return torch::jit::load(in);
}

ExportedModel exportModel(const std::string& model, OptionValues options, Precision p, std::uint64_t seed, ExportContract c,
                          const System* atoms, bool periodic) {
  ExportRequest rq;
  rq.model = model;
  rq.options.precision = p;
  rq.options.seed = seed;
  rq.options.options = std::move(options);
  rq.contract = c;
  rq.atoms = atoms;
  rq.periodic = periodic;
  return exportTorchScript(rq);
}

EnergyForces callAsNnpot(torch::jit::Module& m, const System& s, torch::Dtype dtype) {
  const int64_t n = static_cast<int64_t>(s.size());
  std::vector<double> x, box(9, 0.0);
  std::vector<int32_t> z;
  for (size_t i = 0; i < s.size(); ++i) {
    for (int k = 0; k < 3; ++k) x.push_back(s.positions[i][k] * 0.1);
    z.push_back(s.atoms[i].element);
  }
  if (s.box)
    for (int k = 0; k < 3; ++k) {
      box[k] = s.box->a[k] * 0.1;
      box[3 + k] = s.box->b[k] * 0.1;
      box[6 + k] = s.box->c[k] * 0.1;
    }
  torch::Tensor pos = torch::tensor(x, torch::kFloat64).reshape({n, 3}).to(dtype).requires_grad_(true);
  torch::Tensor numbers = torch::tensor(z, torch::kInt32);
  torch::Tensor cell = torch::tensor(box, torch::kFloat64).reshape({3, 3}).to(dtype);
  torch::Tensor pbc = torch::full({3}, s.box.has_value(), torch::kBool);
  torch::Tensor energy = m.forward({pos, numbers, cell, pbc}).toTensor();
  EXPECT_EQ(energy.scalar_type(), dtype);
  EXPECT_EQ(energy.numel(), 1);
  torch::Tensor grad = torch::autograd::grad({energy}, {pos})[0].to(torch::kFloat64).contiguous();
  EnergyForces r;
  r.energy = energy.item<double>();
  for (int64_t i = 0; i < n; ++i) r.forces.push_back(Vec3{grad[i][0].item<double>(), grad[i][1].item<double>(), grad[i][2].item<double>()} * -0.1);
  return r;
}

EnergyForces evaluate(const std::string& model, const std::string& flavor, OptionValues options, std::uint64_t seed, const System& s) {
  PotentialOptions o;
  o.flavor = flavor;
  o.precision = Precision::Float64;
  o.seed = seed;
  o.options = std::move(options);
  auto pot = createPotential(model, o);
  pot->setSystem(s);
  return pot->compute(s.positions, s.box, true);
}

double forceError(const EnergyForces& a, const EnergyForces& b) {
  double diff = 0, scale = 0;
  for (size_t i = 0; i < a.forces.size(); ++i) {
    diff = std::max(diff, norm(a.forces[i] - b.forces[i]));
    scale = std::max(scale, norm(b.forces[i]));
  }
  return diff / scale;
}

System cluster(int n, std::uint64_t seed, const std::vector<int>& elements, double density) {
  return test::randomCluster(n, seed, elements, density, 1.0);
}

System periodic(System s, double density, bool triclinic) {
  const double L = std::cbrt(static_cast<double>(s.size()) / density);
  s.box = triclinic ? Box{{L, 0, 0}, {0.3 * L, L, 0}, {-0.2 * L, 0.25 * L, L}} : Box::orthorhombic({L, L, L});
  return s;
}

const char* cellName(int cell) { return cell == 0 ? "vacuum" : cell == 1 ? "orthorhombic" : "triclinic"; }
System inCell(int cell, int vacuumAtoms, int periodicAtoms, std::uint64_t seed, const std::vector<int>& elements, double density) {
  const System s = cluster(cell == 0 ? vacuumAtoms : periodicAtoms, seed + cell, elements, density);
  return cell == 0 ? s : periodic(s, density, cell == 2);
}


}  // namespace mlffb::test
