#pragma once
// The one check every test of a peer package (TorchANI, TorchMD-Net, openmm-ml) opens with:
// MLFFB_REQUIRE_PYTHON_MODULES("torch", "torchani") skips the test with the reason when the project's
// Python environment (core/PythonEnv.hpp) lacks a module, and fails it instead when the environment
// variable MLFFB_REQUIRE_PEERS=1 is set (CI, where the peers must run). Use it at the top of a TEST
// body (it returns from the enclosing void function).
#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/PythonEnv.hpp"

namespace mlffb::test {

/// Whether MLFFB_REQUIRE_PEERS=1: a missing peer is then a failure, not a skip.
inline bool peersRequired() {
  const char* e = std::getenv("MLFFB_REQUIRE_PEERS");
  return e != nullptr && std::string(e) == "1";
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
