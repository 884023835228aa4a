// A histogram of nanoseconds as the statistics' LatencySummary, and
// the range the producer's stage histograms track.
#pragma once

#include <cstdint>

#include "metrics/histogram.h"
#include "ringkafka/statistics.h"

namespace ringkafka::metrics {

// Stage latencies in ns, up to 100 s (beyond: clamped, counted); about
// 230 KiB of counters each.
inline constexpr std::uint64_t kStageHighestNs = 100'000'000'000ULL;

// The window `h` into `out` (count, mean, min, the percentiles, max), its
// count and sum added to `totals` first (they run from the start).
struct LatencyTotals {
  std::uint64_t count = 0;
  std::uint64_t sum_ns = 0;
};
void summarize(const Histogram& h, LatencyTotals& totals, LatencySummary& out) noexcept;

}  // namespace ringkafka::metrics
