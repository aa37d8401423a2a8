#pragma once
// Strict field parsing for the structure readers: every error names file, line and field.
#include <string>
#include <string_view>
#include <vector>

namespace mlffb {

std::string_view trim(std::string_view s);
/// The whitespace-separated fields of `s`.
std::vector<std::string> splitWords(std::string_view s);
/// Location prefix "file:line".
std::string where(const std::string& file, size_t line);
/// Parses a finite floating-point field; throws std::invalid_argument naming file:line and what.
double parseFiniteDouble(std::string_view field, const std::string& file, size_t line, const char* what);
long parseLong(std::string_view field, const std::string& file, size_t line, const char* what);
/// Column slice [begin, end) of a fixed-width record, empty past the end.
std::string_view columns(std::string_view line, size_t begin, size_t end);

}  // namespace mlffb
