// libFuzzer target: mlffb::fuzz::topology (tests/fuzz/FuzzBodies.hpp).
#include "FuzzBodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlffb::fuzz::topology(data, size);
  return 0;
}
