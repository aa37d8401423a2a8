#include "systems/Hybrid36.hpp"

#include <cctype>
#include <stdexcept>

namespace mlffb {
namespace {

long pow36(int n) {
  long p = 1;
  while (n-- > 0) p *= 36;
  return p;
}
long pow10(int n) {
  long p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

std::string base36(long v, int width, bool upper) {
  std::string s(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0; --i) {
    const int d = static_cast<int>(v % 36);
    s[static_cast<size_t>(i)] = static_cast<char>(d < 10 ? '0' + d : (upper ? 'A' : 'a') + d - 10);
    v /= 36;
  }
  return s;
}

}  // namespace

std::string encodeHybrid36(int width, long value) {
  const long decimalMax = pow10(width) - 1;
  if (value >= -(pow10(width - 1) - 1) && value <= decimalMax) {
    std::string s = std::to_string(value);
    return std::string(static_cast<size_t>(width) - s.size(), ' ') + s;
  }
  const long block = 26 * pow36(width - 1);  // values per letter case
  const long offset = 10 * pow36(width - 1); // the first letter-led number in base 36
  long v = value - pow10(width);
  if (v >= 0 && v < block) return base36(v + offset, width, true);
  v -= block;
  if (v >= 0 && v < block) return base36(v + offset, width, false);
  throw std::invalid_argument(std::to_string(value) + " does not fit " + std::to_string(width) + " hybrid-36 columns");
}

long decodeHybrid36(std::string_view field) {
  size_t b = 0, e = field.size();
  while (b < e && field[b] == ' ') ++b;
  while (e > b && field[e - 1] == ' ') --e;
  const std::string_view f = field.substr(b, e - b);
  if (f.empty()) throw std::invalid_argument("empty number");
  const int width = static_cast<int>(field.size());
  const char c0 = f[0];
  if (std::isdigit(static_cast<unsigned char>(c0)) || c0 == '-' || c0 == '+') {
    size_t used = 0;
    const std::string s(f);
    long v = 0;
    try {
      v = std::stol(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size()) throw std::invalid_argument("malformed number '" + s + "'");
    return v;
  }
  if (f.size() != static_cast<size_t>(width) || !std::isalpha(static_cast<unsigned char>(c0)))
    throw std::invalid_argument("malformed number '" + std::string(f) + "'");
  const bool upper = std::isupper(static_cast<unsigned char>(c0));
  long v = 0;
  for (char c : f) {
    int d;
    if (std::isdigit(static_cast<unsigned char>(c)))
      d = c - '0';
    else if (upper && c >= 'A' && c <= 'Z')
      d = c - 'A' + 10;
    else if (!upper && c >= 'a' && c <= 'z')
      d = c - 'a' + 10;
    else
      throw std::invalid_argument("malformed hybrid-36 number '" + std::string(f) + "'");
    v = v * 36 + d;
  }
  v = v - 10 * pow36(width - 1) + pow10(width);
  if (!upper) v += 26 * pow36(width - 1);
  return v;
}

}  // namespace mlffb
