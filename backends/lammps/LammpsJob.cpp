#include "backends/lammps/LammpsJob.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "systems/Element.hpp"

namespace mlffb::lammps {

std::vector<int> typeElements(const System& s) {
  std::set<int> z;
  for (const auto& a : s.atoms) z.insert(a.element);
  return {z.begin(), z.end()};
}

std::string dataFile(const System& s) {
  const std::vector<int> types = typeElements(s);
  std::ostringstream o;
  o.precision(17);
  o << "LAMMPS data file from mlff-bench: " << (s.name.empty() ? "system" : s.name) << "\n\n";
  o << s.size() << " atoms\n" << types.size() << " atom types\n\n";
  std::vector<Vec3> pos = s.positions;
  if (s.box) {
    const Box& b = *s.box;
    for (auto& r : pos) r = b.wrap(r);
    o << "0 " << b.a.x << " xlo xhi\n0 " << b.b.y << " ylo yhi\n0 " << b.c.z << " zlo zhi\n";
    if (!b.isOrthorhombic()) o << b.b.x << " " << b.c.x << " " << b.c.y << " xy xz yz\n";
  } else {
    Vec3 lo = pos.empty() ? Vec3{} : pos[0], hi = lo;
    for (const auto& r : pos)
      for (int k = 0; k < 3; ++k) {
        lo[k] = std::min(lo[k], r[k]);
        hi[k] = std::max(hi[k], r[k]);
      }
    const char* axis[3] = {"x", "y", "z"};
    for (int k = 0; k < 3; ++k) o << lo[k] - 1.0 << " " << hi[k] + 1.0 << " " << axis[k] << "lo " << axis[k] << "hi\n";
  }
  o << "\nMasses\n\n";
  for (size_t t = 0; t < types.size(); ++t) o << t + 1 << " " << elementInfo(types[t]).mass << "\n";
  o << "\nAtoms # atomic\n\n";
  for (size_t i = 0; i < s.size(); ++i) {
    const int type = static_cast<int>(std::find(types.begin(), types.end(), s.atoms[i].element) - types.begin()) + 1;
    o << i + 1 << " " << type << " " << pos[i].x << " " << pos[i].y << " " << pos[i].z << "\n";
  }
  return o.str();
}

Json Job::toJson() const {
  Json j;
  j["data"] = dataPath;
  j["result"] = resultPath;
  j["model"] = {{"model", model.model},
                {"flavor", model.options.flavor},
                {"device", model.options.device.str()},
                {"precision", toString(model.options.precision)},
                {"seed", model.options.seed},
                {"options", model.options.options}};
  j["type_symbols"] = typeSymbols;
  j["periodic"] = periodic;
  j["mode"] = mode;
  j["md"] = mdProtocolJson(md);
  j["md"]["seed"] = md.seed;
  j["md"]["blow_up_temperature_k"] = md.blowUpTemperatureK;
  j["md"]["trace_every"] = md.traceEvery;
  j["md"]["trace_path"] = md.tracePath;
  j["repeat"] = repeat;
  j["warmup"] = warmup;
  j["grid"] = grid;
  j["write_forces"] = writeForces;
  j["write_positions"] = writePositions;
  j["prune"] = prune;
  return j;
}

Job Job::fromJson(const Json& j) {
  Job b;
  b.dataPath = j.at("data");
  b.resultPath = j.at("result");
  const Json& m = j.at("model");
  b.model.model = m.at("model");
  b.model.options.flavor = m.at("flavor");
  b.model.options.device = Device::parse(m.at("device"));
  b.model.options.precision = parsePrecision(m.at("precision"));
  b.model.options.seed = m.at("seed");
  b.model.options.options = m.at("options").get<OptionValues>();
  b.typeSymbols = j.at("type_symbols").get<std::vector<std::string>>();
  b.periodic = j.at("periodic");
  b.mode = j.at("mode");
  const Json& d = j.at("md");
  readMdProtocol(d, b.md);
  b.md.seed = d.at("seed");
  b.md.blowUpTemperatureK = d.at("blow_up_temperature_k");
  b.md.traceEvery = d.at("trace_every");
  b.md.tracePath = d.at("trace_path");
  b.repeat = j.at("repeat");
  b.warmup = j.at("warmup");
  b.grid = j.at("grid").get<std::array<int, 3>>();
  b.writeForces = j.at("write_forces");
  b.writePositions = j.at("write_positions");
  b.prune = j.at("prune");
  return b;
}

double eq3Speedup(const std::array<double, 3>& lengths, const std::array<int, 3>& grid, double tr) {
  double s = 1;
  for (int k = 0; k < 3; ++k)
    if (grid[k] > 1) s *= (lengths[k] + 2 * tr) / (lengths[k] / grid[k] + 2 * tr);
  return s;
}

double eq3SpeedupCube(double length, int ranks, int dimensions, double tr) {
  return std::pow((length + 2 * tr) / (std::pow(ranks, -1.0 / dimensions) * length + 2 * tr), dimensions);
}

}  // namespace mlffb::lammps
