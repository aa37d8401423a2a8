#include "workloads/classical/TopologyReader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "core/Subprocess.hpp"
#include "systems/InputFile.hpp"
#include "systems/TextParse.hpp"
#include "systems/Topology.hpp"

namespace fs = std::filesystem;

namespace mlffb::classical {

double ClassicalTopology::totalCharge() const {
  double q = 0;
  for (const auto& a : atoms) q += a.charge;
  return q;
}

std::vector<std::string> defaultIncludeDirs() {
  std::vector<std::string> dirs;
  auto add = [&](const fs::path& p) {
    std::error_code ec;
    if (!p.empty() && fs::is_directory(p, ec) && std::find(dirs.begin(), dirs.end(), p.string()) == dirs.end()) dirs.push_back(p.string());
  };
  if (const char* lib = std::getenv("GMXLIB")) {
    std::stringstream ss(lib);
    std::string d;
    while (std::getline(ss, d, ':')) add(d);
  }
  for (const char* exe : {"gmx", "gmx_mpi", "gmx_d"})
    if (const std::string found = findProgram(exe); !found.empty())
      add(fs::path(found).parent_path().parent_path() / "share" / "gromacs" / "top");
  add("/usr/share/gromacs/top");
  return dirs;
}

namespace {

/// One logical line after preprocessing, with where it came from.
struct Line {
  std::vector<std::string> tokens;
  std::string file;
  size_t number = 0;
  std::string at() const { return where(file, number); }
};

[[noreturn]] void fail(const std::string& at, const std::string& what) { throw TopologyError(at + ": " + what); }

/// GROMACS's C-like preprocessor, producing the data and section lines.
class Preprocessor {
 public:
  Preprocessor(const TopologyReadOptions& o) : includeDirs_(o.includeDirs) {
    for (const auto& d : o.defines) {
      std::string s = d.rfind("-D", 0) == 0 ? d.substr(2) : d;
      const auto eq = s.find('=');
      if (eq == std::string::npos)
        defines_[s] = {};
      else
        defines_[s.substr(0, eq)] = splitWords(s.substr(eq + 1));
    }
  }

  void run(const std::string& text, const std::string& file, int depth) {
    if (depth > 32) fail(file, "#include nested more than 32 deep (a cycle?)");
    std::istringstream in(text);
    std::string raw, logical;
    size_t number = 0, startNumber = 0;
    const size_t conditionalsAtEntry = conditionals_.size();
    while (std::getline(in, raw)) {
      ++number;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      if (logical.empty()) startNumber = number;
      if (!raw.empty() && raw.back() == '\\') {  // continuation
        logical += raw.substr(0, raw.size() - 1) + " ";
        continue;
      }
      logical += raw;
      std::string line = std::move(logical);
      logical.clear();
      if (line.find('\0') != std::string::npos) fail(where(file, startNumber), "binary data in a topology file");
      if (const auto c = line.find(';'); c != std::string::npos) line.erase(c);
      const std::string_view t = trim(line);
      if (t.empty()) continue;
      if (t.front() == '*') continue;  // banner lines of the force-field files, as GROMACS skips them
      if (t.front() == '#') {
        directive(std::string(t), file, startNumber, depth);
        continue;
      }
      if (!active()) continue;
      Line l{splitWords(t), file, startNumber};
      // Substitute defined names used as fields (e.g. the ILDN torsion macros).
      std::vector<std::string> expanded;
      for (auto& tok : l.tokens) {
        if (auto it = defines_.find(tok); it != defines_.end() && !it->second.empty())
          expanded.insert(expanded.end(), it->second.begin(), it->second.end());
        else
          expanded.push_back(std::move(tok));
      }
      l.tokens = std::move(expanded);
      lines.push_back(std::move(l));
    }
    if (conditionals_.size() != conditionalsAtEntry) fail(where(file, number), "#ifdef/#ifndef without #endif");
  }

  std::vector<Line> lines;

 private:
  struct Conditional {
    bool parentActive, taking, seenElse;
  };

  bool active() const { return conditionals_.empty() || (conditionals_.back().parentActive && conditionals_.back().taking); }

  void directive(const std::string& t, const std::string& file, size_t number, int depth) {
    const std::vector<std::string> w = splitWords(t.substr(1));
    const std::string at = where(file, number);
    if (w.empty()) fail(at, "empty preprocessor directive");
    const std::string& d = w[0];
    if (d == "ifdef" || d == "ifndef") {
      if (w.size() < 2) fail(at, "#" + d + " needs a name");
      const bool defined = defines_.count(w[1]) > 0;
      conditionals_.push_back({active(), d == "ifdef" ? defined : !defined, false});
    } else if (d == "else") {
      if (conditionals_.empty() || conditionals_.back().seenElse) fail(at, "#else without #ifdef");
      conditionals_.back().taking = !conditionals_.back().taking;
      conditionals_.back().seenElse = true;
    } else if (d == "endif") {
      if (conditionals_.empty()) fail(at, "#endif without #ifdef");
      conditionals_.pop_back();
    } else if (!active()) {
      return;
    } else if (d == "define") {
      if (w.size() < 2) fail(at, "#define needs a name");
      defines_[w[1]] = std::vector<std::string>(w.begin() + 2, w.end());
    } else if (d == "undef") {
      if (w.size() < 2) fail(at, "#undef needs a name");
      defines_.erase(w[1]);
    } else if (d == "include") {
      const auto q1 = t.find_first_of("\"<");
      const auto q2 = q1 == std::string::npos ? q1 : t.find_first_of("\">", q1 + 1);
      if (q1 == std::string::npos || q2 == std::string::npos) fail(at, "#include needs a \"file\"");
      const std::string name = t.substr(q1 + 1, q2 - q1 - 1);
      std::vector<fs::path> candidates{fs::path(file).parent_path() / name};
      for (const auto& dir : includeDirs_) candidates.push_back(fs::path(dir) / name);
      for (const auto& c : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(c, ec)) continue;
        std::string included;
        try {
          included = readInputFile(c.string(), kTopologyInput);
        } catch (const std::exception& e) {
          fail(at, std::string("cannot read included ") + e.what());
        }
        run(included, c.string(), depth + 1);
        return;
      }
      std::string searched;
      for (const auto& c : candidates) searched += (searched.empty() ? "" : ", ") + c.parent_path().string();
      fail(at, "included file '" + name + "' not found (searched " + searched + ")");
    } else {
      fail(at, "unknown preprocessor directive #" + d);
    }
  }

  std::vector<std::string> includeDirs_;
  std::map<std::string, std::vector<std::string>> defines_;
  std::vector<Conditional> conditionals_;
};

struct AtomType {
  std::string bondType;
  int atomicNumber = 0;
  double mass = 0, charge = 0, sigma = 0, epsilon = 0;
};

/// A bonded-type table entry: type names ("X" a wildcard for dihedrals), function, parameters.
struct TypeEntry {
  std::vector<std::string> names;
  int function = 0;
  std::vector<double> params;
};

/// A bonded term of a molecule type as written: 1-based atoms, function, parameters (empty:
/// from the type tables).
struct RawTerm {
  std::vector<int> atoms;
  int function = 0;
  std::vector<double> params;
  std::string at;
};

struct MoleculeType {
  std::string name;
  int nrexcl = 0;
  std::vector<TopAtom> atoms;
  std::vector<RawTerm> bonds, pairs, angles, dihedrals, constraints, settles, exclusions;
  std::string at;
};

class Parser {
 public:
  Parser(const std::string& source, double maxAtoms) : maxAtoms_(maxAtoms) { top_.source = source; }

  ClassicalTopology parse(const std::vector<Line>& lines) {
    std::string section;
    for (const Line& l : lines) {
      if (l.tokens.front().front() == '[') {
        section = sectionName(l);
        continue;
      }
      if (section.empty()) fail(l.at(), "data before any [ section ]");
      dispatch(section, l);
    }
    if (!sawDefaults_) fail(top_.source, "no [ defaults ] section (is the force field #included?)");
    if (!sawMolecules_) fail(top_.source, "no [ molecules ] section");
    if (top_.atoms.empty()) fail(top_.source, "[ molecules ] lists no atoms");
    return std::move(top_);
  }

 private:
  static std::string sectionName(const Line& l) {
    std::string s;
    for (const auto& t : l.tokens) s += t;
    if (s.size() < 3 || s.front() != '[' || s.back() != ']') fail(l.at(), "malformed section header");
    s = s.substr(1, s.size() - 2);
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  }

  static double num(const Line& l, size_t i, const char* what) {
    if (i >= l.tokens.size()) fail(l.at(), std::string("missing ") + what);
    try {
      return parseFiniteDouble(l.tokens[i], l.file, l.number, what);
    } catch (const std::invalid_argument& e) {
      throw TopologyError(e.what());
    }
  }
  static int integer(const Line& l, size_t i, const char* what) {
    if (i >= l.tokens.size()) fail(l.at(), std::string("missing ") + what);
    long v = 0;
    try {
      v = parseLong(l.tokens[i], l.file, l.number, what);
    } catch (const std::invalid_argument& e) {
      throw TopologyError(e.what());
    }
    if (v < -1000000000L || v > 1000000000L) fail(l.at(), std::string(what) + " out of range");
    return static_cast<int>(v);
  }
  static bool isInteger(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  }

  /// (σ, ε) from a pair of LJ columns as the combination rule writes them.
  std::pair<double, double> sigmaEpsilon(double v, double w) const {
    if (top_.combinationRule != 1) return {v, w};
    if (v <= 0 || w <= 0) return {0, 0};  // C6, C12
    return {std::pow(w / v, 1.0 / 6.0), v * v / (4 * w)};
  }

  MoleculeType& currentMolecule(const Line& l) {
    if (!current_) fail(l.at(), "a molecule section before any [ moleculetype ]");
    return *current_;
  }

  void dispatch(const std::string& s, const Line& l) {
    const auto& t = l.tokens;
    if (s == "defaults") {
      top_.nonbondedFunction = integer(l, 0, "nbfunc");
      top_.combinationRule = integer(l, 1, "comb-rule");
      if (top_.nonbondedFunction != 1) fail(l.at(), "only Lennard-Jones nonbonded (nbfunc 1) is supported");
      if (top_.combinationRule < 1 || top_.combinationRule > 3) fail(l.at(), "comb-rule must be 1, 2 or 3");
      if (t.size() > 2) {
        std::string g = t[2];
        for (auto& c : g) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (g != "yes" && g != "no") fail(l.at(), "gen-pairs must be yes or no, not '" + t[2] + "'");
        top_.generatePairs = g == "yes";
      }
      if (t.size() > 3) top_.fudgeLJ = num(l, 3, "fudgeLJ");
      if (t.size() > 4) top_.fudgeQQ = num(l, 4, "fudgeQQ");
      sawDefaults_ = true;
    } else if (s == "atomtypes") {
      // name [bond_type] [at.num] mass charge ptype V W: find the particle-type column.
      size_t p = 0;
      for (size_t k = 3; k <= 5 && k < t.size(); ++k)
        if (t[k] == "A" || t[k] == "S" || t[k] == "V" || t[k] == "D") p = k;
      if (p == 0 || t.size() < p + 3) fail(l.at(), "malformed [ atomtypes ] line (expected name [bond_type] [at.num] mass charge ptype sigma epsilon)");
      AtomType a;
      a.bondType = t[0];
      if (p == 5) {
        a.bondType = t[1];
        a.atomicNumber = integer(l, 2, "atomic number");
      } else if (p == 4) {
        if (isInteger(t[1]))
          a.atomicNumber = integer(l, 1, "atomic number");
        else
          a.bondType = t[1];
      }
      a.mass = num(l, p - 2, "mass");
      a.charge = num(l, p - 1, "charge");
      std::tie(a.sigma, a.epsilon) = sigmaEpsilon(num(l, p + 1, "sigma"), num(l, p + 2, "epsilon"));
      atomTypes_[t[0]] = a;
    } else if (s == "bondtypes" || s == "constrainttypes" || s == "pairtypes") {
      typeEntry(l, s == "bondtypes" ? bondTypes_ : s == "pairtypes" ? pairTypes_ : constraintTypes_, 2);
    } else if (s == "angletypes") {
      typeEntry(l, angleTypes_, 3);
    } else if (s == "dihedraltypes") {
      // Four type names, or the older two: j k for propers, i l for impropers.
      const bool four = t.size() > 4 && !isInteger(t[2]) && !isInteger(t[3]) && isInteger(t[4]);
      if (four) {
        typeEntry(l, dihedralTypes_, 4);
      } else {
        TypeEntry e;
        if (t.size() < 3) fail(l.at(), "malformed [ dihedraltypes ] line");
        e.function = integer(l, 2, "function");
        if (e.function == 2 || e.function == 4)
          e.names = {t[0], "X", "X", t[1]};
        else
          e.names = {"X", t[0], t[1], "X"};
        for (size_t k = 3; k < t.size(); ++k) e.params.push_back(num(l, k, "parameter"));
        dihedralTypes_.push_back(std::move(e));
      }
    } else if (s == "moleculetype") {
      if (t.size() < 2) fail(l.at(), "[ moleculetype ] needs a name and nrexcl");
      if (moleculeTypes_.count(t[0])) fail(l.at(), "molecule type '" + t[0] + "' defined twice");
      MoleculeType m;
      m.name = t[0];
      m.nrexcl = integer(l, 1, "nrexcl");
      if (m.nrexcl < 0 || m.nrexcl > 10) fail(l.at(), "nrexcl must be 0..10");
      m.at = l.at();
      current_ = &(moleculeTypes_[t[0]] = std::move(m));
    } else if (s == "atoms") {
      MoleculeType& m = currentMolecule(l);
      if (t.size() < 7) fail(l.at(), "malformed [ atoms ] line (expected nr type resnr residue atom cgnr charge [mass])");
      const int nr = integer(l, 0, "atom number");
      if (nr != static_cast<int>(m.atoms.size()) + 1) fail(l.at(), "atom numbers must run 1, 2, 3, … (got " + t[0] + ")");
      auto it = atomTypes_.find(t[1]);
      if (it == atomTypes_.end()) fail(l.at(), "unknown atom type '" + t[1] + "'");
      TopAtom a;
      a.type = t[1];
      a.residueNumber = integer(l, 2, "residue number");
      a.residue = t[3];
      a.name = t[4];
      a.charge = num(l, 6, "charge");
      a.mass = t.size() > 7 ? num(l, 7, "mass") : it->second.mass;
      if (!(a.mass >= 0)) fail(l.at(), "negative mass");
      a.atomicNumber = it->second.atomicNumber;
      a.sigma = it->second.sigma;
      a.epsilon = it->second.epsilon;
      m.atoms.push_back(std::move(a));
    } else if (s == "bonds") {
      rawTerm(l, currentMolecule(l).bonds, 2);
    } else if (s == "pairs") {
      rawTerm(l, currentMolecule(l).pairs, 2);
    } else if (s == "angles") {
      rawTerm(l, currentMolecule(l).angles, 3);
    } else if (s == "dihedrals") {
      rawTerm(l, currentMolecule(l).dihedrals, 4);
    } else if (s == "constraints") {
      rawTerm(l, currentMolecule(l).constraints, 2);
    } else if (s == "settles") {
      MoleculeType& m = currentMolecule(l);
      RawTerm r;
      r.atoms = {integer(l, 0, "atom")};
      r.function = integer(l, 1, "function");
      r.params = {num(l, 2, "doh"), num(l, 3, "dhh")};
      r.at = l.at();
      checkAtoms(m, r);
      if (r.atoms[0] + 2 > static_cast<int>(m.atoms.size())) fail(l.at(), "SETTLE needs the oxygen followed by two hydrogens");
      m.settles.push_back(std::move(r));
    } else if (s == "exclusions") {
      MoleculeType& m = currentMolecule(l);
      RawTerm r;
      for (size_t k = 0; k < t.size(); ++k) r.atoms.push_back(integer(l, k, "atom"));
      r.at = l.at();
      checkAtoms(m, r);
      m.exclusions.push_back(std::move(r));
    } else if (s == "position_restraints") {
      currentMolecule(l);  // restraints are an equilibration aid; the benchmark's systems run without them
    } else if (s == "system") {
      std::string name;
      for (const auto& w : t) name += (name.empty() ? "" : " ") + w;
      top_.systemName = name;
    } else if (s == "molecules") {
      sawMolecules_ = true;
      if (t.size() < 2) fail(l.at(), "[ molecules ] needs a name and a count");
      auto it = moleculeTypes_.find(t[0]);
      if (it == moleculeTypes_.end()) fail(l.at(), "unknown molecule type '" + t[0] + "'");
      const int count = integer(l, 1, "molecule count");
      if (count < 0) fail(l.at(), "negative molecule count");
      if (static_cast<double>(top_.atoms.size()) + static_cast<double>(count) * static_cast<double>(it->second.atoms.size()) > maxAtoms_)
        fail(l.at(), "more than " + std::to_string(static_cast<long>(maxAtoms_)) + " atoms");
      expand(it->second, count, l);
    } else {
      fail(l.at(), "unsupported section [ " + s + " ]");
    }
  }

  void typeEntry(const Line& l, std::vector<TypeEntry>& table, size_t names) {
    if (l.tokens.size() < names + 1) fail(l.at(), "malformed type line (expected " + std::to_string(names) + " type names and a function)");
    TypeEntry e;
    e.names.assign(l.tokens.begin(), l.tokens.begin() + static_cast<long>(names));
    e.function = integer(l, names, "function");
    for (size_t k = names + 1; k < l.tokens.size(); ++k) e.params.push_back(num(l, k, "parameter"));
    table.push_back(std::move(e));
  }

  static void checkAtoms(const MoleculeType& m, const RawTerm& r) {
    for (int a : r.atoms)
      if (a < 1 || a > static_cast<int>(m.atoms.size()))
        fail(r.at, "atom " + std::to_string(a) + " is not an atom of molecule type '" + m.name + "' (it has " +
                       std::to_string(m.atoms.size()) + " so far)");
  }

  void rawTerm(const Line& l, std::vector<RawTerm>& out, size_t atoms) {
    MoleculeType& m = currentMolecule(l);
    if (l.tokens.size() < atoms + 1) fail(l.at(), "expected " + std::to_string(atoms) + " atoms and a function");
    RawTerm r;
    for (size_t k = 0; k < atoms; ++k) r.atoms.push_back(integer(l, k, "atom"));
    r.function = integer(l, atoms, "function");
    for (size_t k = atoms + 1; k < l.tokens.size(); ++k) r.params.push_back(num(l, k, "parameter"));
    r.at = l.at();
    checkAtoms(m, r);
    out.push_back(std::move(r));
  }

  std::string bondType(const MoleculeType& m, int atom1) const { return atomTypes_.at(m.atoms[atom1 - 1].type).bondType; }

  /// The type entry matching the atoms' bonded types in either direction; nullptr if none
  /// (the last definition wins, as in GROMACS).
  static const TypeEntry* exactMatch(const std::vector<TypeEntry>& table, const std::vector<std::string>& types, int function) {
    const TypeEntry* found = nullptr;
    for (const auto& e : table) {
      if (e.function != function || e.names.size() != types.size()) continue;
      const bool fwd = std::equal(types.begin(), types.end(), e.names.begin());
      const bool rev = std::equal(types.rbegin(), types.rend(), e.names.begin());
      if (fwd || rev) found = &e;
    }
    return found;
  }

  /// GROMACS's dihedral rule: the first entry with the most non-wildcard matches (either
  /// direction); for function 9, every adjacent entry with the same names adds a term.
  std::vector<const TypeEntry*> dihedralMatch(const std::vector<std::string>& types, int function) const {
    int best = -1;
    size_t bestIndex = 0;
    for (size_t k = 0; k < dihedralTypes_.size(); ++k) {
      const TypeEntry& e = dihedralTypes_[k];
      if (e.function != function) continue;
      auto score = [&](bool reverse) {
        int s = 0;
        for (int p = 0; p < 4; ++p) {
          const std::string& want = types[reverse ? 3 - p : p];
          if (e.names[p] == "X") continue;
          if (e.names[p] != want) return -1;
          ++s;
        }
        return s;
      };
      const int s = std::max(score(false), score(true));
      if (s > best) {
        best = s;
        bestIndex = k;
      }
    }
    std::vector<const TypeEntry*> out;
    if (best < 0) return out;
    out.push_back(&dihedralTypes_[bestIndex]);
    if (function == 9)
      for (size_t k = bestIndex + 1; k < dihedralTypes_.size() && dihedralTypes_[k].function == 9 &&
                                     dihedralTypes_[k].names == dihedralTypes_[bestIndex].names;
           ++k)
        out.push_back(&dihedralTypes_[k]);
    return out;
  }

  static void need(const RawTerm& r, const std::vector<double>& p, size_t n, const char* what) {
    if (p.size() < n) fail(r.at, std::string(what) + " function " + std::to_string(r.function) + " needs " + std::to_string(n) + " parameters");
  }

  std::string typesText(const std::vector<std::string>& types) const {
    std::string s;
    for (const auto& t : types) s += (s.empty() ? "" : "-") + t;
    return s;
  }

  void expand(const MoleculeType& m, int count, const Line& l) {
    // Resolve the molecule's terms once, then lay out `count` copies.
    std::vector<BondTerm> bonds;
    std::vector<AngleTerm> angles;
    std::vector<DihedralTerm> dihedrals;
    std::vector<PairTerm> pairs;
    std::vector<ConstraintTerm> constraints;
    std::vector<std::pair<int, int>> graph;  // chemical bonds for nrexcl
    auto typesOf = [&](const RawTerm& r) {
      std::vector<std::string> types;
      for (int a : r.atoms) types.push_back(bondType(m, a));
      return types;
    };
    auto lookup = [&](const RawTerm& r, const std::vector<TypeEntry>& table, const char* what) -> const std::vector<double>& {
      if (!r.params.empty()) return r.params;
      const auto types = typesOf(r);
      const TypeEntry* e = exactMatch(table, types, r.function);
      if (!e) fail(r.at, std::string("no ") + what + " parameters for types " + typesText(types) + " (function " + std::to_string(r.function) + ")");
      return e->params;
    };
    for (const auto& r : m.bonds) {
      graph.emplace_back(r.atoms[0] - 1, r.atoms[1] - 1);
      if (r.function == 5) continue;  // a connection for exclusions only
      if (r.function != 1) fail(r.at, "bond function " + std::to_string(r.function) + " is not supported (1: harmonic, 5: connection)");
      const auto& p = lookup(r, bondTypes_, "bondtypes");
      need(r, p, 2, "bond");
      bonds.push_back({r.atoms[0] - 1, r.atoms[1] - 1, p[0], p[1]});
    }
    for (const auto& r : m.constraints) {
      if (r.function != 1 && r.function != 2) fail(r.at, "constraint function must be 1 or 2");
      if (r.function == 1) graph.emplace_back(r.atoms[0] - 1, r.atoms[1] - 1);
      const auto& p = lookup(r, constraintTypes_, "constrainttypes");
      need(r, p, 1, "constraint");
      constraints.push_back({r.atoms[0] - 1, r.atoms[1] - 1, p[0]});
    }
    for (const auto& r : m.settles) {
      if (r.function != 1) fail(r.at, "settles function must be 1");
      const int o = r.atoms[0] - 1;
      constraints.push_back({o, o + 1, r.params[0]});
      constraints.push_back({o, o + 2, r.params[0]});
      constraints.push_back({o + 1, o + 2, r.params[1]});
      graph.emplace_back(o, o + 1);
      graph.emplace_back(o, o + 2);
    }
    for (const auto& r : m.angles) {
      if (r.function != 1 && r.function != 5) fail(r.at, "angle function " + std::to_string(r.function) + " is not supported (1: harmonic, 5: Urey-Bradley)");
      const auto& p = lookup(r, angleTypes_, "angletypes");
      need(r, p, r.function == 5 ? 4 : 2, "angle");
      AngleTerm a{r.atoms[0] - 1, r.atoms[1] - 1, r.atoms[2] - 1, r.function, p[0], p[1], 0, 0};
      if (r.function == 5) {
        a.ubR0 = p[2];
        a.ubK = p[3];
      }
      angles.push_back(a);
    }
    for (const auto& r : m.dihedrals) {
      const int f = r.function;
      if (f != 1 && f != 2 && f != 3 && f != 4 && f != 9)
        fail(r.at, "dihedral function " + std::to_string(f) + " is not supported (1, 4, 9: periodic; 2: harmonic improper; 3: Ryckaert-Bellemans)");
      std::vector<std::vector<double>> sets;
      if (!r.params.empty()) {
        sets.push_back(r.params);
      } else {
        const auto types = typesOf(r);
        for (const TypeEntry* e : dihedralMatch(types, f)) sets.push_back(e->params);
        if (sets.empty()) fail(r.at, "no dihedraltypes parameters for types " + typesText(types) + " (function " + std::to_string(f) + ")");
      }
      for (const auto& p : sets) {
        DihedralTerm d;
        d.i = r.atoms[0] - 1, d.j = r.atoms[1] - 1, d.k = r.atoms[2] - 1, d.l = r.atoms[3] - 1;
        d.function = f;
        if (f == 3) {
          need(r, p, 6, "dihedral");
          std::copy(p.begin(), p.begin() + 6, d.rb);
        } else if (f == 2) {
          need(r, p, 2, "dihedral");
          d.phase = p[0], d.force = p[1];
        } else {
          need(r, p, 3, "dihedral");
          d.phase = p[0], d.force = p[1];
          d.multiplicity = static_cast<int>(std::lround(p[2]));
          if (d.multiplicity < 0 || std::abs(p[2] - d.multiplicity) > 1e-9) fail(r.at, "dihedral multiplicity must be a non-negative integer");
        }
        dihedrals.push_back(d);
      }
    }
    for (const auto& r : m.pairs) {
      if (r.function != 1) fail(r.at, "pair function " + std::to_string(r.function) + " is not supported (1)");
      PairTerm pt{r.atoms[0] - 1, r.atoms[1] - 1, 0, 0, top_.fudgeQQ};
      if (!r.params.empty()) {
        need(r, r.params, 2, "pair");
        std::tie(pt.sigma, pt.epsilon) = sigmaEpsilon(r.params[0], r.params[1]);
      } else if (const TypeEntry* e = exactMatch(pairTypes_, typesOf(r), 1)) {
        need(r, e->params, 2, "pairtypes");
        std::tie(pt.sigma, pt.epsilon) = sigmaEpsilon(e->params[0], e->params[1]);
      } else if (top_.generatePairs) {
        const TopAtom& a = m.atoms[pt.i];
        const TopAtom& b = m.atoms[pt.j];
        pt.sigma = top_.combinationRule == 2 ? 0.5 * (a.sigma + b.sigma) : std::sqrt(a.sigma * b.sigma);
        pt.epsilon = top_.fudgeLJ * std::sqrt(a.epsilon * b.epsilon);
      } else {
        fail(r.at, "no pairtypes parameters for types " + typesText(typesOf(r)) + " and gen-pairs is no");
      }
      pairs.push_back(pt);
    }
    // Exclusions within nrexcl chemical bonds, plus the explicit ones.
    const int n = static_cast<int>(m.atoms.size());
    std::vector<std::set<int>> excl(n);
    const auto within = atomsWithinBonds(static_cast<size_t>(n), graph, m.nrexcl);
    for (int a = 0; a < n; ++a)
      for (int b : within[a])
        if (b > a) excl[a].insert(b);
    for (const auto& r : m.exclusions)
      for (size_t k = 1; k < r.atoms.size(); ++k) {
        const int a = r.atoms[0] - 1, b = r.atoms[k] - 1;
        if (a != b) excl[std::min(a, b)].insert(std::max(a, b));
      }

    MoleculeBlock block{m.name, count, static_cast<int>(top_.atoms.size()), n, m.nrexcl, !m.settles.empty()};
    top_.molecules.push_back(block);
    top_.atoms.reserve(top_.atoms.size() + static_cast<size_t>(n) * count);
    for (int c = 0; c < count; ++c) {
      const int o = static_cast<int>(top_.atoms.size());
      top_.atoms.insert(top_.atoms.end(), m.atoms.begin(), m.atoms.end());
      for (auto b : bonds) top_.bonds.push_back({b.i + o, b.j + o, b.r0, b.k});
      for (auto a : angles) {
        a.i += o, a.j += o, a.k += o;
        top_.angles.push_back(a);
      }
      for (auto d : dihedrals) {
        d.i += o, d.j += o, d.k += o, d.l += o;
        top_.dihedrals.push_back(d);
      }
      for (auto p : pairs) {
        p.i += o, p.j += o;
        top_.pairs.push_back(p);
      }
      for (auto k : constraints) top_.constraints.push_back({k.i + o, k.j + o, k.length});
      for (int a = 0; a < n; ++a) {
        std::vector<int> e;
        for (int b : excl[a]) e.push_back(b + o);
        top_.exclusions.push_back(std::move(e));
      }
    }
    (void)l;
  }

  ClassicalTopology top_;
  double maxAtoms_;
  bool sawDefaults_ = false, sawMolecules_ = false;
  std::map<std::string, AtomType> atomTypes_;
  std::vector<TypeEntry> bondTypes_, constraintTypes_, pairTypes_, angleTypes_, dihedralTypes_;
  std::map<std::string, MoleculeType> moleculeTypes_;
  MoleculeType* current_ = nullptr;
};

}  // namespace

ClassicalTopology parseTopology(const std::string& text, const std::string& fileName, const TopologyReadOptions& options) {
  TopologyReadOptions o = options;
  if (o.includeDirs.empty()) o.includeDirs = defaultIncludeDirs();
  Preprocessor pp(o);
  pp.run(text, fileName, 0);
  if (pp.lines.empty()) fail(fileName, "empty topology");
  return Parser(fileName, o.maxAtoms).parse(pp.lines);
}

ClassicalTopology readTopology(const std::string& path, const TopologyReadOptions& options) {
  std::string text;
  try {
    text = readInputFile(path, kTopologyInput);
  } catch (const std::exception& e) {
    throw TopologyError(e.what());
  }
  return parseTopology(text, path, options);
}

}  // namespace mlffb::classical
