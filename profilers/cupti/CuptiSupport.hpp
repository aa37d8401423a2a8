#pragma once
// What the CUPTI collectors share: whether in-process CUPTI can work here (built with CUPTI, a CUDA
// device present, no Nsight tool injected into this process), and CUPTI result codes as text.
#include <string>

#include <memory>

#include "core/Options.hpp"
#include "core/Registry.hpp"
#include "profilers/Collector.hpp"

namespace mlffb::profilers::cupti {

/// Set (by `mlff-bench profile`) in a run under ncu/nsys: in-process CUPTI stays off.
inline constexpr const char* kUnderNsightEnv = "MLFFB_UNDER_NSIGHT";

/// Available when CUPTI is built in, a CUDA device answers and no profiling tool is injected.
Availability inProcessCuptiAvailability();

/// The collectors (CuptiActivityCollector.cpp, CuptiRangeCollector.cpp: only where CUPTI is built in).
std::unique_ptr<Collector> makeCuptiActivityCollector();
std::unique_ptr<Collector> makeCuptiRangeCollector(const OptionValues& options);

}  // namespace mlffb::profilers::cupti
