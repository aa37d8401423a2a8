#include "core/Options.hpp"

#include <cmath>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "core/Errors.hpp"

namespace mlffb {
namespace {

/// 64-bit integers in full, other numbers as %g does.
std::string number(double x) {
  std::ostringstream o;
  if (x == std::floor(x) && std::abs(x) < 1e19) {
    o.precision(0);
    o << std::fixed << x;
  } else {
    o << x;
  }
  return o.str();
}

bool parseInteger(const std::string& s, long long& out) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    out = std::stoll(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size();
}

bool parseReal(const std::string& s, double& out) {
  if (s.empty()) return false;
  size_t used = 0;
  try {
    out = std::stod(s, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == s.size() && std::isfinite(out);
}

}  // namespace

std::string toString(OptionType t) {
  switch (t) {
    case OptionType::Int: return "integer";
    case OptionType::Double: return "number";
    case OptionType::String: return "text";
    case OptionType::Bool: return "true|false";
    case OptionType::Directory: return "folder";
    case OptionType::File: return "file";
    case OptionType::Choice: return "choice";
  }
  return "text";
}

OptionSpec OptionSpec::integer(std::string flag, std::string key, std::string help, double min, double max,
                               std::string defaultText) {
  OptionSpec s;
  s.flag = std::move(flag);
  s.key = std::move(key);
  s.type = OptionType::Int;
  s.help = std::move(help);
  s.min = min;
  s.max = max;
  s.defaultText = std::move(defaultText);
  return s;
}

OptionSpec OptionSpec::real(std::string flag, std::string key, std::string help, double min, double max,
                            std::string defaultText) {
  OptionSpec s = integer(std::move(flag), std::move(key), std::move(help), min, max, std::move(defaultText));
  s.type = OptionType::Double;
  return s;
}

OptionSpec OptionSpec::positive(std::string flag, std::string key, std::string help, double max, std::string defaultText) {
  OptionSpec s = real(std::move(flag), std::move(key), std::move(help), 0.0, max, std::move(defaultText));
  s.minExclusive = true;
  return s;
}

OptionSpec OptionSpec::text(std::string flag, std::string key, std::string help, std::string defaultText) {
  OptionSpec s;
  s.flag = std::move(flag);
  s.key = std::move(key);
  s.help = std::move(help);
  s.defaultText = std::move(defaultText);
  return s;
}

OptionSpec OptionSpec::choice(std::string flag, std::string key, std::string help, std::vector<std::string> choices,
                              std::string defaultText) {
  OptionSpec s = text(std::move(flag), std::move(key), std::move(help), std::move(defaultText));
  s.type = OptionType::Choice;
  s.choices = std::move(choices);
  return s;
}

OptionSpec OptionSpec::directory(std::string flag, std::string key, std::string help) {
  OptionSpec s = text(std::move(flag), std::move(key), std::move(help));
  s.type = OptionType::Directory;
  return s;
}

OptionSpec OptionSpec::file(std::string flag, std::string key, std::string help) {
  OptionSpec s = text(std::move(flag), std::move(key), std::move(help));
  s.type = OptionType::File;
  s.input = true;
  return s;
}

OptionSpec OptionSpec::boolean(std::string flag, std::string key, std::string help, std::string defaultText) {
  OptionSpec s = text(std::move(flag), std::move(key), std::move(help), std::move(defaultText));
  s.type = OptionType::Bool;
  return s;
}

std::string OptionSpec::allowed() const {
  auto range = [&](const char* what) {
    std::string r = what;
    if (minExclusive && std::isfinite(max)) return r + " > " + number(min) + " and ≤ " + number(max);
    if (minExclusive) return r + " > " + number(min);
    if (std::isfinite(min) && std::isfinite(max)) return r + " from " + number(min) + " to " + number(max);
    if (std::isfinite(min)) return r + " ≥ " + number(min);
    if (std::isfinite(max)) return r + " ≤ " + number(max);
    return r;
  };
  switch (type) {
    case OptionType::Int: return range("an integer");
    case OptionType::Double: return range("a number");
    case OptionType::String: return "text";
    case OptionType::Bool: return "true or false";
    case OptionType::Directory: return choices.empty() ? "an existing folder" : "an existing folder or " + choices.front();
    case OptionType::File: return choices.empty() ? "an existing file" : "an existing file or " + choices.front();
    case OptionType::Choice: {
      std::string r = "one of ";
      for (size_t i = 0; i < choices.size(); ++i) r += (i ? ", " : "") + choices[i];
      return r;
    }
  }
  return "text";
}

std::string OptionSpec::check(const std::string& value) const {
  const std::string head = "--" + flag + " '" + value + "': ";
  switch (type) {
    case OptionType::Int: {
      long long v = 0;
      if (!parseInteger(value, v) || static_cast<double>(v) < min || static_cast<double>(v) > max)
        return head + "expected " + allowed();
      return "";
    }
    case OptionType::Double: {
      double v = 0;
      if (!parseReal(value, v) || v < min || v > max || (minExclusive && v <= min)) return head + "expected " + allowed();
      return "";
    }
    case OptionType::Bool:
      if (value != "true" && value != "false" && value != "1" && value != "0") return head + "expected " + allowed();
      return "";
    case OptionType::Directory:
    case OptionType::File:
      // Words the option also accepts (e.g. --weights random) before a path.
      for (const auto& c : choices)
        if (c == value) return "";
      if (type == OptionType::Directory && !std::filesystem::is_directory(value)) return "--" + flag + ": " + value + ": folder not found";
      if (type == OptionType::File && !std::filesystem::is_regular_file(value))
        return "--" + flag + ": " + value + (std::filesystem::exists(value) ? ": not a regular file" : ": file not found");
      return "";
    case OptionType::Choice:
      for (const auto& c : choices)
        if (c == value) return "";
      return head + "expected " + allowed();
    case OptionType::String:
      return value.empty() ? head + "must not be empty" : "";
  }
  return "";
}

void OptionSpec::require(const std::string& value) const {
  if (const std::string why = check(value); !why.empty()) throw UsageError(why);
}

long long parseIntegerValue(const std::string& text) {
  long long v = 0;
  if (!parseInteger(text, v)) throw UsageError("not an integer: '" + text + "'");
  return v;
}

double parseRealValue(const std::string& text) {
  double v = 0;
  if (!parseReal(text, v)) throw UsageError("not a number: '" + text + "'");
  return v;
}

int optionInt(const OptionValues& v, const std::string& key, int fallback) {
  auto it = v.find(key);
  if (it == v.end() || it->second.empty()) return fallback;
  long long x = 0;
  if (!parseInteger(it->second, x)) throw std::invalid_argument(key + ": not an integer: '" + it->second + "'");
  return static_cast<int>(x);
}

double optionDouble(const OptionValues& v, const std::string& key, double fallback) {
  auto it = v.find(key);
  if (it == v.end() || it->second.empty()) return fallback;
  double x = 0;
  if (!parseReal(it->second, x)) throw std::invalid_argument(key + ": not a number: '" + it->second + "'");
  return x;
}

std::string optionText(const OptionValues& v, const std::string& key, const std::string& fallback) {
  auto it = v.find(key);
  return it == v.end() || it->second.empty() ? fallback : it->second;
}

bool optionBool(const OptionValues& v, const std::string& key, bool fallback) {
  auto it = v.find(key);
  if (it == v.end() || it->second.empty()) return fallback;
  return it->second == "true" || it->second == "1";
}

}  // namespace mlffb
