// A snapshot of what the producer is doing: totals, each producing
// thread's ring, each broker, each partition, and where a record's time
// goes (docs/observability.md documents every field).
//
// The sender keeps the figures in its own memory, without locks or atomics
// on the record path, and builds a snapshot every statistics.interval.ms
// (for Config::statistics_callback) or when Producer::statistics() asks.
// Counters count since the producer started; latency figures cover the
// window since the previous snapshot, as librdkafka's do.
#pragma once

#include "ringkafka/export.h"  // first: it stops a pre-C++20 build with the reason

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ringkafka/error.h"

namespace ringkafka {

/// Every Errc, for counts by cause.
inline constexpr std::size_t kErrcCount = static_cast<std::size_t>(Errc::kAllBrokersDown) + 1;

/// A latency distribution over the window, in nanoseconds (values have
/// three significant digits). count 0: nothing happened in the window.
/// total_count and total_ns run from the producer's creation (Prometheus's
/// summary _count and _sum).
struct LatencySummary {
  std::uint64_t total_count = 0;
  std::uint64_t total_ns = 0;
  std::uint64_t count = 0;
  double mean_ns = 0;
  std::uint64_t min_ns = 0;
  std::uint64_t p50_ns = 0;
  std::uint64_t p90_ns = 0;
  std::uint64_t p99_ns = 0;
  std::uint64_t p999_ns = 0;
  std::uint64_t max_ns = 0;
};

/// A producing thread's ring and reports.
struct ThreadStats {
  std::uint32_t index = 0;          ///< in order of first produce()
  std::uint64_t ring_bytes = 0;     ///< ring.bytes
  std::uint64_t ring_used = 0;      ///< bytes of records the sender has not taken yet
  std::uint64_t accepted = 0;       ///< records produce() accepted
  std::uint64_t reported = 0;       ///< delivery reports made for them
};

struct BrokerStats {
  std::int32_t node_id = -1;        ///< -1: a bootstrap entry
  std::string host;
  std::uint16_t port = 0;
  std::string state;                ///< "init", "connecting", "handshake", "up", "backoff", ...
  std::string last_error;           ///< the last failure, worded (docs/observability.md), or ""
  std::uint64_t connects = 0;       ///< connections that completed their handshake
  std::uint64_t failures = 0;       ///< connections that failed or were cut
  std::uint64_t requests = 0;       ///< requests sent (all kinds; the latencies are Produce's)
  std::uint64_t request_bytes = 0;
  std::uint64_t responses = 0;
  std::uint64_t response_bytes = 0;
  std::uint64_t in_flight = 0;      ///< requests awaiting an answer now
  std::uint64_t throttle_ms = 0;    ///< throttle time the broker asked for, in total (KIP-219)
  std::int64_t last_throttle_ms = 0;
  LatencySummary outbuf;            ///< Produce request written -> the kernel took all of it
  LatencySummary rtt;               ///< the kernel took it -> the whole answer read
};

struct PartitionStats {
  std::string topic;
  std::int32_t partition = 0;
  std::int32_t leader = -1;
  std::int32_t leader_epoch = -1;
  std::uint64_t records = 0;        ///< records sealed into batches
  std::uint64_t batches = 0;        ///< batches sealed
  std::uint64_t bytes = 0;          ///< their records, uncompressed
  std::uint64_t wire_bytes = 0;     ///< the batches as sent (compressed, with headers)
  double avg_batch_fill = 0;        ///< bytes / (batches * batch.size)
  double max_batch_fill = 0;
  double compression_ratio = 0;     ///< bytes / wire_bytes (0 before the first batch)
  std::uint32_t batches_in_flight = 0;
  std::int32_t next_sequence = 0;   ///< idempotence: the next batch's base sequence
};

struct Statistics {
  std::string client_id;
  std::int64_t time_ms = 0;         ///< wall clock at the snapshot
  std::int64_t age_us = 0;          ///< since the producer was created
  std::int64_t window_us = 0;       ///< the latency window: since the previous snapshot
  std::uint64_t snapshot = 0;       ///< 1, 2, ...

  /// Records: accepted = delivered + failed + in flight.
  std::uint64_t records_accepted = 0;
  std::uint64_t records_delivered = 0;
  std::uint64_t records_failed = 0;
  std::uint64_t records_in_flight = 0;
  std::array<std::uint64_t, kErrcCount> failed_by_cause{};  ///< index: the Errc

  std::uint64_t produce_requests = 0;
  std::uint64_t batches_sent = 0;   ///< a retried batch counts again
  std::uint64_t batch_retries = 0;
  std::uint64_t requests_in_flight = 0;
  std::uint64_t buffer_memory_used = 0;  ///< batch buffers holding records (buffer.memory)
  std::uint64_t buffer_memory = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;

  /// Where a record's time goes (librdkafka's names). The sender takes a
  /// record from its ring without a clock on the producing side, so the
  /// stages start when the sender took the batch's first record.
  LatencySummary int_latency;       ///< first record taken -> batch into a Produce request (per batch)
  LatencySummary outbuf;            ///< Produce request written -> the kernel took it (per request)
  LatencySummary rtt;               ///< the kernel took it -> answer read (per Produce request)
  LatencySummary report_latency;    ///< first record taken -> its report made (per record)

  std::vector<ThreadStats> threads;
  std::vector<BrokerStats> brokers;
  std::vector<PartitionStats> partitions;  ///< those with a record sealed
};

/// Called on the sender thread every statistics.interval.ms with the new
/// snapshot, valid for the call only. It must be quick: the sender waits.
/// Formatting it (to_json) allocates; reading fields does not.
using StatisticsCallback = void (*)(const Statistics& stats, void* context) noexcept;

/// The snapshot as librdkafka-style JSON: one object, the fields above under
/// their own names, latencies as {count, mean, min, p50, ...} in ns, brokers
/// and partitions as arrays. Throws std::bad_alloc only.
RINGKAFKA_API std::string to_json(const Statistics& stats);
/// Prometheus text exposition (version 0.0.4): counters with _total, gauges,
/// latencies as summaries in seconds, labels client_id, broker, topic,
/// partition.
RINGKAFKA_API std::string to_prometheus(const Statistics& stats);

}  // namespace ringkafka
