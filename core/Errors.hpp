#pragma once
// The two kinds of failure the command line tells apart: a usage error (the command line itself
// cannot be run: an unknown name, a value out of range; exit 2) and everything else (a bad input
// file, a failed computation; exit 1). Both print one line naming what is wrong.
#include <stdexcept>

namespace mlffb {

class UsageError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace mlffb
