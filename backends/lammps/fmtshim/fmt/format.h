// Debian 12's LAMMPS 20220106 headers (lammps/utils.h) call fmt::make_args_checked, which
// libfmt 9 (Debian's libfmt-dev) removed. This header is found before the real <fmt/format.h>
// by the code that includes LAMMPS headers and puts the one function back, forwarding to
// fmt::make_format_args (what fmt 8 did once the compile-time check had passed).
#pragma once
#include_next <fmt/format.h>

#if FMT_VERSION >= 90000
namespace fmt {
template <typename... Args, typename S>
inline auto make_args_checked(const S&, const Args&... args) {
  return fmt::make_format_args(args...);
}
}  // namespace fmt
#endif
