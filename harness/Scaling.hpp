#pragma once
// The report's `scaling` section: runs of a distributed engine (records with `ranks`) grouped
// into series — strong scaling: one system over several rank counts; weak scaling: the same
// size per rank — each point with ms/step, speed-up and parallel efficiency against the series'
// smallest rank count, the Eq. 3 prediction for LAMMPS's grid and the model's receptive field,
// the mean fraction of evaluated atoms that are ghosts, and the largest memory of a rank.
#include "harness/Json.hpp"

namespace mlffb {

/// The series of `runs` (ok records only); an empty array when there are none.
Json scalingSeries(const Json& runs);

}  // namespace mlffb
