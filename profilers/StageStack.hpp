#pragma once
// The ranges open right now, innermost last: collectors that attribute work (operators, kernels,
// counters) to "the stage it ran in" mean the innermost open range. `total` is the outermost range
// of a single point and `md_step` of an MD step, so work outside any model stage lands there.
#include <string>
#include <vector>

namespace mlffb::profilers {

class StageStack {
 public:
  void push(const char* name) { open_.emplace_back(name); }
  /// Pops the innermost range of that name (ranges close in order; a stray end is ignored).
  void pop(const char* name) {
    for (auto it = open_.rbegin(); it != open_.rend(); ++it)
      if (*it == name) {
        open_.erase(std::next(it).base());
        return;
      }
  }
  /// The innermost open range, or `outside` when none is open.
  const std::string& innermost() const { return open_.empty() ? outside() : open_.back(); }
  bool empty() const { return open_.empty(); }
  size_t depth() const { return open_.size(); }
  void clear() { open_.clear(); }
  static const std::string& outside() {
    static const std::string s = "outside";
    return s;
  }

 private:
  std::vector<std::string> open_;
};

}  // namespace mlffb::profilers
