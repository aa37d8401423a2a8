#pragma once
// Typed options that registry entries declare (a model's hyper-parameters, an engine's or a
// collector's settings): name, type, default, help and the allowed range. The command line is
// generated from them, and every value is checked against its declaration before any work starts.
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlffb {

enum class OptionType { Int, Double, String, Bool, Directory, File, Choice };
std::string toString(OptionType t);

struct OptionSpec {
  std::string flag;          // command-line flag without dashes: "num-layers"
  std::string key;           // settings key: "num_layers"
  OptionType type = OptionType::String;
  std::string defaultText;   // shown in help and `list`; empty: none (or "from the preset")
  std::string help;
  std::vector<std::string> choices;  // Choice: the values; Directory/File: words accepted besides a path
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool minExclusive = false;  // a number > min rather than ≥ min
  /// File/Directory: the results depend on its content, so a plan's identity carries its hash
  /// and --resume refuses when it changed (files are inputs unless said otherwise; folders are not).
  bool input = false;

  static OptionSpec integer(std::string flag, std::string key, std::string help, double min, double max,
                            std::string defaultText = "");
  static OptionSpec real(std::string flag, std::string key, std::string help, double min, double max,
                         std::string defaultText = "");
  /// A number strictly above `min`.
  static OptionSpec positive(std::string flag, std::string key, std::string help, double max, std::string defaultText = "");
  static OptionSpec text(std::string flag, std::string key, std::string help, std::string defaultText = "");
  static OptionSpec choice(std::string flag, std::string key, std::string help, std::vector<std::string> choices,
                           std::string defaultText = "");
  static OptionSpec directory(std::string flag, std::string key, std::string help);
  static OptionSpec file(std::string flag, std::string key, std::string help);
  static OptionSpec boolean(std::string flag, std::string key, std::string help, std::string defaultText = "false");

  /// Empty if `value` is acceptable, else one line naming --flag, the value and what is allowed.
  std::string check(const std::string& value) const;
  /// check(), throwing UsageError with its message.
  void require(const std::string& value) const;
  /// What is allowed, e.g. "an integer from 1 to 64".
  std::string allowed() const;
};

/// Option values as given on the command line, by key.
using OptionValues = std::map<std::string, std::string>;

/// Typed reads of values already checked against their OptionSpec; `fallback` when absent.
int optionInt(const OptionValues& v, const std::string& key, int fallback);
double optionDouble(const OptionValues& v, const std::string& key, double fallback);
std::string optionText(const OptionValues& v, const std::string& key, const std::string& fallback = "");
bool optionBool(const OptionValues& v, const std::string& key, bool fallback);

/// Parses a value already checked against an integer/real spec.
long long parseIntegerValue(const std::string& text);
double parseRealValue(const std::string& text);

}  // namespace mlffb
