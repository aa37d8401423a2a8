#pragma once
// Writing TorchScript source from C++ values: the models' exporters (workloads/<model>/…Export.cpp)
// fill their TorchScript text from the same named constants and weights their torch flavours use,
// never from repeated literals.
#include <string>
#include <utility>
#include <vector>

namespace mlffb {

/// A float literal TorchScript reads as a float (never as an int), exact to the last bit.
std::string tsFloat(double v);

/// `text` with every `@NAME@` replaced by its value; throws std::logic_error naming a placeholder
/// left unfilled (a template and its values that disagree).
std::string fillTemplate(std::string text, const std::vector<std::pair<std::string, std::string>>& values);

}  // namespace mlffb
