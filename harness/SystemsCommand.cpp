// `mlff-bench systems`: build, slice, random and inspect.
#include "harness/SystemsCommand.hpp"

#include <filesystem>
#include <iostream>
#include <memory>
#include <vector>

#include "core/Units.hpp"
#include "harness/CheckedOptions.hpp"
#include "harness/Json.hpp"
#include "harness/Suites.hpp"
#include "harness/SystemRecord.hpp"
#include "systems/AtomicFile.hpp"
#include "systems/ChainSlicer.hpp"
#include "systems/PolyAlanineBuilder.hpp"
#include "systems/RandomSystemBuilder.hpp"
#include "systems/Solvator.hpp"
#include "systems/StructureStats.hpp"
#include "systems/SystemIO.hpp"

namespace mlffb {
namespace fs = std::filesystem;
namespace {

struct OutputOptions {
  std::string out;
  std::string format = "pdb";
  std::string termini = "charged";
  bool solvate = false;
  double paddingNm = 1.0;
  std::uint64_t seed = 42;
  std::vector<int> sizes;
  bool force = false;
};

void checkSizes(const std::vector<int>& sizes) {
  if (sizes.empty()) throw std::invalid_argument("--sizes: no sizes given");
  for (int n : sizes)
    if (n <= 0) throw std::invalid_argument("--sizes: sizes must be positive (got " + std::to_string(n) + ")");
}

void addOutputOptions(CLI::App* c, OutputOptions& o) {
  c->add_option("--out", o.out, "Output folder")->required();
  addCheckedList(c, OptionSpec::integer("sizes", "sizes", "Slice sizes in residues, comma-separated", 1, 10000), o.sizes);
  c->add_option("--termini", o.termini, "charged (NH3+/COO-) or capped (ACE/NME)")
      ->check(CLI::IsMember({"charged", "capped"}));
  c->add_flag("--solvate", o.solvate, "Solvate each slice in TIP3P water");
  addChecked(c, OptionSpec::positive("padding", "padding", "Water padding around the solute, nm (with --solvate)", 10, "1"), o.paddingNm);
  c->add_option("--format", o.format, "Output format")->check(CLI::IsMember({"pdb", "gro", "xyz"}));
  addChecked(c, seedSpec("Random seed (folding, water orientations)"), o.seed);
  c->add_flag("--force", o.force, "Replace files already in --out");
}

/// The file of slice `n` (its name without the extension is the system's name).
std::string sliceFile(const OutputOptions& o, const std::string& prefix, int n) {
  return prefix + "-" + std::to_string(n) + (o.solvate ? "-solvated" : "") + "." + extension(parseFileFormat(o.format));
}

/// The output folder, checked before any work: every file the command writes there is new, or
/// --force was given.
std::unique_ptr<OutputFolder> prepareOutput(const OutputOptions& o, const std::string& prefix) {
  std::vector<std::string> names = {"manifest.json"};
  for (int n : o.sizes) names.push_back(sliceFile(o, prefix, n));
  requireNewInFolder(o.out, names, o.force);
  return std::make_unique<OutputFolder>(o.out);
}

/// Writes each slice (and its solvated form) and the manifest into a staging folder, then moves
/// them into the output folder; `make(n)` builds slice n.
template <class Make>
void writeSlices(const OutputOptions& o, const std::string& prefix, Make&& make, Json manifestHeader) {
  const FileFormat fmt = parseFileFormat(o.format);
  StagingFolder staging(o.out);
  Json manifest = std::move(manifestHeader);
  manifest["systems"] = Json::array();
  for (int n : o.sizes) {
    System s = make(n);
    if (o.solvate) {
      SolvationOptions so;
      so.paddingAngstrom = o.paddingNm * units::kAngstromPerNm;
      so.seed = o.seed;
      s = Solvator(so).solvate(s);
    }
    const std::string file = sliceFile(o, prefix, n);
    s.name = fs::path(file).stem().string();
    writeSystem(s, (fs::path(staging.path()) / file).string(), fmt);
    Json rec = systemRecord(s, file);
    std::cout << file << ": " << s.size() << " atoms (" << s.soluteCount() << " solute), Rg "
              << rec["radius_of_gyration"].get<double>() << " Å\n";
    manifest["systems"].push_back(std::move(rec));
  }
  writeNewFile((fs::path(staging.path()) / "manifest.json").string(), manifest.dump(2) + "\n", Existing::Refuse);
  staging.commit(o.force ? Existing::Replace : Existing::Refuse);
  std::cout << "wrote " << o.sizes.size() << " systems and manifest.json to " << o.out << "\n";
}

}  // namespace

void addSystemsCommand(CLI::App& app) {
  auto* systems = app.add_subcommand("systems", "Build, slice, generate and inspect molecular systems");
  systems->require_subcommand(1);

  // build
  auto build = std::make_shared<OutputOptions>();
  auto suite = std::make_shared<std::string>("polyala");
  auto conformation = std::make_shared<std::string>("folded");
  auto* b = systems->add_subcommand("build", "Build the poly-alanine slices of a suite");
  b->add_option("--suite", *suite, "Suite whose systems to build")->check(CLI::IsMember({"polyala"}));
  b->add_option("--conformation", *conformation, "folded (compact globule), helix or extended")
      ->check(CLI::IsMember({"folded", "helix", "extended"}));
  addOutputOptions(b, *build);
  b->callback([build, suite, conformation] {
    if (build->sizes.empty()) build->sizes = findSuite(*suite).spec.sizes;
    checkSizes(build->sizes);
    PolyAlanineOptions po;
    po.conformation = parseConformation(*conformation);
    po.termini = parseTermini(build->termini);
    po.seed = build->seed;
    int maxSize = 0;
    for (int n : build->sizes) maxSize = std::max(maxSize, n);
    po.chainResidues = std::max(1000, maxSize);
    const auto folder = prepareOutput(*build, "polyala");  // fail before the (slow) chain build
    PolyAlanineBuilder builder(po);
    Json header;
    header["suite"] = *suite;
    header["builder"] = {{"name", "polyala"},
                         {"conformation", *conformation},
                         {"termini", build->termini},
                         {"chain_residues", po.chainResidues},
                         {"solvated", build->solvate},
                         {"padding_nm", build->paddingNm}};
    header["seed"] = build->seed;
    writeSlices(*build, "polyala", [&](int n) { return builder.build(n); }, header);
  });

  // slice
  auto slice = std::make_shared<OutputOptions>();
  auto from = std::make_shared<std::string>();
  auto* s = systems->add_subcommand("slice", "Cut a single-chain protein PDB into N-terminal prefixes");
  s->add_option("--from", *from, "Single-chain protein PDB (e.g. an AlphaFold model)")->required();
  addOutputOptions(s, *slice);
  s->callback([slice, from] {
    checkSizes(slice->sizes);
    System chain = readSystem(*from);
    ChainSlicer slicer(std::move(chain), *from, parseTermini(slice->termini));
    for (int n : slice->sizes)  // refused before the output folder exists
      if (n > slicer.residues())
        throw std::invalid_argument("slice size " + std::to_string(n) + " exceeds the " + std::to_string(slicer.residues()) +
                                    " residues of the chain in " + *from);
    const std::string stem = fs::path(*from).stem().string();
    const auto folder = prepareOutput(*slice, stem);
    Json header;
    header["source_file"] = *from;
    header["chain_residues"] = slicer.residues();
    header["termini"] = slice->termini;
    header["seed"] = slice->seed;
    writeSlices(*slice, stem, [&](int n) { return slicer.slice(n); }, header);
  });

  // random
  auto ro = std::make_shared<RandomSystemOptions>();
  auto rout = std::make_shared<std::string>();
  auto* r = systems->add_subcommand("random", "Random-coordinate workload with a chosen neighbour count");
  addChecked(r, OptionSpec::integer("atoms", "atoms", "Number of atoms", 1, 10'000'000), ro->atoms)->required();
  addChecked(r, OptionSpec::positive("neighbors", "neighbors", "Mean neighbours per atom within the cutoff", 1000), ro->neighbors)->required();
  addChecked(r, OptionSpec::positive("cutoff", "cutoff", "Cutoff for the neighbour count, Å", 20, "5.1"), ro->cutoff);
  addChecked(r, seedSpec("Random seed"), ro->seed);
  r->add_option("--out", *rout, "Output file (.pdb, .gro or .xyz)")->required();
  auto rforce = std::make_shared<bool>(false);
  r->add_flag("--force", *rforce, "Replace --out if it exists");
  r->callback([ro, rout, rforce] {
    const FileFormat fmt = formatFromPath(*rout);
    requireFileOutput(*rout, *rforce);
    const fs::path parent = fs::path(*rout).has_parent_path() ? fs::path(*rout).parent_path() : fs::path(".");
    const OutputFolder folder(parent.string());
    System sys = buildRandomSystem(*ro);
    writeSystem(sys, *rout, fmt);
    std::cout << *rout << ": " << sys.size() << " atoms, box " << sys.box->describe() << ", mean neighbours within "
              << ro->cutoff << " Å: " << meanNeighbors(sys, ro->cutoff) << "\n";
  });

  // inspect
  auto file = std::make_shared<std::string>();
  auto frame = std::make_shared<int>(1);
  auto* i = systems->add_subcommand("inspect", "Print the manifest record of a structure file as JSON");
  i->add_option("FILE", *file, "Structure file (.pdb, .gro, .xyz)")->required();
  i->add_option("--frame", *frame, "MODEL of a multi-model PDB (1-based)");
  i->callback([file, frame] {
    System sys = readSystem(*file, ReadOptions{*frame});
    printReadNotes(sys);
    std::cout << systemRecord(sys, *file).dump(2) << "\n";
  });
}

}  // namespace mlffb
