// The test broker's state, kept under its lock: topics and partitions with
// what each remembers per producer, the faults scripted per node, the
// transaction coordinator, counters.  Shared by the socket loop
// (test_broker.cpp), the request handlers (dispatch.cpp) and the log a
// Produce request appends to (partition_log.cpp).  A test tool: it may
// allocate.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "compress/codec.h"
#include "server_codec.h"
#include "test_broker.h"
#include "txn_coordinator.h"
#include "wire/error_code.h"

namespace ringkafka::test_broker {

// The protocol's error codes, as the int16 the responses carry.
using wire::code;
constexpr std::int16_t kNone = code(wire::ErrorCode::kNone);
constexpr std::int16_t kCorruptMessage = code(wire::ErrorCode::kCorruptMessage);
constexpr std::int16_t kUnknownTopicOrPartition = code(wire::ErrorCode::kUnknownTopicOrPartition);
constexpr std::int16_t kNotLeaderOrFollower = code(wire::ErrorCode::kNotLeaderOrFollower);
constexpr std::int16_t kUnsupportedVersion = code(wire::ErrorCode::kUnsupportedVersion);
constexpr std::int16_t kOutOfOrderSequence = code(wire::ErrorCode::kOutOfOrderSequenceNumber);
constexpr std::int16_t kInvalidProducerEpoch = code(wire::ErrorCode::kInvalidProducerEpoch);
constexpr std::int16_t kInvalidTxnState = code(wire::ErrorCode::kInvalidTxnState);
constexpr std::int16_t kTransactionAbortable = code(wire::ErrorCode::kTransactionAbortable);

// What a broker remembers per producer and partition for idempotence: the
// last five batches, as Kafka does, to answer a retried one with its offset.
struct ProducerState {
  std::int16_t epoch = -1;
  std::int32_t next_sequence = 0;
  struct Entry {
    std::int32_t base_sequence;
    std::int32_t count;
    std::int64_t base_offset;
    std::int64_t max_timestamp;  // what Kafka answers a retry of it with (below)
  };
  std::deque<Entry> recent;
};

struct Partition {
  int leader = 1;
  std::int32_t leader_epoch = 0;
  std::int64_t high_watermark = 0;
  std::vector<StoredBatch> batches;
  std::map<std::int64_t, ProducerState> producers;
  std::int16_t scripted_error = kNone;
  int scripted_count = 0;
  bool scripted_store = false;
  std::string scripted_message;
  std::vector<std::pair<std::int32_t, std::string>> scripted_record_errors;
};

struct TestBroker::State {
  std::map<std::string, std::vector<Partition>> topics;
  std::vector<std::chrono::milliseconds> delay;  // per node
  std::vector<std::int32_t> throttle_ms;         // per node: throttle_time_ms in Produce answers
  std::vector<std::size_t> close_after;          // per node, 0 = off
  std::vector<int> drop;                         // per node
  std::vector<int> drop_after;                   // per node: answered first, then `drop` dropped
  std::vector<bool> down;                        // per node
  std::vector<std::size_t> cut_open;             // per node, 0 = off
  std::vector<std::vector<std::byte>> raw_reply;  // per node, empty = off
  std::vector<std::int16_t> raw_reply_key;        // per node: -1, any request
  // per node: the API key whose next answer is cut (-1 = off) and how much
  // of it after the correlation id stays
  std::vector<std::pair<std::int16_t, std::size_t>> truncate;
  std::set<std::string> hidden;                  // topics answered as unknown
  std::vector<bool> paused;                      // per node: not reading
  std::int16_t pid_error = 0;                    // InitProducerId's scripted answer
  int pid_error_count = 0;
  std::int64_t next_producer_id = 1000;
  TxnCoordinator txn;
  // Compressed batches are decompressed to check their records too.
  std::unique_ptr<compress::Decompressor> decompressor = compress::Decompressor::create();
  std::vector<std::byte> scratch;
  Counters counters;
  std::vector<std::string> errors;
};

// Checks and stores the batches of one partition's records field; returns
// the partition's answer.  Called with the broker's lock held.
ProducePartitionOut append(Partition& part, const std::string& where,
                           std::span<const std::byte> records, bool keep, Counters& counters,
                           std::vector<std::string>& errors, compress::Decompressor& decompressor,
                           std::vector<std::byte>& scratch, std::size_t window);

// What one request gets: an answer frame, none (acks=0, a dropped answer),
// or the connection closed (a request this broker does not speak).
struct TestBroker::Handled {
  std::vector<std::byte> response;
  bool answer = true;
  bool close = false;
};

}  // namespace ringkafka::test_broker
