// What a connection counts for the statistics (ringkafka/statistics.h's
// BrokerStats): requests and bytes each way (every kind), connects and
// failures, the broker's throttle, and two latency windows of Produce
// requests, the records' path: outbuf (written into the send buffer until
// the kernel took all of it) and rtt (taken until its whole answer was
// read).  Written by the sender thread only; the sender's snapshot reads
// it between passes.
#pragma once

#include <cstdint>

#include "metrics/histogram.h"
#include "metrics/summary.h"

namespace ringkafka::broker {

struct ConnectionStats {
  std::uint64_t connects = 0;
  std::uint64_t failures = 0;
  std::uint64_t requests = 0;
  std::uint64_t request_bytes = 0;
  std::uint64_t responses = 0;
  std::uint64_t response_bytes = 0;
  std::uint64_t throttle_ms = 0;
  std::int64_t last_throttle_ms = 0;
  metrics::Histogram outbuf_ns{metrics::kStageHighestNs};  // the window
  metrics::Histogram rtt_ns{metrics::kStageHighestNs};
  metrics::LatencyTotals outbuf_totals;  // since the start (the snapshot adds each window)
  metrics::LatencyTotals rtt_totals;

  void on_request(std::size_t bytes) noexcept {
    ++requests;
    request_bytes += bytes;
  }
  void on_written(std::int64_t queued_ns, std::int64_t now_ns) noexcept {
    outbuf_ns.record(static_cast<std::uint64_t>(now_ns - queued_ns));
  }
  void on_response(std::size_t bytes) noexcept {
    ++responses;
    response_bytes += bytes;
  }
  void on_produce_answer(std::int64_t written_ns, std::int64_t now_ns) noexcept {
    rtt_ns.record(static_cast<std::uint64_t>(now_ns - written_ns));
  }
  void on_throttle(std::int32_t ms) noexcept {
    throttle_ms += static_cast<std::uint64_t>(ms);
    last_throttle_ms = ms;
  }
};

}  // namespace ringkafka::broker
