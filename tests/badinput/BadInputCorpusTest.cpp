// The bad-input corpus: every kind of bad input and misuse the suite has met, each run through the
// real command line in a fresh folder. Each case asserts the exit code (2 for a command line that
// cannot be run, 1 for a failure), one `mlff-bench: error: …` line on stderr naming the input,
// and that no file that existed before was changed (nor any new file, lock or temporary left
// behind) unless the case says the command may write it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "../TestUtil.hpp"
#include "systems/AtomicFile.hpp"

namespace fs = std::filesystem;
using mlffb::readFile;
using mlffb::test::runShell;

namespace {

struct Case {
  std::string name;                                          // a test name
  std::vector<std::pair<std::string, std::string>> files;    // created in the case folder first
  std::string setup;                                         // shell run in the folder after that
  std::string args;                                          // mlff-bench arguments, run in the folder
  int exitCode = 1;
  std::string message;   // the error line contains this ("": the command succeeds)
  std::string names;     // … and names this input ("": the message is enough)
  std::vector<std::string> mayChange{};  // files the command may write or create
  std::string warning{};   // success with this warning line on stderr
  bool ran = false;      // points ran before the failure: progress lines may precede the error line
  std::string prefix{};   // shell before the command, in its shell (`ulimit -f 4; `)
  std::string needs{};    // shell run after the setup; the case is skipped, saying why, when it fails (mounting a small disk)
  std::string cleanup{};  // shell run in the folder at the end, whatever happened (unmounting it)
};

const std::string kAtom = "ATOM      1  C   MOL A   1       0.000   0.000   0.000  1.00  0.00           C\n";
const std::string kWater = "3\n\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n";
// A one-point suite; --sizes last so a case can add sizes to it.
const std::string kRun = "run --suite polyala --model ani2x --flavor native --mode single-point --repeat 1 --warmup 0 --sizes 3";

std::string replaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

std::vector<Case> corpus() {
  std::vector<Case> c;
  auto add = [&](Case k) { c.push_back(std::move(k)); };
  // ---------------------------------------------------------------- structure files (systems inspect)
  const auto inspect = [&](std::string name, std::string file, std::string text, std::string msg) {
    add({name, {{file, text}}, "", "systems inspect " + file, 1, msg, file});
  };
  inspect("EmptyPdb", "empty.pdb", "", "empty.pdb: empty file");
  inspect("BlankXyz", "blank.xyz", "  \n", "blank.xyz: empty file");
  inspect("NoAtoms", "noatoms.pdb", "REMARK nothing\nEND\n", "noatoms.pdb: no atoms");
  inspect("TruncatedAtomRecord", "trunc.pdb", kAtom + "ATOM      2  CB  ALA A   1       1.000   2.0\n", "trunc.pdb:2: truncated ATOM record");
  inspect("MalformedCoordinate", "mal.pdb", "ATOM      1  CA  ALA A   1       1.0x0   2.000   3.000  1.00  0.00           C\n",
          "mal.pdb:1: malformed x coordinate");
  inspect("NanCoordinate", "nan.pdb", "ATOM      1  CA  ALA A   1         nan   2.000   3.000  1.00  0.00           C\n",
          "nan.pdb:1: non-finite x coordinate");
  inspect("InfCoordinateXyz", "inf.xyz", "1\n\nC 1.0 inf 0\n", "inf.xyz:3: non-finite y coordinate");
  inspect("UnknownElementPdb", "el.pdb", "ATOM      1 XX1  ALA A   1       1.000   2.000   3.000  1.00  0.00          Xx\n",
          "el.pdb:1: unknown element 'Xx'");
  inspect("UnknownElementXyz", "el.xyz", "2\n\nC 0 0 0\nQq 1 0 0\n", "el.xyz:4: unknown element 'Qq'");
  inspect("TruncatedXyz", "t.xyz", "3\n\nC 0 0 0\nH 1 0 0\n", "t.xyz: truncated");
  inspect("ShortXyzLine", "s.xyz", "2\n\nC 0 0 0\nH 1 0\n", "s.xyz:4: truncated atom line");
  inspect("XyzCount", "n.xyz", "two\n\nC 0 0 0\n", "n.xyz:1: malformed atom count");
  inspect("XyzNegativeCount", "neg.xyz", "-3\n\nC 0 0 0\n", "neg.xyz:1: atom count must be positive");
  inspect("TruncatedGro", "t.gro", "t\n    3\n    1ALA      N    1   0.100   0.200   0.300\n", "t.gro: truncated");
  inspect("ShortGroLine", "l.gro", "t\n    1\n    1ALA      N    1   0.100   0.2\n   1.0 1.0 1.0\n", "l.gro:3: truncated atom line");
  inspect("MalformedGroBox", "b.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n   x\n", "b.gro:4: malformed box value");
  inspect("GroElement", "e.gro", "t\n    1\n    1ALA     Q1    1   0.100   0.200   0.300\n   1 1 1\n", "e.gro:3: unknown element");
  inspect("GroEightBoxValues", "8.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n 1 1 1 0 0 0 0 0\n",
          "8.gro:4: box line needs 3 or 9 values, found 8");
  inspect("GroNotGromacsTriclinic", "v.gro", "t\n    1\n    1ALA      N    1   0.100   0.200   0.300\n 2 2 2 0.1 0 0 0 0 0\n",
          "v.gro:4: box vectors need v1(y) = v1(z) = v2(z) = 0");
  inspect("UnknownExtension", "wrong.txt", "hello\n", "wrong.txt: unknown structure format '.txt'");
  inspect("NoExtension", "noext", "hello\n", "noext: no file extension");
  static const char kElf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\xff\xfe";  // an executable's first bytes, NULs included
  inspect("BinaryFile", "bin.pdb", std::string(kElf, sizeof kElf - 1), "bin.pdb: no atoms");
  inspect("TruncatedCryst1", "c1.pdb", "CRYST1   10.000   10.000\n" + kAtom, "c1.pdb:1: truncated CRYST1 record");
  inspect("ImpossibleCell", "ang.pdb", "CRYST1   10.000   10.000   10.000  10.00  10.00 150.00 P 1\n" + kAtom,
          "ang.pdb:1: CRYST1: box angles α 10.00°, β 10.00°, γ 150.00° describe no cell");
  inspect("LeftHandedLattice", "lh.xyz", "1\nLattice=\"10 0 0 0 10 0 0 0 -10\"\nC 0 0 0\n", "lh.xyz:2: Lattice: the cell vectors are left-handed");
  inspect("ShortLattice", "sl.xyz", "1\nLattice=\"10 0 0 0 10 0 0 0\"\nC 0 0 0\n", "sl.xyz:2: Lattice needs 9 numbers");
  inspect("UnterminatedLattice", "ul.xyz", "1\nLattice=\"10 0 0\nC 0 0 0\n", "ul.xyz:2: unterminated Lattice");
  inspect("ModelWithoutEndmdl", "mm.pdb", "MODEL        1\n" + kAtom + "MODEL        2\nEND\n", "mm.pdb:3: MODEL without ENDMDL");
  inspect("ConectToNowhere", "con.pdb", kAtom + "CONECT    1    7\nEND\n", "con.pdb: CONECT names atom serial 7");
  inspect("MalformedResidueNumber", "rn.pdb", "ATOM      1  C   MOL A  x1       0.000   0.000   0.000  1.00  0.00           C\n",
          "rn.pdb:1: malformed residue number 'x1'");
  inspect("MalformedHybrid36Serial", "hy.pdb", "ATOM  A000?  C   MOL A   1       0.000   0.000   0.000  1.00  0.00           C\n",
          "hy.pdb:1: malformed atom serial 'A000?'");
  add({"Folder", {}, "mkdir dir.pdb", "systems inspect dir.pdb", 1, "dir.pdb: is a folder, not a file", "dir.pdb"});
  add({"MissingFile", {}, "", "systems inspect missing.pdb", 1, "missing.pdb: cannot open", "missing.pdb"});
  if (::geteuid() != 0)  // root reads any file
    add({"UnreadableFile", {{"secret.pdb", kAtom}}, "chmod 000 secret.pdb", "systems inspect secret.pdb", 1, "secret.pdb: cannot open", "secret.pdb"});
  add({"FrameBeyondModels", {{"two.pdb", "MODEL        1\n" + kAtom + "ENDMDL\nMODEL        2\n" + kAtom + "ENDMDL\nEND\n"}}, "",
       "systems inspect --frame 3 two.pdb", 1, "two.pdb: frame 3 asked for, but the file has 2 models", "two.pdb"});
  add({"FrameOfAGro", {{"w.gro", "t\n    1\n    1SOL     OW    1   0.100   0.200   0.300\n   2 2 2\n"}}, "", "systems inspect --frame 2 w.gro", 1,
       "w.gro: --frame applies to multi-model PDB files only", "w.gro"});

  // ---------------------------------------------------------------- inputs and resumes (geometry, content, machine, compare, MD)
  // Geometry a double no longer holds (beyond ±1e5 Å), in every format, atoms and cells alike.
  inspect("CoordinateBeyondDoubleXyz", "far.xyz", "2\n\nC 1e15 0 0\nH 0 0 0\n", "far.xyz: atom 1 (C UNK 1): coordinate 1e+15 Å is beyond ±100000 Å");
  inspect("CoordinateBeyondDoubleGro", "far.gro", "t\n    1\n    1SOL     OW    1999999.0   0.200   0.300\n   2 2 2\n",
          "far.gro: atom 1 (OW SOL 1): coordinate 9.99999e+06 Å is beyond ±100000 Å");
  inspect("CoordinateBeyondDoublePdb", "far.pdb", "ATOM      1  C   MOL A   1    -200000.   0.000   0.000  1.00  0.00           C\n",
          "far.pdb: atom 1 (C MOL 1): coordinate -200000 Å is beyond ±100000 Å");
  inspect("CellBeyondDoubleXyz", "cell.xyz", "1\nLattice=\"1e15 0 0 0 10 0 0 0 10\"\nC 0 0 0\n",
          "cell.xyz:2: Lattice: box: cell vector a: length 1e+15 Å is beyond ±100000 Å");
  inspect("CellBeyondDoublePdb", "cell.pdb", "CRYST1 999999.0   10.000   10.000  90.00  90.00  90.00 P 1\n" + kAtom,
          "cell.pdb:1: CRYST1: box: cell vector a: length 999999 Å is beyond ±100000 Å");
  // --resume sees inputs whose content changed under the same name, and lists each.
  const std::string inRun = "run --in w.xyz --model ani2x --flavor native --mode single-point --repeat 1 --warmup 0 --weights random";
  add({"ResumeWithChangedStructureContent", {{"w.xyz", kWater}}, "{bin} " + inRun + " --out r.json > /dev/null 2>&1 && sed -i 's/0.96/0.97/' w.xyz",
       inRun + " --resume --out r.json", 2, "w.xyz: content changed (sha256 ", "w.xyz"});
  const std::string wRun = "run --in w.xyz --model ani2x --flavor native --mode single-point --repeat 1 --warmup 0 --weights wdir";
  add({"ResumeWithChangedWeightsContent", {{"w.xyz", kWater}},
       "mkdir wdir && echo 1 > wdir/sae_linfit.dat && ({bin} " + wRun + " --out r.json > /dev/null 2>&1; true) && echo 2 > wdir/sae_linfit.dat",
       wRun + " --resume --out r.json", 2, "wdir: content changed (sha256 ", "wdir"});
#ifdef MLFFB_HAVE_TORCH
  const std::string mRun = "run --in w.xyz --model ani2x --flavor torchscript --model-file m.pt --mode single-point --repeat 1 --warmup 0";
  add({"ResumeWithChangedModelFileContent", {{"w.xyz", kWater}, {"m.pt", "first"}},
       "({bin} " + mRun + " --out r.json > /dev/null 2>&1; true) && echo second > m.pt", mRun + " --resume --out r.json", 2,
       "m.pt: content changed (sha256 ", "m.pt"});
#endif
  add({"ResumeOfAReportWithoutInputHashes", {{"w.xyz", kWater}},
       "{bin} " + inRun + " --out r.json > /dev/null 2>&1 && python3 -c \"import json; d=json.load(open('r.json')); "
       "del d['suite']['plan_identity']['inputs']; json.dump(d, open('r.json', 'w'))\" && rm r.json.runs.jsonl",
       inRun + " --resume --out r.json", 0, "", "", {"r.json", "r.json.runs.jsonl"}});
  add({"ModelFileThatIsAFolder", {{"w.xyz", kWater}}, "mkdir m.pt", "eval --in w.xyz --flavor torchscript --model-file m.pt", 2,
       "--model-file: m.pt: not a regular file", "m.pt"});
  // Parallelism a plausible machine can run: ranks × threads at most 8 per hardware thread.
  const std::string mdRun = "run --suite polyala --model ani2x --flavor native --mode md --sizes 3 --out r.json";
  add({"ThreadsBeyondTheMachine", {}, "", mdRun + " --engine lammps --threads 4096", 2,
       "--ranks 1 × --threads 4096 = 4096 threads is more than this machine can run (", "--threads"});
  add({"RanksBeyondTheMachine", {}, "", mdRun + " --engine lammps --ranks 4096", 2, "--ranks 4096 × --threads 1 = 4096 threads is more than", "--ranks"});
  add({"GromacsThreadsBeyondTheMachine", {}, "", mdRun + " --engine gromacs --threads 4096", 2, "4096 threads is more than this machine can run",
       "--threads"});
  // compare: a newer schema, a version that is none, a run id twice (one report, or the same report twice).
  const auto reportWith = [](const std::string& version, const std::string& runs) {
    return "{\"schema_version\":" + version + ",\"environment\":{},\"runs\":[" + runs + "]}";
  };
  const std::string runX = "{\"id\":\"x\",\"status\":\"ok\"}";
  add({"CompareNewerSchema", {{"a.json", reportWith("99", runX)}}, "", "compare a.json", 1,
       "a.json: schema_version 99 is newer than this mlff-bench reads (1)", "a.json"});
  add({"CompareSchemaZero", {{"a.json", reportWith("0", runX)}}, "", "compare a.json", 1, "a.json: schema_version 0 is not a report version", "a.json"});
  add({"CompareDuplicateRunId", {{"a.json", reportWith("1", runX + "," + runX)}}, "", "compare a.json", 1,
       "a.json: runs[1].id: 'x' is also runs[0]'s", "a.json"});
  add({"CompareSameReportTwice", {}, "{bin} " + kRun + " --out r.json > /dev/null 2>&1", "compare r.json r.json", 1, "r.json: run 'polyala-3/ani2x/native/mlff/single-point/cpu/float32' is also in r.json",
       "r.json"});

  // ---------------------------------------------------------------- eval
  const auto evalCase = [&](std::string name, std::string args, int code, std::string msg, std::string names,
                            std::vector<std::pair<std::string, std::string>> files = {}) {
    if (files.empty()) files = {{"w.xyz", kWater}};
    add({name, files, "", "eval " + args, code, msg, names});
  };
  evalCase("CoincidentAtoms", "--in coin.xyz --weights random", 1, "atom 1 (C UNK 1) and atom 2 (C UNK 1) are 0.000 Å apart, closer than --min-distance",
           "coin.xyz", {{"coin.xyz", "3\n\nC 0 0 0\nC 0 0 0\nH 1 0 0\n"}});
  evalCase("NonFiniteForcesNameTheAtoms", "--in coin.xyz --weights random --min-distance 0 --flavor native", 1,
           "non-finite forces on 3 atoms: atom 1 (C UNK 1)", "atom 1", {{"coin.xyz", "3\n\nC 0 0 0\nC 0 0 0\nH 1 0 0\n"}});
  evalCase("CloseAtomsNamed", "--in close.xyz --weights random", 1, "atom 1 (O UNK 1) and atom 2 (H UNK 1) are 0.200 Å apart", "close.xyz",
           {{"close.xyz", "2\n\nO 0 0 0\nH 0.2 0 0\n"}});
  evalCase("PbcOnWithoutCell", "--pbc on --in w.xyz", 1, "w.xyz: --pbc on, but the structure has no periodic cell", "w.xyz");
  evalCase("CellTooThinSuggestsPbcOff", "--in thin.xyz --weights random", 1,
           "thin.xyz: cutoff 5.10 Å exceeds half the periodic cell's smallest width 4.00 Å; evaluate it without its cell with --pbc off",
           "thin.xyz", {{"thin.xyz", "3\nLattice=\"20 0 0 0 4 0 0 0 20\"\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n"}});
  evalCase("UnsupportedElement", "--in na.xyz --weights random", 1, "ANI-2x does not support element Na (atom 2", "Na",
           {{"na.xyz", "2\n\nC 0 0 0\nNa 3 0 0\n"}});
  evalCase("OutIsTheInput", "--in w.xyz --out w.xyz", 2, "--out w.xyz is the input file", "w.xyz");
  evalCase("OutUnderAFile", "--in w.xyz --weights random --out w.xyz/sub/e.json", 1, "w.xyz/sub: cannot create output folder", "w.xyz");
  evalCase("WeightsFolderMissing", "--in w.xyz --weights nowhere", 2, "--weights: nowhere: folder not found", "nowhere");
  add({"WeightsFolderEmpty", {{"w.xyz", kWater}}, "mkdir weights", "eval --in w.xyz --weights weights", 1,
       "rHCNOSFCl-5.1R_16-3.5A_a8-4.params: cannot open", "weights"});
  evalCase("MemberOutOfRange", "--in w.xyz --member 9", 2, "--member '9': expected an integer from 0 to 7", "--member");
  evalCase("UnknownModel", "--in w.xyz --model nequip", 2, "unknown model/flavour 'nequip/native'", "nequip");
  evalCase("UnknownFlavour", "--in w.xyz --flavor fused", 2, "unknown model/flavour 'ani2x/fused'", "fused");
  evalCase("UnknownPreset", "--in w.xyz --model et --preset nope", 2, "--preset 'nope': expected one of ani1, md17, qm9, spice", "--preset");
  evalCase("OptionOfAnotherModel", "--in w.xyz --num-layers 2", 2, "--num-layers is an option of et/torch, not of ani2x/native", "--num-layers");
  evalCase("UnknownDevice", "--in w.xyz --device gpu", 2, "--device: unknown device 'gpu' (cpu, cuda, cuda:N)", "--device");
  evalCase("UnknownPrecision", "--in w.xyz --precision float16", 2, "--precision: unknown precision 'float16'", "--precision");
  evalCase("UnknownPbcMode", "--in w.xyz --pbc maybe", 2, "--pbc: unknown --pbc 'maybe' (auto, on, off)", "--pbc");
  evalCase("NegativeSeed", "--in w.xyz --seed -1", 2, "--seed '-1': expected an integer from 0 to 9007199254740991", "--seed");
  evalCase("HugeSeed", "--in w.xyz --seed 1e23", 2, "--seed '1e23': expected an integer", "--seed");
  evalCase("ModelFileMissing", "--in w.xyz --flavor torchscript --model-file none.pt", 2, "--model-file: none.pt: file not found", "none.pt");
#ifdef MLFFB_HAVE_TORCH
  evalCase("ModelFileNeeded", "--in w.xyz --flavor torchscript", 1, "--flavor torchscript needs --model-file FILE.pt", "--model-file");
  evalCase("ModelFileNotTorchScript", "--in w.xyz --flavor torchscript --model-file junk.pt", 1, "junk.pt: not a TorchScript model", "junk.pt",
           {{"w.xyz", kWater}, {"junk.pt", "not a model"}});
#else
  evalCase("TorchFlavourWithoutLibTorch", "--in w.xyz --flavor torch", 1, "model ani2x flavour torch is unavailable: built without LibTorch",
           "torch");
#endif
  evalCase("MinDistanceOutOfRange", "--in w.xyz --min-distance -1", 2, "--min-distance '-1': expected a number from 0 to 5", "--min-distance");
  evalCase("InMissing", "--in none.xyz", 1, "none.xyz: cannot open", "none.xyz");
  add({"CudaWithoutDevice", {{"w.xyz", kWater}}, "", "eval --in w.xyz --device cuda", 2, "no CUDA device visible", "CUDA"});

  // ---------------------------------------------------------------- run: options (nothing is written)
  const auto runOpt = [&](std::string name, std::string extra, std::string msg, std::string names) {
    add({name, {}, "", "run " + extra + " --model ani2x --flavor native --out r.json", 2, msg, names});
  };
  runOpt("RepeatNegative", "--repeat -1", "--repeat '-1': expected an integer from 1 to 100000", "--repeat");
  runOpt("RepeatZero", "--repeat 0", "--repeat '0': expected an integer from 1", "--repeat");
  runOpt("WarmupNegative", "--warmup -1", "--warmup '-1': expected an integer from 0", "--warmup");
  runOpt("MemberNegative", "--member -2", "--member '-2': expected an integer from 0 to 7", "--member");
  runOpt("SeedNegative", "--seed -1", "--seed '-1': expected an integer", "--seed");
  runOpt("SeedHuge", "--seed 100000000000000000000000", "--seed '100000000000000000000000': expected an integer", "--seed");
  runOpt("TimeoutNan", "--timeout nan", "--timeout 'nan': expected a number > 0", "--timeout");
  runOpt("TimeoutZero", "--timeout 0", "--timeout '0': expected a number > 0", "--timeout");
  runOpt("SkinNegative", "--skin -1", "--skin '-1': expected a number from 0 to 10", "--skin");
  runOpt("FrictionNegative", "--friction -1", "--friction '-1': expected a number from 0", "--friction");
  runOpt("TimestepZero", "--dt 0", "--dt '0': expected a number > 0", "--dt");
  runOpt("TemperatureNegative", "--temperature -5", "--temperature '-5': expected a number > 0", "--temperature");
  runOpt("StepsZero", "--steps 0", "--steps '0': expected an integer from 1", "--steps");
  runOpt("TraceEveryZero", "--trace-every 0", "--trace-every '0': expected an integer from 1", "--trace-every");
  runOpt("MinimizeToleranceZero", "--minimize-tolerance 0", "--minimize-tolerance '0': expected a number > 0", "--minimize-tolerance");
  runOpt("SizesHuge", "--sizes 100000", "--sizes: 100000 residues; poly-alanine slices go up to 10000", "--sizes");
  runOpt("SizesIntMax", "--sizes 2147483647", "--sizes '2147483647': expected an integer from 1 to 10000000", "--sizes");
  runOpt("SizesTwice", "--sizes 1,1", "--sizes: 1 is given twice", "--sizes");
  runOpt("SizesNegative", "--sizes -4", "--sizes '-4': expected an integer from 1", "--sizes");
  runOpt("NeighborsZero", "--neighbors 0", "--neighbors '0': expected a number > 0", "--neighbors");
  runOpt("UnknownSystemFamily", "--systems crystal", "--systems: unknown system family 'crystal' (known: polyala, random, solvated, water)", "crystal");
  runOpt("SystemFamilyTwice", "--systems random,solvated,random", "--systems: random is given twice", "--systems");
  runOpt("SystemsOfFiles", "--in a.pdb --systems random", "--systems chooses a suite's system families; --in runs the files given", "--systems");
  runOpt("NeighborsWithoutRandomSystems", "--neighbors 30", "--neighbors sets the random systems' neighbourhood, and this plan has none (--systems random)",
         "--neighbors");
  runOpt("FrameZero", "--frame 0", "--frame '0': expected an integer from 1", "--frame");
  runOpt("UnknownSuite", "--suite nope", "unknown suite 'nope' (known: implementations, max-atoms, model-costs, neighbors, polyala, polyala-md, strong-scaling, weak-scaling)", "nope");
  runOpt("SearchLimitOfAPlainSuite", "--search-limit 100", "--search-limit applies to size-search suites (max-atoms)", "--search-limit");
  runOpt("SearchFromTwoSizes", "--suite max-atoms --sizes 1000,2000", "--sizes: a size search starts from one size", "--sizes");
  runOpt("SearchStartsBeyondItsLimit", "--suite max-atoms --sizes 5000 --search-limit 100",
         "--sizes: the search starts at 5000, beyond its limit 100", "--sizes");
  runOpt("ChunkAtomsZero", "--chunk-atoms 0", "--chunk-atoms '0': expected an integer from 1", "--chunk-atoms");
  runOpt("UnknownMode", "--mode train", "--mode: unknown mode 'train' (single-point, md)", "--mode");
  runOpt("UnknownConfiguration", "--configuration xyz", "--configuration: unknown configuration 'xyz'", "--configuration");
  runOpt("RunUnknownDevice", "--device gpu", "--device: unknown device 'gpu'", "--device");
  runOpt("RunUnknownPrecision", "--precision half", "--precision: unknown precision 'half'", "--precision");
  runOpt("UnknownIntegrator", "--integrator rk4", "--integrator: unknown integrator 'rk4' (langevin, nve)", "--integrator");
  runOpt("UnknownCollector", "--profile nosuch", "--profile: unknown collector 'nosuch'", "nosuch");
  runOpt("OptionNoModelOfThePlanTakes", "--preset md17", "--preset is an option of et/torch, which this plan does not run", "--preset");
  runOpt("UnknownEngine", "--mode md --engine warp", "unknown engine 'warp' (known: gromacs, lammps, native, openmm, openmm-ml)", "warp");
  runOpt("RanksZero", "--mode md --engine lammps --ranks 0", "--ranks '0': expected an integer from 1 to 4096", "--ranks");
  runOpt("RanksWithoutADistributedEngine", "--mode md --engine native --ranks 2",
         "--ranks needs an engine that spreads a system over ranks (--engine lammps)", "--ranks");
  runOpt("OptionGivenTwice", "--repeat 2 --repeat 3", "--repeat: At Most 1 required but received 2", "--repeat");
  runOpt("UnknownFlag", "--frobnicate", "The following argument was not expected: --frobnicate", "--frobnicate");
  runOpt("ExtendWithoutResume", "--extend", "--extend goes with --resume", "--extend");
  runOpt("ResumeAndForce", "--resume --force", "--resume continues a report and --force replaces it", "--force");
  add({"ResumeWithoutOut", {}, "", kRun + " --resume", 2, "--resume needs --out naming the report to continue", "--out"});
  add({"InFileMissing", {}, "", "run --in none.pdb --out r.json", 2, "none.pdb: cannot open", "none.pdb"});
  add({"InFileTwice", {{"w.xyz", kWater}}, "", "run --in w.xyz,w.xyz --out r.json", 2, "--in: w.xyz is given twice", "w.xyz"});
  add({"ResumeNothing", {}, "", kRun + " --resume --out r.json", 2, "--resume: nothing to continue: no report at r.json", "r.json"});

  // ---------------------------------------------------------------- run: reports already there
  const std::string makeReport = "{bin} " + kRun + " --out r.json > /dev/null 2>&1";
  add({"ExistingReportIsNotReplaced", {}, makeReport, kRun + " --out r.json", 2,
       "r.json: a report is already there; continue it with --resume, or replace it with --force", "r.json"});
  add({"ExistingJournalIsNotReplaced", {}, makeReport + " && rm r.json", kRun + " --out r.json", 2, "r.json: a report is already there", "r.json"});
  add({"ResumeWithAnotherSeed", {}, makeReport, kRun + " --seed 7 --resume --out r.json", 2,
       "--resume: r.json was run with another plan: seed 42 → 7", "r.json"});
  add({"ResumeWithAnotherPbcMode", {}, makeReport, kRun + " --pbc off --resume --out r.json", 2, "pbc \"auto\" → \"off\"", "r.json"});
  add({"ResumeAddingSizesNeedsExtend", {}, makeReport, kRun + ",4 --resume --out r.json", 2,
       "adds 1 point(s): polyala-4/ani2x/native/mlff/single-point/cpu/float32 (add points with --extend)", "r.json"});
  add({"ReportLockedByAnotherRun", {}, makeReport + " && (flock r.json.lock sleep 20 > /dev/null 2>&1 &) && sleep 0.5",
       kRun + " --resume --out r.json", 1, "r.json is being written by another mlff-bench run", "r.json"});
  add({"ForcedReplaceIsAllowed", {}, makeReport, kRun + " --force --out r.json", 0, "", "", {"r.json", "r.json.runs.jsonl"}});
  Case garbage{"GarbageJournalLineIsSkippedAndTheRestKept", {}, makeReport + " && sed -i '1a garbage{' r.json.runs.jsonl",
               kRun + ",4 --resume --extend --out r.json", 0, "", "", {"r.json", "r.json.runs.jsonl"}};
  garbage.warning = "r.json.runs.jsonl:2: skipped, not JSON (a torn or edited line)";
  add(garbage);
  Case shape{"ForeignJournalLineIsSkipped", {}, makeReport + " && echo '{\"foo\": [1, 2]}' >> r.json.runs.jsonl",
             kRun + " --resume --out r.json", 0, "", "", {"r.json", "r.json.runs.jsonl"}};
  shape.warning = "r.json.runs.jsonl:3: skipped, not a run record: no \"id\" string";
  add(shape);
  add({"ResumeFromTheReportWhenTheJournalIsGone", {}, makeReport + " && rm r.json.runs.jsonl", kRun + ",4 --resume --extend --out r.json", 0,
       "", "", {"r.json", "r.json.runs.jsonl"}});
  // ---------------------------------------------------------------- run: where the report goes
  // The journal (and lock) lie beside the report the link resolves to: runs through any link share them.
  add({"OutThroughASymlinkWritesItsTarget", {}, "mkdir real && ln -s real/target.json link.json", kRun + " --out link.json", 0, "", "",
       {"real/target.json", "real/target.json.runs.jsonl"}});
  add({"OutToAFifoStaysAFifo", {}, "mkfifo f.json && (cat f.json > copy.json &)", kRun + " --out f.json", 0, "", "", {"copy.json"}});
  Case full{"OutToDevFull", {}, "", kRun + " --out /dev/full", 1, "/dev/full: write failed (No space left on device)", "/dev/full"};
  full.ran = true;
  add(full);
  add({"OutFolderUnderAFile", {{"afile", "x"}}, "", kRun + " --out afile/r.json", 1, "afile: cannot create output folder", "afile"});
  // ---- where files are written: no shell, no links at derived names, nothing replaced without --force, every write checked
  // A name is an argument, never shell text; a quote in it runs nothing (no file PWNED appears).
  add({"ReportOutWithAQuoteRunsNoShell", {}, makeReport, "report r.json --out \"x'; touch PWNED; echo '\"", 0, "", "",
       {"x'; touch PWNED; echo '/"}});
  const std::string oddName = "my rép'ort \\\"ü\\\".json";  // my rép'ort "ü".json, quoted for the shell
  add({"RunOutNamedWithSpacesQuotesAndUtf8", {}, "", kRun + " --out \"" + oddName + "\"", 0, "", "",
       {"my rép'ort \"ü\".json", "my rép'ort \"ü\".json.runs.jsonl"}});
  add({"ReportOfANameWithSpacesQuotesAndUtf8", {}, "{bin} " + kRun + " --out \"" + oddName + "\" > /dev/null 2>&1",
       "report \"" + oddName + "\" --out \"figures ü\"", 0, "", "", {"figures ü/"}});
  add({"LockThatIsASymlinkIsRefused", {{"v.txt", "precious\n"}}, "ln -s v.txt r.json.lock", kRun + " --out r.json", 1,
       "r.json.lock: is a symbolic link; a report lock is never written through a link", "r.json.lock"});
  add({"SecondRunThroughALinkToTheSameReportIsLocked", {},
       makeReport + " && ln -s r.json other.json && (flock r.json.lock sleep 20 > /dev/null 2>&1 &) && sleep 0.5",
       kRun + " --resume --out other.json", 1, "other.json is being written by another mlff-bench run", "other.json"});
  add({"RunOutNewFolderWithASlash", {}, "", kRun + " --out newdir/", 2, "--out newdir/: names a folder; give the name of the file to write",
       "newdir/"});
  add({"RunOutAnExistingFolder", {}, "mkdir d", kRun + " --out d", 2, "--out d: is a folder", "d"});
  add({"ReportIntoAFolderWithAnIndex", {}, "mkdir figs && echo mine > figs/index.md && " + makeReport, "report r.json --out figs", 2,
       "figs/index.md: exists; give --force to replace it", "figs/index.md"});
  add({"ReportOverAFigureMovesNone", {}, "mkdir figs && echo mine > figs/stage_time_vs_atoms.png && " + makeReport, "report r.json --out figs", 2,
       "figs/stage_time_vs_atoms.png: exists; give --force to replace it", "figs/stage_time_vs_atoms.png"});
  add({"ReportWithForceReplacesTheIndex", {}, "mkdir figs && echo mine > figs/index.md && " + makeReport, "report r.json --out figs --force", 0,
       "", "", {"figs/"}});
  add({"RandomOntoAnExistingFile", {{"r.xyz", "mine\n"}}, "", "systems random --atoms 100 --neighbors 10 --out r.xyz", 2,
       "--out r.xyz: exists; give --force to replace it", "r.xyz"});
  add({"BuildOntoAnExistingSlice", {}, "mkdir out && echo mine > out/polyala-3.pdb", "systems build --sizes 3 --out out", 2,
       "out/polyala-3.pdb: exists; give --force to replace it", "out/polyala-3.pdb"});
  add({"EvalOntoAnExistingFile", {{"w.xyz", kWater}, {"e.json", "mine\n"}}, "", "eval --in w.xyz --weights random --out e.json", 2,
       "--out e.json: exists; give --force to replace it", "e.json"});
  // A second run of the same point into the same --trace-dir (another seed, another report) keeps the first run's traces.
  const std::string md = "run --suite polyala --model ani2x --flavor native --mode md --steps 2 --warmup-steps 0 --minimize-steps 0 --trace-every 1 "
                         "--repeat 1 --sizes 3 --trace-dir t";
  const std::string traces = "t/polyala-3_ani2x_native_native_mlff_md_cpu_float32-2";
  add({"TraceDirTwiceKeepsTheEarlierTraces", {}, "{bin} " + md + " --seed 1 --out m1.json > /dev/null 2>&1", md + " --seed 2 --out m2.json", 0,
       "", "", {"m2.json", "m2.json.runs.jsonl", traces + ".csv", traces + ".xyz"}});
  // A full disk and a file-size limit: the error names the file and the cause; no folder, figure or temporary is left.
  Case disk{"ReportOnAFullDisk", {}, makeReport + " && mkdir small", "report r.json --out small/figs", 1,
            "cannot write (No space left on device)", "small/figs/"};
  disk.needs = "mount -t tmpfs -o size=64k tmpfs small";
  disk.cleanup = "umount small || true";
  add(disk);
  Case fsize{"ReportPastTheFileSizeLimit", {}, makeReport, "report r.json --out figs", 1, "cannot write (File too large)", "figs/"};
  fsize.prefix = "ulimit -f 4; ";
  add(fsize);
  Case rsize{"RandomPastTheFileSizeLimit", {}, "", "systems random --atoms 100 --neighbors 10 --out big.xyz", 1,
             "big.xyz: write failed (File too large)", "big.xyz"};
  rsize.prefix = "ulimit -f 1; ";
  add(rsize);
  Case runSize{"RunPastTheFileSizeLimitLeavesNoJournal", {}, "", kRun + " --out r.json", 1, "write failed (File too large)", "r.json"};  // the journal or the report, whichever passes the limit first
  runSize.prefix = "ulimit -f 1; ";
  add(runSize);
  // ---------------------------------------------------------------- compare and report
  add({"CompareNotJson", {{"a.json", "{not json"}}, "", "compare a.json", 1, "a.json: not a JSON report", "a.json"});
  add({"CompareForeignJson", {{"a.json", "{\"hello\": 1}"}}, "", "compare a.json", 1, "a.json: not an mlff-bench report", "a.json"});
  add({"CompareWrongFieldType",
       {{"a.json", "{\"schema_version\":1,\"environment\":{},\"runs\":[{\"id\":\"x\",\"status\":\"ok\",\"measurements\":{\"stages\":{\"total\":"
                   "{\"median_ms\":\"fast\"}}}}]}"}},
       "", "compare a.json", 1, "a.json: runs[0].measurements.stages.total.median_ms: expected a number, found \"fast\"", "a.json"});
  add({"CompareRunWithoutStatus", {{"a.json", "{\"schema_version\":1,\"environment\":{},\"runs\":[{\"id\":\"x\"}]}"}}, "", "compare a.json", 1,
       "a.json: runs[0].status: missing (text expected)", "a.json"});
  add({"CompareMissingFile", {}, "", "compare none.json", 1, "none.json: cannot open", "none.json"});
  add({"CompareReportWithoutRuns", {{"a.json", "{\"schema_version\":1,\"environment\":{},\"runs\":[]}"}}, "", "compare a.json", 1,
       "a.json: no runs to compare", "a.json"});
  add({"CompareUnknownMetric", {}, makeReport, "compare r.json --metric speed", 2, "--metric: unknown metric 'speed'", "--metric"});
  add({"CompareUnknownFormat", {}, makeReport, "compare r.json --format xml", 2, "--format: unknown format 'xml'", "--format"});
  add({"ReportOfABadFile", {{"a.json", "[]"}}, "", "report a.json --out figs", 1, "a.json: not an mlff-bench report", "a.json"});
  // ---------------------------------------------------------------- profile (Nsight wrapping)
  const std::string runArgs = kRun.substr(4);  // without "run"
  add({"ProfileUnknownTool", {}, "", "profile nvprof -- " + runArgs + " --out r.json", 2, "TOOL: nvprof not in {ncu,nsys}", "nvprof"});
  add({"ProfileMissingTool", {}, "", "profile ncu --tool-path ./no-ncu -- " + runArgs + " --out r.json", 1, "profile: ./no-ncu not found", "./no-ncu"});
  add({"ProfileWithoutRunArguments", {}, "", "profile nsys --dry-run", 2, "profile: no run arguments", "nsys"});
  add({"ProfileResume", {}, "", "profile ncu --dry-run -- " + runArgs + " --resume --out r.json", 2, "profile: --resume cannot be profiled", "--resume"});
  add({"ProfileUnknownOption", {}, "", "profile ncu --frobnicate -- " + runArgs, 2, "The following argument was not expected: --frobnicate",
       "--frobnicate"});
  add({"UnknownCuptiMetricSet", {}, "", "run --suite polyala --sizes 3 --model ani2x --flavor native --profile cupti-range --metrics all --out r.json",
       2, "--metrics", "all"});
  // ---------------------------------------------------------------- systems build / random / slice
  add({"BuildNegativeSize", {}, "", "systems build --sizes 10,-5 --out out", 2, "--sizes '-5': expected an integer from 1 to 10000", "--sizes"});
  add({"BuildZeroPadding", {}, "", "systems build --sizes 3 --solvate --padding 0 --out out", 2, "--padding '0': expected a number > 0",
       "--padding"});
  add({"BuildUnknownFormat", {}, "", "systems build --sizes 3 --format pdbx --out out", 2, "--format: pdbx not in {pdb,gro,xyz}", "--format"});
  add({"RandomZeroAtoms", {}, "", "systems random --atoms 0 --neighbors 10 --out r.xyz", 2, "--atoms '0': expected an integer from 1", "--atoms"});
  add({"RandomHugeCutoff", {}, "", "systems random --atoms 100 --neighbors 10 --cutoff 100 --out r.xyz", 2, "--cutoff '100': expected a number > 0",
       "--cutoff"});
  add({"RandomTooDense", {}, "", "systems random --atoms 100 --neighbors 900 --out r.xyz", 1, "too dense", "--neighbors"});
  add({"SliceBeyondTheChain", {}, "{bin} systems build --conformation helix --sizes 12 --out . > /dev/null",
       "systems slice --from polyala-12.pdb --sizes 13 --out s", 1, "exceeds the 12 residues", "polyala-12.pdb", {}});
  return c;
}

/// Every file below `dir`: its kind and content (or link target).
std::map<std::string, std::string> snapshot(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const std::string rel = it->path().lexically_relative(dir).string();  // not fs::relative: it follows links
    const auto st = it->symlink_status();
    if (fs::is_symlink(st))
      out[rel] = "link " + fs::read_symlink(it->path()).string();
    else if (fs::is_directory(st))
      out[rel] = "folder";
    else if (fs::is_fifo(st))
      out[rel] = "fifo";
    else if (fs::is_regular_file(st)) {
      std::error_code ec;
      if (::access(it->path().c_str(), R_OK) != 0) {
        out[rel] = "unreadable";
        continue;
      }
      out[rel] = "file " + readFile(it->path().string());
    }
  }
  return out;
}

class BadInput : public ::testing::TestWithParam<Case> {};

// gtest prints a case by its name and command.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name << ": mlff-bench " << c.args; }

}  // namespace

TEST_P(BadInput, RefusedInOneLineNamingTheInputAndNothingChanges) {
  const Case& k = GetParam();
  const std::string dir = mlffb::test::freshTempDir("badinput-" + k.name);
  for (const auto& [name, text] : k.files) std::ofstream(dir + "/" + name, std::ios::binary) << text;
  const std::string bin = MLFFB_BINARY;
  struct Cleanup {
    std::string command;
    ~Cleanup() {
      if (!command.empty()) runShell(command);
    }
  } cleanup{k.cleanup.empty() ? "" : "cd " + dir + " && " + k.cleanup};
  if (!k.setup.empty()) {
    const auto s = runShell("cd " + dir + " && " + replaceAll(k.setup, "{bin}", bin));
    ASSERT_EQ(s.exitCode, 0) << "setup failed: " << s.err;
  }
  if (!k.needs.empty()) {
    const auto n = runShell("cd " + dir + " && " + k.needs);
    if (n.exitCode != 0) GTEST_SKIP() << "needs `" << k.needs << "`, which is not permitted here: " << n.err;
  }
  const auto before = snapshot(dir);
  const auto r = runShell("cd " + dir + " && " + k.prefix + bin + " " + k.args);
  if (k.setup.find("flock") != std::string::npos) runShell("pkill -f 'sleep 20' || true");
  EXPECT_EQ(r.exitCode, k.exitCode) << "stderr: " << r.err;
  if (!k.message.empty()) {
    // One error line, the last; only a run that did work may print progress before it.
    std::string last = r.err;
    if (!last.empty() && last.back() == '\n') last.pop_back();
    if (const auto nl = last.rfind('\n'); nl != std::string::npos) {
      EXPECT_TRUE(k.ran) << "more than one line on stderr: " << r.err;
      last = last.substr(nl + 1);
    }
    EXPECT_EQ(last.rfind("mlff-bench: error: ", 0), 0u) << "stderr: " << r.err;
    EXPECT_NE(last.find(k.message), std::string::npos) << "stderr: " << r.err;
    EXPECT_NE(last.find(k.names), std::string::npos) << "the message does not name " << k.names << ": " << r.err;
  } else if (!k.warning.empty()) {
    EXPECT_NE(r.err.find("mlff-bench: warning: " + k.warning), std::string::npos) << "stderr: " << r.err;
  }
  // Nothing that was there changed, and nothing new was left, except what the case may write.
  const auto after = snapshot(dir);
  // A name ending in '/' allows that folder and everything below it.
  const auto mayWrite = [&](const std::string& path) {
    for (const auto& m : k.mayChange)
      if (path == m || (m.back() == '/' && (path == m.substr(0, m.size() - 1) || path.rfind(m, 0) == 0))) return true;
    return false;
  };
  for (const auto& [path, what] : before) {
    if (mayWrite(path)) continue;
    auto it = after.find(path);
    if (it == after.end()) {
      std::string now;
      for (const auto& [p, w] : after) now += p + " ";
      FAIL() << path << " was removed (now: " << now << ")";
    }
    EXPECT_EQ(it->second.substr(0, 200), what.substr(0, 200)) << path << " was changed";
    EXPECT_EQ(it->second == what, true) << path << " was changed";
  }
  for (const auto& [path, what] : after) {
    if (!before.count(path)) {
      EXPECT_TRUE(mayWrite(path)) << path << " was left behind";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, BadInput, ::testing::ValuesIn(corpus()),
                         [](const ::testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(BadInputCorpus, TriesAtLeastNinetyInputs) {
  std::cout << "the corpus tries " << corpus().size() << " inputs\n";
  RecordProperty("inputs", static_cast<int>(corpus().size()));
  EXPECT_GE(corpus().size(), 90u);
}

// Inputs that are no regular file (a FIFO with no writer would block a reader for ever) or are too
// large to read (sparse files: nothing is written) are refused before they are opened or read.
// Run under `timeout 20` so that a regression fails instead of hanging the test; apart from the
// corpus because its snapshot would read them.
TEST(BadInputCorpus, SpecialAndHugeInputsAreRefusedPromptly) {
  const std::string dir = mlffb::test::freshTempDir("badinput-special-inputs");
  const std::string bin = MLFFB_BINARY;
  ASSERT_EQ(runShell("cd " + dir + " && mkfifo f.pdb f.xyz f.json f.pt && mkdir wdir && mkfifo wdir/rHCNOSFCl-5.1R_16-3.5A_a8-4.params"
                     " && truncate -s 2G big.pdb && truncate -s 9G big.pt && printf '3\\n\\nO 0 0 0\\nH 0.96 0 0\\nH -0.24 0.93 0\\n' > w.xyz")
                .exitCode,
            0);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"systems inspect f.pdb", "f.pdb: is a FIFO, not a regular file (a structure file is read whole)"},
      {"eval --in f.xyz --weights random", "f.xyz: is a FIFO, not a regular file"},
      {"run --in f.xyz --weights random --out r.json", "f.xyz: is a FIFO, not a regular file"},
      {"compare f.json", "f.json: is a FIFO, not a regular file (a report is read whole)"},
      {"eval --in w.xyz --weights wdir", "rHCNOSFCl-5.1R_16-3.5A_a8-4.params: is a FIFO, not a regular file (a weights file is read whole)"},
      {"eval --in w.xyz --flavor torchscript --model-file f.pt", "--model-file: f.pt: not a regular file"},
      {"systems inspect big.pdb", "big.pdb: 2147483648 bytes is too large for a structure file (limit 1 GiB: a 10-million-atom PDB"},
#ifdef MLFFB_HAVE_TORCH
      {"eval --in w.xyz --flavor torchscript --model-file big.pt", "big.pt: 9663676416 bytes is too large for a model file (limit 8 GiB"},
#endif
  };
  for (const auto& [args, message] : cases) {
    const auto r = runShell("cd " + dir + " && timeout 20 " + bin + " " + args);
    EXPECT_NE(r.exitCode, 124) << args << ": timed out";
    EXPECT_TRUE(r.exitCode == 1 || r.exitCode == 2) << args << ": exit " << r.exitCode;
    EXPECT_NE(r.err.find("mlff-bench: error: "), std::string::npos) << args << ": " << r.err;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << ": " << r.err;
  }
  EXPECT_FALSE(fs::exists(dir + "/r.json")) << "a refused run left a report";
  fs::remove_all(dir);
}

// The MD blow-up threshold scales with the target: a run at 6000 K (above the fixed 5000 K
// threshold) is no blow-up by itself; the threshold is then 10 × the target.
TEST(BadInputCorpus, HotTargetTemperatureIsNoBlowUp) {
  const std::string dir = mlffb::test::freshTempDir("badinput-hot-target");
  const auto r = runShell("cd " + dir + " && timeout 300 " + std::string(MLFFB_BINARY) +
                          " run --suite polyala --model ani2x --flavor native --mode md --engine native --sizes 3 --temperature 6000"
                          " --steps 20 --warmup-steps 0 --minimize-steps 0 --out r.json");
  ASSERT_EQ(r.exitCode, 0) << r.err;
  const std::string report = readFile(dir + "/r.json");
  EXPECT_NE(report.find("\"status\": \"ok\""), std::string::npos) << report.substr(0, 2000);
  EXPECT_EQ(report.find("blew up"), std::string::npos) << report.substr(0, 2000);
  fs::remove_all(dir);
}
