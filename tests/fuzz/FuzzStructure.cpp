// libFuzzer target: mlffb::fuzz::structure (tests/fuzz/FuzzBodies.hpp).
#include "FuzzBodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlffb::fuzz::structure(data, size);
  return 0;
}
