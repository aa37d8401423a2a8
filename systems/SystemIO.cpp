#include "systems/SystemIO.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>
#include <sstream>
#include <stdexcept>

#include "core/Units.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/InputFile.hpp"
#include "systems/Element.hpp"
#include "systems/Hybrid36.hpp"
#include "systems/TextParse.hpp"
#include "systems/Topology.hpp"

namespace mlffb {
namespace {

std::vector<std::string_view> splitLines(const std::string& text) {
  std::vector<std::string_view> lines;
  std::string_view t(text);
  size_t pos = 0;
  while (pos < t.size()) {
    size_t e = t.find('\n', pos);
    if (e == std::string_view::npos) e = t.size();
    std::string_view l = t.substr(pos, e - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    lines.push_back(l);
    pos = e + 1;
  }
  return lines;
}

std::string upper(std::string_view s) {
  std::string u(s);
  for (auto& c : u) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return u;
}

void finishRead(System& s, const std::string& fileName) {
  if (s.atoms.empty()) throw std::invalid_argument(fileName + ": no atoms");
  s.validate(fileName);
  s.provenance.builder = "file";
  s.provenance.sourceFile = fileName;
  s.name = std::filesystem::path(fileName).stem().string();
}

/// A cell given by three vectors of any orientation, turned into the reduced form: the frame is
/// rotated so that a lies along x and b in the xy plane (positions rotate with it), then reduced.
Box orientCell(const Vec3& a, const Vec3& b, const Vec3& c, std::vector<Vec3>& positions) {
  if (!isFinite(a) || !isFinite(b) || !isFinite(c)) throw std::invalid_argument("cell vectors must be finite");
  const double volume = dot(a, cross(b, c));
  if (!(volume > 1e-9 * norm(a) * norm(b) * norm(c)))
    throw std::invalid_argument(volume < 0 ? "the cell vectors are left-handed (a · (b × c) < 0)" : "the cell vectors are degenerate");
  if (a.y == 0 && a.z == 0 && b.z == 0) return Box::fromVectors(a, b, c);
  const Vec3 e1 = normalized(a), e2 = normalized(b - e1 * dot(b, e1)), e3 = cross(e1, e2);
  auto rotate = [&](const Vec3& v) { return Vec3{dot(v, e1), dot(v, e2), dot(v, e3)}; };
  for (auto& p : positions) p = rotate(p);
  Vec3 ra = rotate(a), rb = rotate(b);
  ra.y = ra.z = rb.z = 0;  // exactly zero, not round-off
  return Box::fromVectors(ra, rb, rotate(c));
}

/// A PDB number field: decimal or hybrid-36, errors naming file:line.
long parsePdbNumber(std::string_view field, const std::string& file, size_t line, const char* what) {
  try {
    return decodeHybrid36(field);
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(where(file, line) + ": malformed " + what + " '" + std::string(trim(field)) + "'");
  }
}

std::string fmt(const char* f, auto... args) {
  char buf[256];
  std::snprintf(buf, sizeof buf, f, args...);
  return buf;
}

}  // namespace

bool isSolventResidue(const std::string& r) {
  static const char* names[] = {"HOH", "WAT", "SOL", "TIP3", "TIP", "NA", "CL", "K", "NA+", "CL-"};
  const std::string u = upper(trim(r));
  return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return u == n; });
}

FileFormat parseFileFormat(const std::string& n) {
  const std::string u = upper(n);
  if (u == "PDB") return FileFormat::Pdb;
  if (u == "GRO") return FileFormat::Gro;
  if (u == "XYZ") return FileFormat::Xyz;
  throw std::invalid_argument("unknown structure format '" + n + "' (pdb, gro, xyz)");
}

FileFormat formatFromPath(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  if (ext.empty()) throw std::invalid_argument(path + ": no file extension (expected .pdb, .gro or .xyz)");
  try {
    return parseFileFormat(ext.substr(1));
  } catch (const std::invalid_argument&) {
    throw std::invalid_argument(path + ": unknown structure format '" + ext + "' (expected .pdb, .gro or .xyz)");
  }
}

std::string extension(FileFormat f) {
  switch (f) {
    case FileFormat::Pdb: return "pdb";
    case FileFormat::Gro: return "gro";
    case FileFormat::Xyz: return "xyz";
  }
  return "pdb";
}

// ---------------------------------------------------------------- PDB
System parsePdb(const std::string& text, const std::string& file, const ReadOptions& options) {
  if (options.frame < 1) throw std::invalid_argument(file + ": frame numbers start at 1 (asked for " + std::to_string(options.frame) + ")");
  System s;
  std::map<long, int> serialToIndex;
  std::set<long> droppedSerials;
  std::vector<std::pair<long, long>> conect;
  std::set<long> conectSerials;
  std::map<std::tuple<char, long, char>, char> firstAltLoc;  // residue → the alternate location kept
  std::set<std::tuple<char, long, char, std::string>> keptAtoms;  // residue and atom name already read
  int models = 0;              // MODEL records seen
  bool inModel = false;        // between MODEL and ENDMDL
  long dropped = 0;
  const auto lines = splitLines(text);
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    const std::string_view l = lines[ln];
    const size_t lineNo = ln + 1;
    const std::string rec(columns(l, 0, 6));
    if (rec == "END   " || trim(rec) == "END") break;
    if (rec == "MODEL ") {
      if (inModel) throw std::invalid_argument(where(file, lineNo) + ": MODEL without ENDMDL for the previous model");
      ++models;
      inModel = true;
      continue;
    }
    if (rec == "ENDMDL") {
      inModel = false;
      continue;
    }
    if (rec == "CRYST1") {
      if (l.size() < 54)
        throw std::invalid_argument(where(file, lineNo) + ": truncated CRYST1 record");
      const double a = parseFiniteDouble(columns(l, 6, 15), file, lineNo, "box a"),
                   b = parseFiniteDouble(columns(l, 15, 24), file, lineNo, "box b"),
                   c = parseFiniteDouble(columns(l, 24, 33), file, lineNo, "box c"),
                   alpha = parseFiniteDouble(columns(l, 33, 40), file, lineNo, "box alpha"),
                   beta = parseFiniteDouble(columns(l, 40, 47), file, lineNo, "box beta"),
                   gamma = parseFiniteDouble(columns(l, 47, 54), file, lineNo, "box gamma");
      if (a <= 1.0 && b <= 1.0 && c <= 1.0) continue;  // "1 1 1": the PDB convention for no cell
      try {
        s.box = Box::fromLengthsAngles(a, b, c, alpha, beta, gamma);
      } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(where(file, lineNo) + ": CRYST1: " + e.what());
      }
      continue;
    }
    if (rec == "CONECT") {
      const long a = parsePdbNumber(columns(l, 6, 11), file, lineNo, "CONECT serial");
      conectSerials.insert(a);
      for (size_t c = 11; c + 5 <= std::max<size_t>(l.size(), 11) && c < 31; c += 5) {
        const auto f = trim(columns(l, c, c + 5));
        if (f.empty()) continue;
        const long b = parsePdbNumber(columns(l, c, c + 5), file, lineNo, "CONECT serial");
        conect.emplace_back(a, b);
        conectSerials.insert(b);
      }
      continue;
    }
    if (rec != "ATOM  " && rec != "HETATM") continue;
    if (l.size() < 54)
      throw std::invalid_argument(where(file, lineNo) + ": truncated " + std::string(trim(rec)) + " record (" +
                                  std::to_string(l.size()) + " characters, need at least 54)");
    const auto serialField = trim(columns(l, 6, 11));
    const long serial = serialField.empty() ? -1 : parsePdbNumber(columns(l, 6, 11), file, lineNo, "atom serial");
    // Atoms of other models (a file with MODEL records: only the chosen one is read).
    if (models > 0 ? (!inModel || models != options.frame) : options.frame != 1) continue;
    Atom a;
    a.name = std::string(trim(columns(l, 12, 16)));
    a.residueName = std::string(trim(columns(l, 17, 21)));
    a.chain = l[21] == ' ' ? 'A' : l[21];
    a.residueNumber = static_cast<int>(parsePdbNumber(columns(l, 22, 26), file, lineNo, "residue number"));
    a.insertionCode = l.size() > 26 ? l[26] : ' ';
    // Alternate locations: the first location of each residue (blank or the first letter seen),
    // and of each atom the first record (a blank record followed by a lettered one keeps the blank).
    const char altLoc = l[16];
    const auto residue = std::make_tuple(a.chain, static_cast<long>(a.residueNumber), a.insertionCode);
    bool drop = false;
    if (altLoc != ' ') {
      auto [it, fresh] = firstAltLoc.emplace(residue, altLoc);
      drop = !fresh && it->second != altLoc;
    }
    if (!drop && (altLoc != ' ' || firstAltLoc.count(residue)))
      drop = !keptAtoms.emplace(a.chain, static_cast<long>(a.residueNumber), a.insertionCode, a.name).second;
    else if (!drop)
      keptAtoms.emplace(a.chain, static_cast<long>(a.residueNumber), a.insertionCode, a.name);
    if (drop) {
      ++dropped;
      if (serial >= 0) droppedSerials.insert(serial);
      continue;
    }
    Vec3 r{parseFiniteDouble(columns(l, 30, 38), file, lineNo, "x coordinate"),
           parseFiniteDouble(columns(l, 38, 46), file, lineNo, "y coordinate"),
           parseFiniteDouble(columns(l, 46, 54), file, lineNo, "z coordinate")};
    const std::string el(trim(columns(l, 76, 78)));
    a.element = el.empty() ? elementFromAtomName(a.name, a.residueName) : elementFromSymbol(el);
    if (a.element == 0)
      throw std::invalid_argument(where(file, lineNo) + ": unknown element '" + (el.empty() ? a.name : el) +
                                  "' for atom " + a.name);
    a.solvent = isSolventResidue(a.residueName);
    if (serial >= 0) serialToIndex[serial] = static_cast<int>(s.size());
    s.addAtom(std::move(a), r);
  }
  if (options.frame > std::max(models, 1))
    throw std::invalid_argument(file + ": frame " + std::to_string(options.frame) + " asked for, but the file has " +
                                std::to_string(std::max(models, 1)) + (models > 1 ? " models" : " model"));
  finishRead(s, file);
  // Bonds: CONECT alone when it covers every atom (files mlff-bench writes); otherwise (crystal
  // structures list only ligands) distances, plus what CONECT adds.
  bool conectCoversAll = !conect.empty() && serialToIndex.size() == s.size();
  if (conectCoversAll)
    for (const auto& [serial, index] : serialToIndex) conectCoversAll = conectCoversAll && conectSerials.count(serial);
  if (!conectCoversAll) s.bonds = inferBonds(s);
  for (auto [a, b] : conect) {
    if (droppedSerials.count(a) || droppedSerials.count(b)) continue;  // a bond of a dropped location
    auto ia = serialToIndex.find(a), ib = serialToIndex.find(b);
    if (ia == serialToIndex.end() || ib == serialToIndex.end()) {
      if (models > 1) continue;  // serials of the models not read
      throw std::invalid_argument(file + ": CONECT names atom serial " +
                                  std::to_string(ia == serialToIndex.end() ? a : b) + " that is not in the file");
    }
    s.bonds.emplace_back(std::min(ia->second, ib->second), std::max(ia->second, ib->second));
  }
  std::sort(s.bonds.begin(), s.bonds.end());
  s.bonds.erase(std::unique(s.bonds.begin(), s.bonds.end()), s.bonds.end());
  s.bonds.erase(std::remove_if(s.bonds.begin(), s.bonds.end(), [](const auto& b) { return b.first == b.second; }), s.bonds.end());
  if (dropped > 0) s.provenance.parameters.emplace_back("alternate_locations_dropped", std::to_string(dropped));
  if (models > 1) {
    s.provenance.parameters.emplace_back("models_in_file", std::to_string(models));
    s.provenance.parameters.emplace_back("frame", std::to_string(options.frame));
  }
  return s;
}

std::string formatPdb(const System& s) {
  std::string out;
  out.reserve(s.size() * 82 + 200);
  out += "REMARK   1 " + (s.name.empty() ? std::string("system") : s.name) + " written by mlff-bench\n";
  if (s.box) {
    const Vec3 l = s.box->lengths(), g = s.box->anglesDeg();
    out += fmt("CRYST1%9.3f%9.3f%9.3f%7.2f%7.2f%7.2f P 1           1\n", l.x, l.y, l.z, g.x, g.y, g.z);
  }
  for (size_t i = 0; i < s.size(); ++i) {
    const Atom& a = s.atoms[i];
    const Vec3& r = s.positions[i];
    for (int d = 0; d < 3; ++d)
      if (r[d] <= -999.9995 || r[d] >= 9999.9995)
        throw std::invalid_argument("PDB: coordinate of atom " + std::to_string(i + 1) +
                                    " does not fit the format (use .gro or .xyz)");
    const char* sym = elementInfo(a.element).symbol;
    std::string name = a.name;
    if (name.size() < 4 && std::string(sym).size() == 1) name = " " + name;
    // Serials beyond 99,999 and residue numbers beyond 9,999 in hybrid-36, as the PDB does.
    out += fmt("%-6s%5s %-4s %-4s%c%4s%c   %8.3f%8.3f%8.3f%6.2f%6.2f          %2s\n", a.solvent ? "HETATM" : "ATOM",
               encodeHybrid36(5, static_cast<long>(i + 1)).c_str(), name.c_str(), a.residueName.c_str(), a.chain,
               encodeHybrid36(4, a.residueNumber).c_str(), a.insertionCode, r.x, r.y, r.z, 1.0, 0.0, sym);
  }
  std::vector<std::vector<int>> adj(s.size());
  for (auto [a, b] : s.bonds) {
    adj[a].push_back(b);
    adj[b].push_back(a);
  }
  for (size_t i = 0; i < s.size(); ++i) {
    std::sort(adj[i].begin(), adj[i].end());
    for (size_t k = 0; k < adj[i].size(); k += 4) {
      out += "CONECT" + encodeHybrid36(5, static_cast<long>(i + 1));
      for (size_t q = k; q < std::min(adj[i].size(), k + 4); ++q) out += encodeHybrid36(5, adj[i][q] + 1);
      out += "\n";
    }
  }
  out += "END\n";
  return out;
}

// ---------------------------------------------------------------- GRO (nm)
System parseGro(const std::string& text, const std::string& file) {
  const auto lines = splitLines(text);
  if (lines.empty() || (lines.size() == 1 && trim(lines[0]).empty())) throw std::invalid_argument(file + ": empty file");
  if (lines.size() < 2) throw std::invalid_argument(where(file, 2) + ": missing atom count");
  const long n = parseLong(lines[1], file, 2, "atom count");
  if (n <= 0) throw std::invalid_argument(where(file, 2) + ": atom count must be positive");
  if (static_cast<long>(lines.size()) < n + 3)
    throw std::invalid_argument(file + ": truncated: expected " + std::to_string(n) + " atom lines and a box line, found " +
                                std::to_string(lines.size() - 2) + " lines");
  System s;
  for (long i = 0; i < n; ++i) {
    const std::string_view l = lines[2 + i];
    const size_t lineNo = static_cast<size_t>(i) + 3;
    if (l.size() < 44)
      throw std::invalid_argument(where(file, lineNo) + ": truncated atom line (" + std::to_string(l.size()) +
                                  " characters, need at least 44)");
    Atom a;
    a.residueNumber = static_cast<int>(parseLong(columns(l, 0, 5), file, lineNo, "residue number"));
    a.residueName = std::string(trim(columns(l, 5, 10)));
    a.name = std::string(trim(columns(l, 10, 15)));
    a.element = elementFromAtomName(a.name, a.residueName);
    if (a.element == 0)
      throw std::invalid_argument(where(file, lineNo) + ": unknown element for atom '" + a.name + "'");
    a.solvent = isSolventResidue(a.residueName);
    Vec3 r{parseFiniteDouble(columns(l, 20, 28), file, lineNo, "x coordinate"),
           parseFiniteDouble(columns(l, 28, 36), file, lineNo, "y coordinate"),
           parseFiniteDouble(columns(l, 36, 44), file, lineNo, "z coordinate")};
    s.addAtom(std::move(a), r * units::kAngstromPerNm);
  }
  const size_t boxLine = static_cast<size_t>(n) + 3;
  std::istringstream bs{std::string(lines[boxLine - 1])};
  std::vector<double> v;
  std::string tok;
  while (bs >> tok) v.push_back(parseFiniteDouble(tok, file, boxLine, "box value") * units::kAngstromPerNm);
  if (v.size() != 3 && v.size() != 9)
    throw std::invalid_argument(where(file, boxLine) + ": box line needs 3 or 9 values, found " + std::to_string(v.size()));
  // v1(x) v2(y) v3(z) [v1(y) v1(z) v2(x) v2(z) v3(x) v3(y)]
  if (v.size() == 9 && (v[3] != 0 || v[4] != 0 || v[6] != 0))
    throw std::invalid_argument(where(file, boxLine) + ": box vectors need v1(y) = v1(z) = v2(z) = 0 (GROMACS's triclinic form)");
  if (v[0] > 0 && v[1] > 0 && v[2] > 0) {
    const Vec3 a{v[0], 0, 0}, b{v.size() == 9 ? v[5] : 0.0, v[1], 0}, c{v.size() == 9 ? v[7] : 0.0, v.size() == 9 ? v[8] : 0.0, v[2]};
    try {
      s.box = Box::fromVectors(a, b, c);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where(file, boxLine) + ": " + e.what());
    }
  }
  finishRead(s, file);
  s.bonds = inferBonds(s);
  return s;
}

std::string formatGro(const System& s) {
  std::string out = (s.name.empty() ? std::string("system") : s.name) + " written by mlff-bench\n";
  out += fmt("%5zu\n", s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const Atom& a = s.atoms[i];
    const Vec3 r = s.positions[i] * units::kNmPerAngstrom;
    for (int d = 0; d < 3; ++d)
      if (r[d] <= -999.9995 || r[d] >= 9999.9995)
        throw std::invalid_argument("GRO: coordinate of atom " + std::to_string(i + 1) + " does not fit the format");
    out += fmt("%5d%-5.5s%5.5s%5d%8.3f%8.3f%8.3f\n", a.residueNumber % 100000, a.residueName.c_str(), a.name.c_str(),
               static_cast<int>((i + 1) % 100000), r.x, r.y, r.z);
  }
  if (!s.box) {
    out += fmt("%10.5f%10.5f%10.5f\n", 0.0, 0.0, 0.0);
  } else {
    const Box b{s.box->a * units::kNmPerAngstrom, s.box->b * units::kNmPerAngstrom, s.box->c * units::kNmPerAngstrom};
    out += fmt("%10.5f%10.5f%10.5f", b.a.x, b.b.y, b.c.z);
    if (!b.isOrthorhombic()) out += fmt("%10.5f%10.5f%10.5f%10.5f%10.5f%10.5f", 0.0, 0.0, b.b.x, 0.0, b.c.x, b.c.y);
    out += "\n";
  }
  return out;
}

// ---------------------------------------------------------------- XYZ (extended XYZ box)
System parseXyz(const std::string& text, const std::string& file) {
  const auto lines = splitLines(text);
  if (lines.empty() || (lines.size() == 1 && trim(lines[0]).empty())) throw std::invalid_argument(file + ": empty file");
  const long n = parseLong(lines[0], file, 1, "atom count");
  if (n <= 0) throw std::invalid_argument(where(file, 1) + ": atom count must be positive");
  if (static_cast<long>(lines.size()) < n + 2)
    throw std::invalid_argument(file + ": truncated: expected " + std::to_string(n) + " atom lines, found " +
                                std::to_string(lines.size() < 2 ? 0 : lines.size() - 2));
  System s;
  std::optional<std::array<Vec3, 3>> lattice;
  const std::string comment(lines[1]);
  if (auto p = comment.find("Lattice=\""); p != std::string::npos) {
    const auto e = comment.find('"', p + 9);
    if (e == std::string::npos) throw std::invalid_argument(where(file, 2) + ": unterminated Lattice=\"...\"");
    std::istringstream ls(comment.substr(p + 9, e - p - 9));
    double m[9];
    std::string tok;
    for (double& v : m) {
      if (!(ls >> tok)) throw std::invalid_argument(where(file, 2) + ": Lattice needs 9 numbers");
      v = parseFiniteDouble(tok, file, 2, "lattice value");
    }
    lattice = {Vec3{m[0], m[1], m[2]}, Vec3{m[3], m[4], m[5]}, Vec3{m[6], m[7], m[8]}};
  }
  for (long i = 0; i < n; ++i) {
    const size_t lineNo = static_cast<size_t>(i) + 3;
    std::istringstream ls{std::string(lines[2 + i])};
    std::string el, x, y, z;
    if (!(ls >> el >> x >> y >> z))
      throw std::invalid_argument(where(file, lineNo) + ": truncated atom line (need element x y z)");
    Atom a;
    a.element = elementFromSymbol(el);
    if (a.element == 0) throw std::invalid_argument(where(file, lineNo) + ": unknown element '" + el + "'");
    a.name = elementInfo(a.element).symbol;
    a.residueName = "UNK";
    a.residueNumber = 1;
    s.addAtom(std::move(a), Vec3{parseFiniteDouble(x, file, lineNo, "x coordinate"),
                                 parseFiniteDouble(y, file, lineNo, "y coordinate"),
                                 parseFiniteDouble(z, file, lineNo, "z coordinate")});
  }
  if (lattice) {
    try {
      s.box = orientCell((*lattice)[0], (*lattice)[1], (*lattice)[2], s.positions);
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(where(file, 2) + ": Lattice: " + e.what());
    }
  }
  finishRead(s, file);
  s.bonds = inferBonds(s);
  return s;
}

std::string formatXyz(const System& s) {
  std::string out = fmt("%zu\n", s.size());
  if (s.box) {
    const Box& b = *s.box;
    out += fmt("Lattice=\"%.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f\" pbc=\"T T T\" ", b.a.x, b.a.y, b.a.z, b.b.x, b.b.y, b.b.z,
               b.c.x, b.c.y, b.c.z);
  }
  out += "Properties=species:S:1:pos:R:3 name=" + (s.name.empty() ? std::string("system") : s.name) + "\n";
  for (size_t i = 0; i < s.size(); ++i) {
    const Vec3& r = s.positions[i];
    out += fmt("%-2s %.6f %.6f %.6f\n", elementInfo(s.atoms[i].element).symbol, r.x, r.y, r.z);
  }
  return out;
}

System readSystem(const std::string& path, const ReadOptions& options) {
  const FileFormat f = formatFromPath(path);
  const std::string text = readInputFile(path, kStructureInput);
  if (trim(text).empty()) throw std::invalid_argument(path + ": empty file");
  if (options.frame != 1 && f != FileFormat::Pdb)
    throw std::invalid_argument(path + ": --frame applies to multi-model PDB files only");
  switch (f) {
    case FileFormat::Pdb: return parsePdb(text, path, options);
    case FileFormat::Gro: return parseGro(text, path);
    case FileFormat::Xyz: return parseXyz(text, path);
  }
  throw std::logic_error("unreachable");
}

void writeSystem(const System& s, const std::string& path, FileFormat format) {
  std::string text;
  switch (format) {
    case FileFormat::Pdb: text = formatPdb(s); break;
    case FileFormat::Gro: text = formatGro(s); break;
    case FileFormat::Xyz: text = formatXyz(s); break;
  }
  writeFileAtomically(path, text);
}

}  // namespace mlffb
