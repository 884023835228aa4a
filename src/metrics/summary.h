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

// One pass over the counters: count, mean, min, the percentiles, max.
void summarize(const Histogram& h, LatencySummary& out) noexcept;

}  // namespace ringkafka::metrics
