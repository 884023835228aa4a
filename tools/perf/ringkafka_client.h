// The workload through ringkafka's public API: one Producer shared by the
// producing threads, each polling its own delivery reports.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ringkafka/config.h"
#include "workload.h"

namespace perf {

// Creates the producer, primes it (metadata, connections: a few records
// produced and flushed, not measured), runs `w`, closes it.  A message when
// the producer could not be made or primed; the run's failures are in `out`.
std::optional<std::string> run_ringkafka(const ringkafka::Config& config, std::string_view topic,
                                         const Workload& w, RunResult& out);

}  // namespace perf
