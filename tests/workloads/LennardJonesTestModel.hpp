#pragma once
// A test-only LibTorch model added the way a new model is added: a Lennard-Jones pair potential
// ("test-lj") with a torch flavour and a TorchScript export, both declared on one registry entry
// in LennardJonesTestModel.cpp and found through the registry alone. ModelAdditionTest.cpp checks
// that it exports, loads back and plans like the built-in models, and a second entry
// ("test-lj-noexport") without an exporter is skipped at plan time with the reason.
namespace mlffb::test {

/// The model's parameters (Å, kJ/mol): E = Σ_{i<j, r<cutoff} 4ε((σ/r)¹² − (σ/r)⁶).
struct LennardJonesParameters {
  double epsilon = 0.8;  // --lj-epsilon
  double sigma = 3.0;    // --lj-sigma
  double cutoff = 6.0;
};

}  // namespace mlffb::test
