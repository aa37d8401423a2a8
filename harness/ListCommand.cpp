#include "harness/ListCommand.hpp"

#include <iomanip>
#include <iostream>

#include "harness/Environment.hpp"
#include "harness/Registries.hpp"
#include "harness/Suites.hpp"

namespace mlffb {
namespace {
void row(const std::string& name, bool available, const std::string& text) {
  std::cout << "  " << std::left << std::setw(28) << name << (available ? "available    " : "unavailable  ") << text
            << "\n";
}
}  // namespace

void addListCommand(CLI::App& app) {
  auto* list = app.add_subcommand("list", "List models, engines, collectors, suites and optional components");
  list->callback([] {
    for (const auto& section : registrySections()) {
      std::cout << section.title << ":\n";
      if (section.entries.empty()) std::cout << "  (none)\n";
      for (const auto& e : section.entries) row(e.name, e.available, e.available ? e.description : e.reason);
    }
    std::cout << "suites:\n";
    for (const auto& s : builtinSuites()) row(s.name, true, s.description);
    std::cout << "components:\n";
    for (const auto& c : components()) row(c.name, c.enabled, c.enabled ? "built in" : c.reason);
  });
}

}  // namespace mlffb
