#include "systems/SystemIO.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <stdexcept>

#include "systems/AtomicFile.hpp"
#include "systems/Element.hpp"
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
System parsePdb(const std::string& text, const std::string& file) {
  System s;
  std::map<long, int> serialToIndex;
  std::vector<std::pair<int, int>> conect;
  bool sawConect = false;
  const auto lines = splitLines(text);
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    const std::string_view l = lines[ln];
    const size_t lineNo = ln + 1;
    const std::string rec(columns(l, 0, 6));
    if (rec == "ENDMDL" || rec == "END   " || trim(rec) == "END") break;
    if (rec == "CRYST1") {
      if (l.size() < 54)
        throw std::invalid_argument(where(file, lineNo) + ": truncated CRYST1 record");
      Vec3 b{parseFiniteDouble(columns(l, 6, 15), file, lineNo, "box a"),
             parseFiniteDouble(columns(l, 15, 24), file, lineNo, "box b"),
             parseFiniteDouble(columns(l, 24, 33), file, lineNo, "box c")};
      for (auto [from, to] : {std::pair{33, 40}, {40, 47}, {47, 54}})
        if (std::abs(parseFiniteDouble(columns(l, from, to), file, lineNo, "box angle") - 90.0) > 1e-3)
          throw std::invalid_argument(where(file, lineNo) + ": only orthorhombic boxes (90° angles) are supported");
      if (b.x > 1.0 && b.y > 1.0 && b.z > 1.0) s.box = b;  // 1 1 1 is the "no box" convention
      continue;
    }
    if (rec == "CONECT") {
      sawConect = true;
      const long a = parseLong(columns(l, 6, 11), file, lineNo, "CONECT serial");
      for (size_t c = 11; c + 5 <= std::max<size_t>(l.size(), 11) && c < 31; c += 5) {
        const auto f = trim(columns(l, c, c + 5));
        if (f.empty()) continue;
        conect.emplace_back(static_cast<int>(a), static_cast<int>(parseLong(f, file, lineNo, "CONECT serial")));
      }
      continue;
    }
    if (rec != "ATOM  " && rec != "HETATM") continue;
    if (l.size() < 54)
      throw std::invalid_argument(where(file, lineNo) + ": truncated " + std::string(trim(rec)) + " record (" +
                                  std::to_string(l.size()) + " characters, need at least 54)");
    Atom a;
    a.name = std::string(trim(columns(l, 12, 16)));
    a.residueName = std::string(trim(columns(l, 17, 21)));
    a.chain = l[21] == ' ' ? 'A' : l[21];
    a.residueNumber = static_cast<int>(parseLong(columns(l, 22, 26), file, lineNo, "residue number"));
    Vec3 r{parseFiniteDouble(columns(l, 30, 38), file, lineNo, "x coordinate"),
           parseFiniteDouble(columns(l, 38, 46), file, lineNo, "y coordinate"),
           parseFiniteDouble(columns(l, 46, 54), file, lineNo, "z coordinate")};
    const std::string el(trim(columns(l, 76, 78)));
    a.element = el.empty() ? elementFromAtomName(a.name, a.residueName) : elementFromSymbol(el);
    if (a.element == 0)
      throw std::invalid_argument(where(file, lineNo) + ": unknown element '" + (el.empty() ? a.name : el) +
                                  "' for atom " + a.name);
    a.solvent = isSolventResidue(a.residueName);
    const auto serialField = trim(columns(l, 6, 11));
    if (!serialField.empty()) serialToIndex[parseLong(serialField, file, lineNo, "atom serial")] = static_cast<int>(s.size());
    s.addAtom(std::move(a), r);
  }
  finishRead(s, file);
  if (sawConect && serialToIndex.size() == s.size()) {
    for (auto [a, b] : conect) {
      auto ia = serialToIndex.find(a), ib = serialToIndex.find(b);
      if (ia == serialToIndex.end() || ib == serialToIndex.end())
        throw std::invalid_argument(file + ": CONECT names atom serial " +
                                    std::to_string(ia == serialToIndex.end() ? a : b) + " that is not in the file");
      s.bonds.emplace_back(std::min(ia->second, ib->second), std::max(ia->second, ib->second));
    }
    std::sort(s.bonds.begin(), s.bonds.end());
    s.bonds.erase(std::unique(s.bonds.begin(), s.bonds.end()), s.bonds.end());
  } else {
    s.bonds = inferBonds(s);
  }
  return s;
}

std::string formatPdb(const System& s) {
  std::string out;
  out.reserve(s.size() * 82 + 200);
  out += "REMARK   1 " + (s.name.empty() ? std::string("system") : s.name) + " written by mlff-bench\n";
  if (s.box) out += fmt("CRYST1%9.3f%9.3f%9.3f%7.2f%7.2f%7.2f P 1           1\n", s.box->x, s.box->y, s.box->z, 90.0, 90.0, 90.0);
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
    out += fmt("%-6s%5d %-4s %-4s%c%4d    %8.3f%8.3f%8.3f%6.2f%6.2f          %2s\n",
               a.solvent ? "HETATM" : "ATOM", static_cast<int>((i + 1) % 100000), name.c_str(),
               a.residueName.c_str(), a.chain, a.residueNumber % 10000, r.x, r.y, r.z, 1.0, 0.0, sym);
  }
  if (s.size() <= 99999) {
    std::vector<std::vector<int>> adj(s.size());
    for (auto [a, b] : s.bonds) {
      adj[a].push_back(b);
      adj[b].push_back(a);
    }
    for (size_t i = 0; i < s.size(); ++i) {
      std::sort(adj[i].begin(), adj[i].end());
      for (size_t k = 0; k < adj[i].size(); k += 4) {
        out += fmt("CONECT%5d", static_cast<int>(i + 1));
        for (size_t q = k; q < std::min(adj[i].size(), k + 4); ++q) out += fmt("%5d", adj[i][q] + 1);
        out += "\n";
      }
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
    s.addAtom(std::move(a), r * 10.0);
  }
  const size_t boxLine = static_cast<size_t>(n) + 3;
  std::istringstream bs{std::string(lines[boxLine - 1])};
  std::string f[3];
  if (!(bs >> f[0] >> f[1] >> f[2])) throw std::invalid_argument(where(file, boxLine) + ": malformed box line");
  Vec3 b{parseFiniteDouble(f[0], file, boxLine, "box x"), parseFiniteDouble(f[1], file, boxLine, "box y"),
         parseFiniteDouble(f[2], file, boxLine, "box z")};
  std::string extra;
  if (bs >> extra)
    for (int k = 0; k < 6 && bs; ++k) {
      if (std::abs(parseFiniteDouble(extra, file, boxLine, "box vector")) > 1e-6)
        throw std::invalid_argument(where(file, boxLine) + ": only orthorhombic boxes are supported");
      if (!(bs >> extra)) break;
    }
  if (b.x > 0 && b.y > 0 && b.z > 0) s.box = b * 10.0;
  finishRead(s, file);
  s.bonds = inferBonds(s);
  return s;
}

std::string formatGro(const System& s) {
  std::string out = (s.name.empty() ? std::string("system") : s.name) + " written by mlff-bench\n";
  out += fmt("%5zu\n", s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const Atom& a = s.atoms[i];
    const Vec3 r = s.positions[i] / 10.0;
    for (int d = 0; d < 3; ++d)
      if (r[d] <= -999.9995 || r[d] >= 9999.9995)
        throw std::invalid_argument("GRO: coordinate of atom " + std::to_string(i + 1) + " does not fit the format");
    out += fmt("%5d%-5.5s%5.5s%5d%8.3f%8.3f%8.3f\n", a.residueNumber % 100000, a.residueName.c_str(), a.name.c_str(),
               static_cast<int>((i + 1) % 100000), r.x, r.y, r.z);
  }
  const Vec3 b = s.box ? *s.box / 10.0 : Vec3{};
  out += fmt("%10.5f%10.5f%10.5f\n", b.x, b.y, b.z);
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
    if (std::abs(m[1]) + std::abs(m[2]) + std::abs(m[3]) + std::abs(m[5]) + std::abs(m[6]) + std::abs(m[7]) > 1e-9)
      throw std::invalid_argument(where(file, 2) + ": only orthorhombic lattices are supported");
    s.box = Vec3{m[0], m[4], m[8]};
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
  finishRead(s, file);
  s.bonds = inferBonds(s);
  return s;
}

std::string formatXyz(const System& s) {
  std::string out = fmt("%zu\n", s.size());
  if (s.box) out += fmt("Lattice=\"%.6f 0 0 0 %.6f 0 0 0 %.6f\" pbc=\"T T T\" ", s.box->x, s.box->y, s.box->z);
  out += "Properties=species:S:1:pos:R:3 name=" + (s.name.empty() ? std::string("system") : s.name) + "\n";
  for (size_t i = 0; i < s.size(); ++i) {
    const Vec3& r = s.positions[i];
    out += fmt("%-2s %.6f %.6f %.6f\n", elementInfo(s.atoms[i].element).symbol, r.x, r.y, r.z);
  }
  return out;
}

System readSystem(const std::string& path) {
  const FileFormat f = formatFromPath(path);
  const std::string text = readFile(path);
  if (trim(text).empty()) throw std::invalid_argument(path + ": empty file");
  switch (f) {
    case FileFormat::Pdb: return parsePdb(text, path);
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
