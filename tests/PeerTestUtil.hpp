#pragma once
// The one check every test of a peer package (TorchANI, TorchMD-Net, openmm-ml) opens with:
// MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchani") skips the test with the reason when the project's
// Python environment (core/PythonEnv.hpp) lacks a module, and fails it instead when the environment
// variable MLFFB_REQUIRE_PEERS=1 is set (CI, where the peers must run). Use it at the top of a TEST
// body (it returns from the enclosing void function). Also the structures the peer cross-checks
// share (fresh per run) and the run of a peer's Python evaluation script on them.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "TestUtil.hpp"
#include "core/PythonEnv.hpp"
#include "core/Subprocess.hpp"
#include "systems/Rng.hpp"
#include "systems/Solvator.hpp"
#include "workloads/Potential.hpp"

namespace mlffb::test {

/// Whether MLFFB_REQUIRE_PEERS=1: a missing peer is then a failure, not a skip.
inline bool peersRequired() {
  const char* e = std::getenv("MLFFB_REQUIRE_PEERS");
  return e != nullptr && std::string(e) == "1";
}

/// Every atom moved by up to ±0.05 Å along each axis (fresh structures on every run).
inline void jitter(System& s, std::uint64_t seed) {
  Rng rng(seed);
  for (auto& p : s.positions)
    for (int k = 0; k < 3; ++k) p[k] += 0.1 * (rng.uniform() - 0.5);
}

/// `molecules` waters in their cubic box (buildWaterBox), jittered, or each molecule moved rigidly
/// to the same fractional position of the triclinic cell L·{(1,0,0), (0.3,1,0), (−0.2,0.25,1)}
/// (same volume, reduced).
inline System peerWater(int molecules, std::uint64_t seed, bool triclinic) {
  System s = buildWaterBox(molecules, seed);
  jitter(s, seed);
  if (!triclinic) return s;
  const double L = s.box->a.x;
  const Box cell{{L, 0, 0}, {0.3 * L, L, 0}, {-0.2 * L, 0.25 * L, L}};
  for (size_t first = 0; first < s.size();) {
    size_t end = first;
    while (end < s.size() && s.atoms[end].residueNumber == s.atoms[first].residueNumber) ++end;
    const Vec3 f = s.positions[first] / L;
    const Vec3 shift = cell.a * f.x + cell.b * f.y + cell.c * f.z - s.positions[first];
    for (size_t i = first; i < end; ++i) s.positions[i] += shift;
    first = end;
  }
  s.box = cell;
  return s;
}

/// A structure as the peers' evaluation scripts read it: numbers, positions (Å), box rows (Å) or null.
inline nlohmann::json structureJson(const System& s) {
  nlohmann::json j = {{"numbers", nlohmann::json::array()}, {"positions", nlohmann::json::array()}, {"box", nullptr}};
  for (size_t i = 0; i < s.size(); ++i) {
    j["numbers"].push_back(s.atoms[i].element);
    j["positions"].push_back({s.positions[i].x, s.positions[i].y, s.positions[i].z});
  }
  if (s.box) j["box"] = {{s.box->a.x, s.box->a.y, s.box->a.z}, {s.box->b.x, s.box->b.y, s.box->b.z}, {s.box->c.x, s.box->c.y, s.box->c.z}};
  return j;
}

/// One structure's {"energy": kJ/mol, "forces": [[…]] kJ/mol/Å} of an evaluation script (null: none).
inline EnergyForces evalResult(const nlohmann::json& one) {
  EnergyForces ef;
  if (one.is_null()) return ef;
  ef.energy = one["energy"];
  for (const auto& f : one["forces"]) ef.forces.push_back({f[0], f[1], f[2]});
  return ef;
}

/// Runs scripts/`script` with the project's Python in a fresh folder on `systems` (in.json) with
/// `--structure in.json --out out.json` and `args`; out.json's content, or null after a failed
/// expectation that gives the script's last output line.
inline nlohmann::json runPeerEval(const std::string& script, const std::vector<System>& systems, const std::vector<std::string>& args) {
  const std::string dir = freshTempDir("peer-eval");
  nlohmann::json in = nlohmann::json::array();
  for (const auto& s : systems) in.push_back(structureJson(s));
  std::ofstream(dir + "/in.json") << in.dump();
  std::vector<std::string> argv{pythonInterpreter(), projectScript(script), "--structure", "in.json", "--out", "out.json"};
  argv.insert(argv.end(), args.begin(), args.end());
  SubprocessOptions o;
  o.workDir = dir;
  o.logPath = "eval.log";
  o.timeoutSeconds = 600;
  const SubprocessResult r = runProgram(argv, o);
  EXPECT_TRUE(r.ok()) << script << ": " << lastOutputLine(readTextFile(r.logPath, 4096));
  nlohmann::json out;
  if (r.ok()) out = nlohmann::json::parse(readTextFile(dir + "/out.json"));
  std::filesystem::remove_all(dir);
  return out;
}

}  // namespace mlffb::test

#define MLFFB_REQUIRE_PYTHON_MODULES(...)                                                    \
  do {                                                                                       \
    std::string mlffbPeerWhy_;                                                               \
    if (!::mlffb::pythonHasModules(std::vector<std::string>{__VA_ARGS__}, &mlffbPeerWhy_)) { \
      if (::mlffb::test::peersRequired()) FAIL() << "MLFFB_REQUIRE_PEERS=1: " << mlffbPeerWhy_; \
      GTEST_SKIP() << mlffbPeerWhy_;                                                         \
    }                                                                                        \
  } while (false)
