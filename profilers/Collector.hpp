#pragma once
// A collector turns ranges into numbers. Collectors coexist: all attached ones see every event.
#include <nlohmann/json.hpp>
#include <string>

namespace mlffb::profilers {

class Collector {
 public:
  virtual ~Collector() = default;
  virtual std::string name() const = 0;
  virtual void rangeBegin(const char* name) = 0;
  virtual void rangeEnd(const char* name) = 0;
};

}  // namespace mlffb::profilers
