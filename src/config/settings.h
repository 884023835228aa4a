// The validated, typed form of a Config: what Producer::create hands to the
// rest of the producer.  Only parse_settings() makes one, so every field is
// in range and every combination is consistent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "config/log.h"
#include "config/security.h"
#include "partition/partitioner.h"
#include "ringkafka/config.h"
#include "ringkafka/statistics.h"
#include "ringkafka/error.h"
#include "wire/record_batch.h"

namespace ringkafka::config {

// What the sender does when a pass over rings and sockets found nothing
// (io/idle.h): Aeron's busy-spin, yielding and back-off strategies.
enum class IdleStrategy : std::uint8_t { kSpin, kYield, kBackoff };

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

struct Settings {
  // --- keys shared with the Java client and librdkafka -----------------------
  std::vector<HostPort> bootstrap_servers;   // bootstrap.servers (required)
  std::string client_id = "ringkafka";       // client.id
  std::int16_t acks = -1;                    // acks: 0, 1, -1 ("all")
  std::int64_t linger_ms = 5;                // linger.ms
  std::int32_t batch_size = 16384;           // batch.size
  std::int64_t buffer_memory = 32LL << 20;   // buffer.memory
  std::int64_t max_block_ms = 60000;         // max.block.ms
  wire::Compression compression = wire::Compression::kNone;  // compression.type
  int compression_level = 0;                 // compression.level; the codec's default if unset
  bool enable_idempotence = true;            // enable.idempotence (resolved with acks)
  std::int32_t max_in_flight = 5;            // max.in.flight.requests.per.connection
  std::int32_t retries = 2147483647;         // retries
  std::int64_t retry_backoff_ms = 100;       // retry.backoff.ms
  std::int64_t retry_backoff_max_ms = 1000;  // retry.backoff.max.ms
  std::int64_t delivery_timeout_ms = 120000; // delivery.timeout.ms
  std::int64_t request_timeout_ms = 30000;   // request.timeout.ms
  std::int64_t metadata_max_age_ms = 300000; // metadata.max.age.ms
  std::int64_t reconnect_backoff_ms = 50;    // reconnect.backoff.ms
  std::int64_t reconnect_backoff_max_ms = 1000;        // reconnect.backoff.max.ms
  std::int64_t socket_connection_setup_timeout_ms = 10000;  // socket.connection.setup.timeout.ms
  std::int32_t receive_message_max_bytes = 100000000;  // receive.message.max.bytes
  std::int64_t topic_metadata_propagation_max_ms = 30000;   // topic.metadata.propagation.max.ms
  bool allow_auto_create_topics = true;      // allow.auto.create.topics
  partition::Kind partitioner = partition::Kind::kSticky;   // partitioner
  std::int32_t max_request_size = 1048576;   // max.request.size (alias message.max.bytes)
  std::string transactional_id;              // transactional.id ("" : not transactional)
  std::int32_t transaction_timeout_ms = 60000;  // transaction.timeout.ms
  Security security;                         // security.protocol, ssl.*, sasl.* (config/security.h)
  int log_level = 6;                         // log_level (syslog's 0-7)
  std::int32_t statistics_interval_ms = 0;   // statistics.interval.ms (0: no callback)
  std::uint32_t debug = 0;                   // debug (config/log.h's contexts)

  // --- ringkafka's own --------------------------------------------------------
  std::size_t ring_bytes = 4U << 20;           // ring.bytes: per producing thread, power of two
  // Not a key: the ring for records above ring_bytes / 8, derived from
  // max.request.size (4096, its minimum, when no record can need it).
  std::size_t large_ring_bytes = 4U << 20;
  std::uint32_t report_queue_size = 16384;     // report.queue.size: per thread, power of two
  std::uint32_t max_producer_threads = 64;     // producer.threads.max
  std::uint32_t max_topics = 1024;             // topics.max
  int sender_cpu = -1;                         // sender.cpu (-1: not pinned)
  IdleStrategy idle_strategy = IdleStrategy::kBackoff;  // sender.idle.strategy
  std::int64_t idle_spin_us = 50;              // sender.idle.spin.us (backoff only)
  std::int64_t idle_yield_us = 50;             // sender.idle.yield.us (backoff only)
  std::int64_t idle_park_min_us = 10;          // sender.idle.park.min.us (backoff only)
  std::int64_t idle_park_max_us = 1000;        // sender.idle.park.max.us (backoff only)
  bool uring_sqpoll = false;                   // io_uring.sqpoll
  std::uint32_t uring_entries = 256;           // io_uring.entries
  bool large_pages = false;                    // memory.large.pages
  std::int32_t test_first_sequence = 0;        // test.first.sequence (tests only)

  // --- not keys -----------------------------------------------------------------
  DeliveryCallback callback = nullptr;
  void* callback_context = nullptr;
  Log log;  // log_level, debug, Config::log_callback and error_callback
  StatisticsCallback statistics_callback = nullptr;
  void* statistics_context = nullptr;
};

// Checks every key and value in `config` and resolves defaults and
// combinations.  Errors are kInvalidConfig, naming the key, the value and
// what is allowed.
Result<Settings> parse_settings(const Config& config);

}  // namespace ringkafka::config
