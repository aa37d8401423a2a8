#include "systems/TextParse.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace mlffb {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> splitWords(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string where(const std::string& file, size_t line) { return file + ":" + std::to_string(line); }

double parseFiniteDouble(std::string_view field, const std::string& file, size_t line, const char* what) {
  const std::string_view t = trim(field);
  double v = 0;
  const char* b = t.data();
  const char* e = t.data() + t.size();
  if (!t.empty() && *b == '+') ++b;
  auto [p, ec] = std::from_chars(b, e, v);
  if (t.empty() || ec != std::errc() || p != e)
    throw std::invalid_argument(where(file, line) + ": malformed " + what + " '" + std::string(t) + "'");
  if (!std::isfinite(v))
    throw std::invalid_argument(where(file, line) + ": non-finite " + what + " '" + std::string(t) + "'");
  return v;
}

long parseLong(std::string_view field, const std::string& file, size_t line, const char* what) {
  const std::string_view t = trim(field);
  long v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || p != t.data() + t.size())
    throw std::invalid_argument(where(file, line) + ": malformed " + what + " '" + std::string(t) + "'");
  return v;
}

std::string_view columns(std::string_view line, size_t begin, size_t end) {
  if (begin >= line.size()) return {};
  return line.substr(begin, std::min(end, line.size()) - begin);
}

}  // namespace mlffb
