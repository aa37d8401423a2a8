#pragma once
// System families: the named ways to build a system of a chosen size (poly-alanine slices, random
// coordinates, water boxes, replicated solvated boxes), one registry entry per family in its own
// …Family.cpp beside its builder. Each declares its size unit, whether it takes the neighbour axis
// (`--neighbors`), the name a built system gets (the first part of a point id), the field its size
// is recorded under, and its builder; the planner, `run --help`, `mlff-bench list` and the size
// search ask the registry rather than naming families.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/Registry.hpp"
#include "systems/System.hpp"

namespace mlffb {

/// One system of a family: its size in the family's unit, the mean neighbour count (families
/// that take the neighbour axis; 0 otherwise) and the seed.
struct FamilyPoint {
  int size = 0;
  double neighbors = 0;
  std::uint64_t seed = 42;
};

struct SystemFamilyEntry : EntryInfo {
  std::string sizeUnit;   // "residues", "atoms", "molecules": what a size counts
  std::string sizeHelp;   // how `--systems` help describes a size (default: sizeUnit)
  std::string sizeField;  // the record's field for the size of a system not built ("residues", ...)
  int maxSize = 0;        // the largest size the builder makes (0: no limit of its own)
  /// Families that take the neighbour axis (`--neighbors`): the neighbour counts when a plan names none.
  std::vector<double> defaultNeighbors;
  /// The system's name when it is not "<family>-<size>" (e.g. random's "-n<neighbours>" suffix).
  std::function<std::string(const FamilyPoint&)> id;
  /// Builds the system (provenance included); the caller names it and applies the periodic mode.
  std::function<System(const FamilyPoint&)> build;

  bool takesNeighbors() const { return !defaultNeighbors.empty(); }
  /// The system's name: id(p), or "<family>-<size>".
  std::string pointName(const FamilyPoint& p) const { return id ? id(p) : name + "-" + std::to_string(p.size); }
  /// Throws std::invalid_argument naming `option` when `size` is beyond maxSize.
  void checkSize(int size, const std::string& option) const;
};

using SystemFamilyRegistry = Registry<SystemFamilyEntry>;

/// The family `name`; throws std::invalid_argument listing the known families.
const SystemFamilyEntry& findSystemFamily(const std::string& name);
/// The family a built system's name (or a point id) starts with: the longest family name followed
/// by '-'; nullptr for a name no family made (a structure file's).
const SystemFamilyEntry* familyOfSystemName(const std::string& systemName);
/// The families that take the neighbour axis, by name.
std::vector<std::string> neighborFamilies();
/// "polyala (residues), random (atoms), …": every family with its size described, for help text.
std::string familiesHelp();
/// "residues (polyala), atoms (random, solvated) or molecules (water)": the size units, for help text.
std::string sizeUnitsHelp();

}  // namespace mlffb
