#pragma once
// Command-line options whose values are checked against an OptionSpec as they are parsed: a value
// out of range is a one-line usage error naming the option and what it allows, never a silent
// default or a wrapped integer.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/Errors.hpp"
#include "core/Options.hpp"

namespace mlffb {

/// --flag VALUE, checked, converted and handed to `set`.
template <class T>
CLI::Option* addChecked(CLI::App* app, const OptionSpec& spec, std::function<void(T)> set) {
  return app->add_option_function<std::string>(
      "--" + spec.flag,
      [spec, set](const std::string& v) {
        spec.require(v);
        if constexpr (std::is_floating_point_v<T>)
          set(static_cast<T>(parseRealValue(v)));
        else
          set(static_cast<T>(parseIntegerValue(v)));
      },
      spec.help + (spec.defaultText.empty() ? "" : " [default: " + spec.defaultText + "]") + " (" + spec.allowed() + ")");
}

/// --flag VALUE stored into `target`.
template <class T>
CLI::Option* addChecked(CLI::App* app, const OptionSpec& spec, T& target) {
  return addChecked<T>(app, spec, std::function<void(T)>([&target](T v) { target = v; }));
}

/// --flag A,B,C: each checked, no value twice.
template <class T>
CLI::Option* addCheckedList(CLI::App* app, const OptionSpec& spec, std::vector<T>& target) {
  return app
      ->add_option_function<std::vector<std::string>>(
          "--" + spec.flag,
          [spec, &target](const std::vector<std::string>& values) {
            target.clear();
            std::set<std::string> seen;
            for (const auto& v : values) {
              spec.require(v);
              if (!seen.insert(v).second) throw UsageError("--" + spec.flag + ": " + v + " is given twice");
              if constexpr (std::is_floating_point_v<T>)
                target.push_back(static_cast<T>(parseRealValue(v)));
              else
                target.push_back(static_cast<T>(parseIntegerValue(v)));
            }
          },
          spec.help + " (each " + spec.allowed() + ")")
      ->delimiter(',');
}

/// --seed: an integer up to 2^53 − 1.
inline OptionSpec seedSpec(const std::string& help = "Seed for the systems and random weights") {
  return OptionSpec::integer("seed", "seed", help, 0, 9007199254740991.0, "42");  // 2^53 − 1: exact as a double
}

}  // namespace mlffb
