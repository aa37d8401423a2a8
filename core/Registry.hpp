#pragma once
// One registry shape for models (per flavour), engines, collectors and suites. Entries register
// themselves beside their code, LAMMPS style: a static `Registrar` in the entry's own .cpp adds
// it when the program starts (the layer libraries are linked whole, so no entry is dropped).
// Each entry declares its name, availability (with the reason when unavailable), the devices,
// precisions and configurations it supports, its own options, and (in the derived entry type)
// a creator. The planner, `mlff-bench list` and `--help` read these declarations.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/Axes.hpp"
#include "core/Options.hpp"

namespace mlffb {

struct Availability {
  bool available = true;
  std::string reason;  // why not, when unavailable
  static Availability yes() { return {}; }
  static Availability no(std::string why) { return {false, std::move(why)}; }
};

struct Capabilities {
  std::vector<DeviceKind> devices{DeviceKind::Cpu};
  std::vector<Precision> precisions{Precision::Float32, Precision::Float64};
  std::vector<Configuration> configurations{Configuration::Mlff};
  /// Precisions that exist on some device kinds only (tf32 and bf16 are tensor-core modes); a
  /// precision not named here runs on every device in `devices`.
  std::vector<std::pair<Precision, DeviceKind>> precisionOnlyOn;

  bool supports(DeviceKind d) const { return std::find(devices.begin(), devices.end(), d) != devices.end(); }
  bool supports(Precision p) const { return std::find(precisions.begin(), precisions.end(), p) != precisions.end(); }
  /// Whether precision p runs on device kind d (both supported, and p not restricted elsewhere).
  bool supports(DeviceKind d, Precision p) const {
    if (!supports(d) || !supports(p)) return false;
    bool restricted = false;
    for (const auto& [q, k] : precisionOnlyOn)
      if (q == p) {
        if (k == d) return true;
        restricted = true;
      }
    return !restricted;
  }
  bool supports(Configuration c) const {
    return std::find(configurations.begin(), configurations.end(), c) != configurations.end();
  }
};

/// What every registry entry declares. Availability and capabilities are functions because some
/// depend on what else registered (kernel sets) or on the machine (a tool on PATH); both are cheap.
struct EntryInfo {
  std::string name;
  std::string description;
  std::function<Availability()> availability = [] { return Availability::yes(); };
  std::function<Capabilities()> capabilities = [] { return Capabilities{}; };
  std::vector<OptionSpec> options;
  /// Options declared by the entry's parts, which register apart from it (the kernel sets of a
  /// flavour): gathered when asked, since parts register in other files, in no fixed order.
  std::function<std::vector<OptionSpec>()> partOptions;

  bool available() const { return availability().available; }
  /// Its own options and its parts'.
  std::vector<OptionSpec> allOptions() const {
    std::vector<OptionSpec> all = options;
    if (partOptions)
      for (auto& o : partOptions()) all.push_back(std::move(o));
    return all;
  }
};

template <class Entry>
class Registry {
 public:
  static Registry& instance() {
    static Registry r;
    return r;
  }
  /// Adds an entry; two entries with one name are a programming error and stop the program.
  bool add(Entry e) {
    if (find(e.name)) {
      std::fprintf(stderr, "mlff-bench: internal error: two registry entries named '%s'\n", e.name.c_str());
      std::abort();
    }
    auto at = std::lower_bound(entries_.begin(), entries_.end(), e.name,
                               [](const Entry& x, const std::string& n) { return x.name < n; });
    entries_.insert(at, std::move(e));
    return true;
  }
  /// Entries sorted by name.
  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* find(const std::string& name) const {
    for (const auto& e : entries_)
      if (e.name == name) return &e;
    return nullptr;
  }
  /// "a, b, c": the names, for error messages.
  std::string names() const {
    std::string s;
    for (const auto& e : entries_) s += (s.empty() ? "" : ", ") + e.name;
    return s;
  }

 private:
  std::vector<Entry> entries_;
};

/// `static const Registrar<ModelEntry> r{makeEntry()};` in an entry's .cpp registers it.
template <class Entry>
struct Registrar {
  explicit Registrar(Entry e) { Registry<Entry>::instance().add(std::move(e)); }
};

}  // namespace mlffb
