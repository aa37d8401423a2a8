#pragma once
// The registries `mlff-bench list` prints: each layer keeps its own (workloads: models,
// backends: engines, profilers: collectors); this gathers them in one listing.
#include <string>
#include <vector>

namespace mlffb {

struct ListingEntry {
  std::string name;
  bool available;
  std::string description;  // when available
  std::string reason;       // when not
};

struct ListingSection {
  std::string title;
  std::vector<ListingEntry> entries;
};

std::vector<ListingSection> registrySections();

}  // namespace mlffb
