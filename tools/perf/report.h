// ringkafka-perf's output for the latency and throughput modes: the table
// on stdout (each client's percentiles, the peers' ratios to ringkafka, the
// rates), the --json document and the --hist percentile files.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "workload.h"

namespace perf {

void print_table(const Workload& w, std::string_view preset, const std::vector<RunResult>& runs);

// False when the file cannot be written.
bool write_json(const std::string& path, const Workload& w, std::string_view topic,
                std::string_view preset, const std::vector<RunResult>& runs);
bool write_hist(const std::string& path, const std::vector<RunResult>& runs);

}  // namespace perf
