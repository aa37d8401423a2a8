// Writing TorchScript source from C++ values (see TorchScriptText.hpp).
#include "workloads/torchscript/TorchScriptText.hpp"

#include <cstdio>
#include <stdexcept>

namespace mlffb {

std::string tsFloat(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}

std::string fillTemplate(std::string text, const std::vector<std::pair<std::string, std::string>>& values) {
  for (const auto& [name, value] : values) {
    const std::string from = "@" + name + "@";
    for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + value.size())) text.replace(p, from.size(), value);
  }
  const size_t open = text.find('@');
  if (open != std::string::npos && text.find('@', open + 1) != std::string::npos)
    throw std::logic_error("TorchScript template: placeholder " + text.substr(open, text.find('@', open + 1) - open + 1) + " has no value");
  return text;
}

}  // namespace mlffb
