#pragma once
// Nsight results into the report's sections, the same ones the in-process collectors write:
// `ncu -i REPORT --csv --page raw --print-units base` (a header row, a units row, one row per
// profiled kernel, one column per metric; NVTX-filtered per stage by `mlff-bench profile`) into
// `kernel_metrics` and per-stage `traffic`; `nsys stats --format csv` reports cuda_gpu_kern_sum,
// nvtx_sum and cuda_api_sum into `kernels`, `nvtx_ranges` and `cuda_api`. Figures are per sample
// (the run's repeats or MD steps), as the collectors'. Malformed CSV is an error naming the file.
#include <string>
#include <vector>

#include "harness/Json.hpp"

namespace mlffb {

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// The column of that name; throws naming `source` when absent.
  size_t column(const std::string& name, const std::string& source) const;
};

/// RFC 4180 CSV (quoted fields, doubled quotes, commas and newlines inside quotes). Lines before
/// the header that a tool prints (`==PROF==`, blank lines, notices) are skipped: the header is the
/// first line that contains `headerMustHave`.
CsvTable parseCsv(const std::string& text, const std::string& source, const std::string& headerMustHave);

/// A number as Nsight prints it ("1,234.5", "12.3", "n/a" -> NaN), scaled by its unit to bytes,
/// nanoseconds or a plain count/percent.
double nsightNumber(const std::string& value, const std::string& unit);

/// One ncu raw CSV, all of whose kernels ran in `stage`: {"kernel_metrics": [...], "traffic": {stage: {...}}}.
Json importNcuRaw(const std::string& csvText, const std::string& source, const std::string& stage, double samples);

/// nsys stats CSVs (empty text: that report absent): {"kernels", "launches_per_sample", "nvtx_ranges", "cuda_api"}.
Json importNsysStats(const std::string& kernSum, const std::string& nvtxSum, const std::string& apiSum, const std::string& source,
                     double samples);

}  // namespace mlffb
