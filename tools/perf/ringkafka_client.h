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
// the producer could not be made or primed (or `stats_path` written); the
// run's failures are in `out`.  With `stats_path`, the statistics snapshot
// every `stats_interval_ms` as one JSON line each, written after the run
// (the callback only keeps the text: no file I/O on the sender thread).
std::optional<std::string> run_ringkafka(const ringkafka::Config& config, std::string_view topic,
                                         const Workload& w, RunResult& out,
                                         const std::string& stats_path = {},
                                         std::int32_t stats_interval_ms = 1000);

}  // namespace perf
