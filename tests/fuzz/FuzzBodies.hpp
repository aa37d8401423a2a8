#pragma once
// The bodies of the fuzz targets, one per reader, shared by the libFuzzer binaries (clang,
// tests/fuzz/Fuzz*.cpp, scripts/fuzz.sh) and by the regression test that replays the seed corpus
// and every input a fuzzer ever crashed on (FuzzRegressionTest.cpp). A reader may refuse its input
// only with its documented error type; any other exception, a crash or a sanitizer report is a
// finding. The first byte of an input chooses what it is fed to.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>

#include "harness/Compare.hpp"
#include "harness/Journal.hpp"
#include "systems/SystemIO.hpp"
#include "workloads/ani2x/NeuroChemReader.hpp"
#include "workloads/classical/BondedEnergy.hpp"
#include "workloads/classical/TopologyReader.hpp"

namespace mlffb::fuzz {

inline std::string rest(const uint8_t* data, size_t size) { return size ? std::string(reinterpret_cast<const char*>(data) + 1, size - 1) : ""; }

/// 'G' GRO, 'X' extended XYZ, anything else PDB; what parses must also write and read back.
inline void structure(const uint8_t* data, size_t size) {
  const char kind = size ? static_cast<char>(data[0]) : 'P';
  const std::string text = rest(data, size);
  System s;
  FileFormat f = FileFormat::Pdb;
  try {
    if (kind == 'G') {
      f = FileFormat::Gro;
      s = parseGro(text, "fuzz.gro");
    } else if (kind == 'X') {
      f = FileFormat::Xyz;
      s = parseXyz(text, "fuzz.xyz");
    } else {
      s = parsePdb(text, "fuzz.pdb");
    }
  } catch (const std::invalid_argument&) {
    return;
  }
  try {
    const std::string again = f == FileFormat::Gro ? formatGro(s) : (f == FileFormat::Xyz ? formatXyz(s) : formatPdb(s));
    if (f == FileFormat::Gro)
      parseGro(again, "again.gro");
    else if (f == FileFormat::Xyz)
      parseXyz(again, "again.xyz");
    else
      parsePdb(again, "again.pdb");
  } catch (const std::invalid_argument&) {
    // a coordinate that does not fit the format's columns, or a name the writer shortened
  }
}

/// 'A' .params, 'S' sae_linfit.dat, 'N' .nnf (decompressed and parsed), 'L' a layer spec, 'F'
/// float32 values (the second byte: how many).
inline void neuroChem(const uint8_t* data, size_t size) {
  const char kind = size ? static_cast<char>(data[0]) : 'A';
  const std::string text = rest(data, size);
  try {
    switch (kind) {
      case 'S': ani::parseSelfEnergies(text, "sae_linfit.dat"); break;
      case 'N': ani::parseNetworkSpec(ani::decompressNnf(text, "ANN-H.nnf"), "ANN-H.nnf", ani::kAevLength); break;
      case 'L': ani::parseNetworkSpec(text, "ANN-H.nnf", ani::kAevLength); break;
      case 'F': ani::parseFloat32Values(text.size() ? text.substr(1) : "", text.size() ? static_cast<uint8_t>(text[0]) : 0, "w.wparam"); break;
      default: ani::parseAevParameters(text, "x.params"); break;
    }
  } catch (const ani::NeuroChemError&) {
  }
}

/// 'J' a journal, anything else a report; what passes the report's shape check must also compare.
inline void reports(const uint8_t* data, size_t size) {
  const char kind = size ? static_cast<char>(data[0]) : 'R';
  const std::string text = rest(data, size);
  if (kind == 'J') {
    std::ostringstream warnings;
    readJournalText(text, "r.json.runs.jsonl", warnings);
    return;
  }
  try {
    Json doc = parseReportText(text, "r.json");
    CompareOptions o;
    compareReports({{"r.json", doc}}, o);
    o.format = "csv";
    o.metric = "ns_per_day";
    compareReports({{"r.json", doc}}, o);
  } catch (const std::invalid_argument&) {
  }
}

/// A GROMACS topology (includes resolve nowhere but absolute paths); what parses is evaluated.
inline void topology(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  classical::TopologyReadOptions o;
  o.includeDirs = {"/nonexistent-mlffb-fuzz"};
  o.maxAtoms = 1e5;
  classical::ClassicalTopology t;
  try {
    t = classical::parseTopology(text, "/nonexistent-mlffb-fuzz/fuzz.top", o);
  } catch (const classical::TopologyError&) {
    return;
  }
  std::vector<Vec3> x(t.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = Vec3{1.1 * static_cast<double>(i % 7), 0.9 * static_cast<double>(i % 5), 1.3 * static_cast<double>(i % 3)};
  std::vector<Vec3> f(x.size());
  classical::bondedEnergies(t, x, std::nullopt, &f);
}

}  // namespace mlffb::fuzz
