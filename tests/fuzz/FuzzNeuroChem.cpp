// libFuzzer target: mlffb::fuzz::neuroChem (tests/fuzz/FuzzBodies.hpp).
#include "FuzzBodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlffb::fuzz::neuroChem(data, size);
  return 0;
}
