// The topic table: per topic its partitions, their leaders (written by the
// sender's metadata module) and the batches waiting for them (the
// accumulator's).  Owned and touched only by the sender thread.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

#include "core/timer_heap.h"
#include "partition/partitioner.h"
#include "accumulator/batch.h"

namespace ringkafka::accumulator {

// A FIFO of batches through Batch::next.
struct BatchQueue {
  Batch* head = nullptr;
  Batch* tail = nullptr;

  [[nodiscard]] bool empty() const noexcept { return head == nullptr; }
  void push_back(Batch* b) noexcept {
    b->next = nullptr;
    if (tail != nullptr) {
      tail->next = b;
    } else {
      head = b;
    }
    tail = b;
  }
  Batch* pop_front() noexcept {
    Batch* b = head;
    if (b != nullptr) {
      head = b->next;
      if (head == nullptr) tail = nullptr;
      b->next = nullptr;
    }
    return b;
  }
  // Puts a batch that comes back for a retry before every batch sealed after
  // it, so a partition's batches go out again in their original order.
  void insert_by_order(Batch* b, std::uint64_t (*order)(const Batch*) noexcept) noexcept {
    Batch** at = &head;
    Batch* prev = nullptr;
    while (*at != nullptr && (*at)->is_sealed() && order(*at) < order(b)) {
      prev = *at;
      at = &(*at)->next;
    }
    b->next = *at;
    *at = b;
    if (b->next == nullptr) tail = b;
    (void)prev;
  }
  // Takes `b` out of the queue, wherever it is (false when it is not there).
  bool remove(Batch* b) noexcept {
    Batch* prev = nullptr;
    for (Batch** at = &head; *at != nullptr; prev = *at, at = &(*at)->next) {
      if (*at != b) continue;
      *at = b->next;
      if (tail == b) tail = prev;
      b->next = nullptr;
      return true;
    }
    return false;
  }
};

// A partition's place in the open transaction under transaction.version 1,
// where the coordinator must hear of it (AddPartitionsToTxn) before its
// first batch goes (sender/transactional.h).  Version 2 never looks.
enum class TxnMembership : std::uint8_t {
  kOut,      // not added yet
  kAdding,   // in an AddPartitionsToTxn request
  kIn,       // added: its batches may go
  kRefused,  // the coordinator refused it: the transaction can only abort
};

// What a partition's batches were, for the statistics (PartitionStats).
struct PartitionCounters {
  std::uint64_t records = 0;     // sealed into batches
  std::uint64_t batches = 0;
  std::uint64_t bytes = 0;       // their records, uncompressed
  std::uint64_t wire_bytes = 0;  // the sealed batches
  std::uint64_t max_batch_bytes = 0;
};

struct PartitionState {
  std::int32_t leader = -1;
  std::int32_t leader_epoch = -1;
  Batch* open = nullptr;        // being filled
  BatchQueue ready;             // closed, waiting for their leader (oldest first)
  std::uint32_t in_flight = 0;  // batches in Produce requests not yet answered
  std::int32_t in_flight_node = -1;  // the broker those requests went to
  bool acked_in_epoch = false;  // a batch was acknowledged under the current producer epoch
  TxnMembership txn = TxnMembership::kOut;
  std::int32_t next_sequence = 0;
  std::uint64_t next_batch_order = 0;  // seal order, for retries
  bool active = false;          // in the accumulator's active list
  std::uint32_t active_index = 0;  // where, while active
  // The next linger end, retry backoff or delivery timeout (accumulator.h).
  core::Timer timer;
  PartitionCounters counters;
};

// kDenied: Metadata said TOPIC_AUTHORIZATION_FAILED (no Describe ACL);
// records for it end at once, as the Java client's send() throws a
// TopicAuthorizationException, until a later Metadata answer says otherwise.
enum class TopicStatus : std::uint8_t { kUnknown, kOk, kMissing, kDenied };

struct TopicInfo {
  std::string name;
  TopicStatus status = TopicStatus::kUnknown;
  std::int64_t first_needed_ns = 0;  // a record first waited for its metadata
  std::int64_t missing_since_ns = 0;
  partition::TopicState partitioner;
  std::deque<PartitionState> partitions;  // stable addresses as it grows
  std::int32_t partition_count = 0;
  // Records that came before the topic's metadata (accumulator.h), in
  // batch buffers used as raw storage.
  BatchQueue parked;
  core::Timer timer;  // while records are parked: the first one's timeout
};

}  // namespace ringkafka::accumulator
