// libFuzzer target: mlffb::fuzz::reports (tests/fuzz/FuzzBodies.hpp).
#include "FuzzBodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlffb::fuzz::reports(data, size);
  return 0;
}
