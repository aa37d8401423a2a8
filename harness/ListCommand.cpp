#include "harness/ListCommand.hpp"

#include <iomanip>
#include <iostream>
#include <sstream>

#include "backends/EngineRegistry.hpp"
#include "harness/Environment.hpp"
#include "harness/Suites.hpp"
#include "profilers/CollectorRegistry.hpp"
#include "systems/SystemFamily.hpp"
#include "workloads/ModelRegistry.hpp"

namespace mlffb {
namespace {

void row(const std::string& name, const Availability& a, const std::string& text) {
  std::cout << "  " << std::left << std::setw(28) << name << (name.size() >= 28 ? " " : "") << (a.available ? "available    " : "unavailable  ")
            << (a.available ? text : a.reason) << "\n";
}

void detail(const std::string& label, const std::string& text) {
  if (!text.empty()) std::cout << "  " << std::string(28, ' ') << "             " << label << ": " << text << "\n";
}

std::string kinds(const std::vector<DeviceKind>& v) {
  std::string s;
  for (auto k : v) s += (s.empty() ? "" : ", ") + toString(k);
  return s;
}

/// {55, 12.5} → "55, 12.5".
std::string numbers(const std::vector<double>& v) {
  std::ostringstream s;
  for (size_t k = 0; k < v.size(); ++k) s << (k ? ", " : "") << v[k];
  return s.str();
}

void options(const std::vector<OptionSpec>& specs) {
  for (const auto& o : specs)
    detail("--" + o.flag, o.help + " (" + o.allowed() + (o.defaultText.empty() ? "" : "; default " + o.defaultText) + ")");
}

}  // namespace

void addListCommand(CLI::App& app) {
  auto* list = app.add_subcommand("list", "List models, engines, collectors, suites, system families and optional components, with what each can do");
  list->callback([] {
    std::cout << "models:\n";
    std::vector<const ModelEntry*> models;  // flavours of every model ("*") last
    for (const auto& e : ModelRegistry::instance().entries())
      if (e.model != "*") models.push_back(&e);
    for (const auto& e : ModelRegistry::instance().entries())
      if (e.model == "*") models.push_back(&e);
    for (const ModelEntry* m : models) {
      const ModelEntry& e = *m;
      const Availability a = e.availability();
      row((e.model == "*" ? std::string("NAME") : e.model) + " --flavor " + e.flavor, a, e.description);
      if (!a.available) continue;
      const Capabilities c = e.capabilities();
      detail("devices", kinds(c.devices));
      std::string precisions = joinNames(c.precisions);
      for (const auto& [p, k] : c.precisionOnlyOn) precisions += "; " + toString(p) + " on " + toString(k) + " only";
      detail("precisions", precisions);
      if (e.details)
        for (const auto& [label, text] : e.details()) detail(label, text);
      if (!e.peer.empty()) detail("peer", "the package's own implementation: " + e.peer + " (in suites with peers: implementations)");
      if (!e.weightsSource.name.empty()) detail("weights fetch", "mlff-bench weights fetch " + e.model + " (" + e.weightsSource.license + ")");
      if (e.exporter) detail("export", "TorchScript for GROMACS NNPot and OpenMM-Torch (mlff-bench export --model " + e.model + ")");
      options(e.allOptions());
    }
    std::cout << "engines:\n";
    for (const auto& e : EngineRegistry::instance().entries()) {
      const Availability a = e.availability();
      row(e.name, a, e.description);
      if (!a.available) continue;
      const Capabilities c = e.capabilities();
      detail("configurations", joinNames(c.configurations));
      detail("devices", kinds(c.devices));
      detail("runs", e.inProcess              ? "in this process (live model)"
                     : e.modelFlavor.empty() ? "another program (the model built there from the registry)"
                     : e.exportsModel        ? "another program (exported model)"
                                             : "another program (the package's own model: the " + e.modelFlavor + " flavour's points)");
      if (e.distributed) detail("ranks", "--ranks: MPI ranks over one system (domain decomposition)");
      options(e.allOptions());
    }
    std::cout << "collectors:\n";
    for (const auto& e : profilers::CollectorRegistry::instance().entries()) {
      row(e.name, e.availability(), e.description);
      detail("timing", e.perturbsTiming ? "perturbs timing: runs in a pass of its own" : "coexists with the timing pass");
      options(e.allOptions());
    }
    std::cout << "suites:\n";
    for (const auto& s : SuiteRegistry::instance().entries()) row(s.name, s.availability(), s.description);
    std::cout << "system families (--systems):\n";
    for (const auto& f : SystemFamilyRegistry::instance().entries()) {
      row(f.name, f.availability(), f.description);
      detail("sizes", f.sizeHelp.empty() ? f.sizeUnit : f.sizeHelp);
      if (f.takesNeighbors()) detail("neighbours", "--neighbors (default " + numbers(f.defaultNeighbors) + ")");
    }
    std::cout << "components:\n";
    for (const auto& c : components()) row(c.name, c.enabled ? Availability::yes() : Availability::no(c.reason), "built in");
  });
}

}  // namespace mlffb
