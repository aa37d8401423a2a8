#include "backends/gmx/GmxLog.hpp"

#include <cstdlib>
#include <regex>
#include <sstream>

#include "systems/TextParse.hpp"

namespace mlffb::classical {

std::optional<double> GmxEnergyFrame::get(const std::string& name) const {
  for (const auto& [k, v] : terms)
    if (k == name) return v;
  return std::nullopt;
}

namespace {
bool number(const std::string& s, double& v) {
  const std::string t(trim(s));
  if (t.empty()) return false;
  char* end = nullptr;
  v = std::strtod(t.c_str(), &end);
  return end && *end == '\0';
}

std::vector<std::string> fields15(const std::string& line) {
  std::vector<std::string> out;
  for (size_t i = 0; i < line.size(); i += 15) out.emplace_back(trim(std::string_view(line).substr(i, 15)));
  while (!out.empty() && out.back().empty()) out.pop_back();
  return out;
}

}  // namespace

GmxLog parseGmxLog(const std::string& text, const std::string& /*file*/) {
  GmxLog log;
  std::vector<std::string> lines;
  {
    std::istringstream in(text);
    std::string l;
    while (std::getline(in, l)) lines.push_back(l);
  }
  long step = 0;
  double time = 0;
  bool inAverages = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    const std::string& l = lines[i];
    const std::string t(trim(l));
    if (t.find("A V E R A G E S") != std::string::npos) inAverages = true;
    if (t == "Step           Time" && i + 1 < lines.size()) {
      const auto w = splitWords(lines[i + 1]);
      double s = 0;
      if (w.size() == 2 && number(w[0], s) && number(w[1], time)) step = static_cast<long>(s);
      continue;
    }
    if (t == "Energies (kJ/mol)") {
      GmxEnergyFrame f{step, time, {}};
      size_t k = i + 1;
      while (k + 1 < lines.size() && !trim(lines[k]).empty()) {
        const auto names = fields15(lines[k]);
        const auto values = fields15(lines[k + 1]);
        if (names.size() != values.size()) break;
        for (size_t c = 0; c < names.size(); ++c) {
          double v = 0;
          if (number(values[c], v)) f.terms.emplace_back(names[c], v);
        }
        k += 2;
      }
      i = k;
      if (inAverages)
        log.averages = std::move(f);
      else
        log.frames.push_back(std::move(f));
      continue;
    }
    if (t.find("R E A L   C Y C L E   A N D   T I M E   A C C O U N T I N G") != std::string::npos) {
      size_t k = i + 1;
      for (; k < lines.size() && trim(lines[k]).rfind("On ", 0) != 0 && trim(lines[k]).rfind("Computing:", 0) != 0; ++k) {}
      if (k < lines.size() && trim(lines[k]).rfind("On ", 0) == 0) log.cycleHeader = std::string(trim(lines[k]));
      int dashes = 0;
      for (; k < lines.size() && dashes < 3; ++k) {
        const std::string r(trim(lines[k]));
        if (r.rfind("-----", 0) == 0) {
          ++dashes;
          continue;
        }
        if (dashes == 0) continue;
        const auto w = splitWords(r);
        size_t firstNumber = w.size();
        for (size_t c = 0; c < w.size(); ++c) {
          double v = 0;
          if (number(w[c], v)) {
            firstNumber = c;
            break;
          }
        }
        if (firstNumber == 0 || w.size() - firstNumber < 3) continue;
        GmxCycleRow row;
        for (size_t c = 0; c < firstNumber; ++c) row.name += (c ? " " : "") + w[c];
        const size_t n = w.size();
        number(w[n - 3], row.wallSeconds);
        number(w[n - 2], row.gigaCycles);
        number(w[n - 1], row.percent);
        double calls = 0;
        if (n - firstNumber >= 4 && number(w[n - 4], calls)) row.calls = static_cast<long>(calls);
        log.cycles.push_back(row);
      }
      i = k;
      continue;
    }
    if (t.rfind("Time:", 0) == 0) {
      const auto w = splitWords(t);
      double a = 0, b = 0;
      if (w.size() >= 3 && number(w[1], a) && number(w[2], b)) {
        log.coreSeconds = a;
        log.wallSeconds = b;
      }
    }
    if (t.rfind("Performance:", 0) == 0) {
      const auto w = splitWords(t);
      double a = 0, b = 0;
      if (w.size() >= 2 && number(w[1], a)) log.nsPerDay = a;
      if (w.size() >= 3 && number(w[2], b)) log.hoursPerNs = b;
    }
    std::smatch m;
    static const std::regex converged(R"((Steepest Descents|Polak-Ribiere Conjugate Gradients|Low-Memory BFGS Minimizer)\s+(converged|did not converge) to Fmax\s*<\s*(\S+)\s+in\s+(\d+)\s+steps)");
    if (std::regex_search(l, m, converged)) {
      GmxMinimization mz;
      mz.converged = m[2] == "converged";
      number(m[3], mz.tolerance);
      mz.steps = std::atoi(std::string(m[4]).c_str());
      for (size_t k = i + 1; k < std::min(lines.size(), i + 6); ++k) {
        std::smatch v;
        if (std::regex_search(lines[k], v, std::regex(R"(Potential Energy\s*=\s*(\S+))"))) number(v[1], mz.potential);
        if (std::regex_search(lines[k], v, std::regex(R"(Maximum force\s*=\s*(\S+))"))) number(v[1], mz.maxForce);
      }
      log.minimization = mz;
    }
  }
  return log;
}

}  // namespace mlffb::classical
