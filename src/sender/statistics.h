// The statistics snapshot (ringkafka/statistics.h), built on the sender
// thread from what each stage counts: the reporter (reports by cause,
// report latency), the accumulator (partitions, int_latency, buffer
// memory), each connection (requests, bytes, outbuf, rtt), the rings.
//
// Built into a Statistics whose storage is reused: once its vectors and
// strings have grown to the producer's brokers, partitions and threads, a
// snapshot allocates nothing.  Latency windows are reset after each one.
#pragma once

#include <cstdint>

#include "accumulator/accumulator.h"
#include "accumulator/reporter.h"
#include "broker/brokers.h"
#include "handoff/shared.h"
#include "metrics/histogram.h"
#include "ringkafka/statistics.h"
#include "sender/producer_state.h"

namespace ringkafka::sender {

struct StatisticsSources {
  handoff::Shared& shared;
  accumulator::Accumulator& acc;
  accumulator::Reporter& reporter;
  broker::Brokers& brokers;
  const ProducerState& pstate;
};

class StatisticsBuilder {
 public:
  explicit StatisticsBuilder(std::int64_t started_ns) noexcept
      : started_ns_(started_ns), window_start_ns_(started_ns) {}

  // The snapshot into `out`; false (out partly written) without memory.
  bool build(const StatisticsSources& from, std::int64_t now_ns, std::int64_t now_ms,
             Statistics& out) noexcept;

 private:
  std::int64_t started_ns_;
  std::int64_t window_start_ns_;
  std::uint64_t count_ = 0;
  // The connections' windows merged, for the producer-wide outbuf and rtt.
  metrics::Histogram outbuf_ns_{metrics::kStageHighestNs};
  metrics::Histogram rtt_ns_{metrics::kStageHighestNs};
  metrics::LatencyTotals int_latency_totals_;
  metrics::LatencyTotals outbuf_totals_;
  metrics::LatencyTotals rtt_totals_;
  metrics::LatencyTotals report_totals_;
};

}  // namespace ringkafka::sender
