// The idempotent producer's state: producer id, epoch, and when a batch may
// go, as one explicit state machine whose decisions are pure functions of
// what they are shown (no batches, sockets or clock), unit-tested without a
// network (tests/unit/sender_producer_state_test.cpp).  Transactions will
// extend it.
//
//   no id ──InitProducerId ok──▶ ready ──a sealed batch lost or a sequence
//     ▲                           │  ▲    error──▶ bump wanted
//     └── retriable error ────────┘  │               │ nothing in flight and
//  (fatal error: the producer stops) └── ok (same id, │ no possibly-written
//                                         epoch + 1, │ batch queued
//                                         resequence)◀┘ InitProducerId(id, epoch)
//
// While a bump is wanted only batches the broker may already have (sealed,
// an attempt unanswered) go out, under their old epoch and sequences, so
// the broker can tell them for what they are; everything else waits and is
// restamped after the bump (KIP-360, as the Java client and librdkafka do).
// A producer without idempotence never has an id and every gate is open.
#pragma once

#include <cstdint>

#include "wire/error_code.h"

namespace ringkafka::sender {

// What the gates need to know about a batch and its partition.
struct BatchFacts {
  bool sealed = false;         // has its sequence (sealed on an earlier attempt)
  std::uint32_t attempts = 0;  // sends so far
  bool maybe_written = false;  // an attempt got no answer
};
struct PartitionFacts {
  std::uint32_t in_flight = 0;      // batches sent and unanswered
  std::int32_t in_flight_node = -1;  // where they went
  bool acked_in_epoch = false;       // a batch was acknowledged under this epoch
};

class ProducerState {
 public:
  enum class IdRequest : std::uint8_t { kNone, kNew, kBump };
  enum class IdOutcome : std::uint8_t { kReady, kReadyResequence, kRetry, kFatal };
  enum class Verdict : std::uint8_t {
    kAck,                 // written (or the broker already had it: DUPLICATE_SEQUENCE_NUMBER)
    kRetry,               // send it again after a backoff
    kFailMaybeWritten,    // a sequence error on a retry whose earlier answer was lost: report, do not resend
    kFail,                // report the broker's error
  };
  struct Outcome {
    Verdict verdict;
    bool refresh_metadata;  // a leadership error: ask for metadata (and use the KIP-951 hint)
    // The answer proves the batch is not in the log, though an earlier
    // attempt went unanswered: it is no longer "possibly written".
    bool not_written = false;
    // The error does not mean "not written": NOT_ENOUGH_REPLICAS_AFTER_APPEND
    // (in the leader's log, the ISR shrank before the acks) and
    // REQUEST_TIMED_OUT (the acks did not come in time).  The batch counts
    // as possibly written from now on: a bump waits for it, since
    // restamped under a new epoch it would be written twice.
    bool maybe_written = false;
    // A transactional producer cannot go on: fenced by a newer instance,
    // or not allowed.
    bool fatal = false;
  };

  // A transactional producer never bumps its epoch itself: the
  // coordinator does, at the end of every transaction (transaction.version
  // 2), and an error that would call for a bump fails the batch instead,
  // which makes the transaction abortable (librdkafka #3575 lost records
  // by bumping inside a transaction).
  explicit ProducerState(bool idempotent, bool transactional = false) noexcept
      : idempotent_(idempotent), transactional_(transactional) {}

  [[nodiscard]] bool idempotent() const noexcept { return idempotent_; }
  [[nodiscard]] bool has_id() const noexcept { return producer_id_ >= 0; }
  [[nodiscard]] std::int64_t producer_id() const noexcept { return producer_id_; }
  [[nodiscard]] std::int16_t producer_epoch() const noexcept { return producer_epoch_; }
  [[nodiscard]] bool bump_wanted() const noexcept { return bump_wanted_; }

  // May any Produce go out at all (an idempotent producer needs its id)?
  [[nodiscard]] bool may_produce() const noexcept { return !idempotent_ || has_id(); }

  // May this batch go to `node` now?
  [[nodiscard]] bool may_send(const BatchFacts& b, const PartitionFacts& p,
                              std::int32_t node) const noexcept;

  // May id_request() say anything but kNone?  Inline: asked every pass.
  [[nodiscard]] bool may_want_id() const noexcept { return idempotent_ && (!has_id() || bump_wanted_); }

  // Should an InitProducerId go out now, and which?  `quiet`: no Produce
  // answer can still come under the current epoch and no queued batch may
  // already be written (the caller need only look while bump_wanted()).
  [[nodiscard]] IdRequest id_request(bool quiet) const noexcept;

  // The InitProducerId answer: `decoded` false for a garbled one.
  IdOutcome on_init_producer_id(bool decoded, std::int16_t error_code, std::int64_t producer_id,
                                std::int16_t producer_epoch) noexcept;

  // A batch's result in a Produce answer.  `behind_a_retry`: an earlier
  // batch of its partition failed first and waits to go again.
  Outcome on_result(std::int16_t error_code, const BatchFacts& b, bool behind_a_retry) noexcept;

  // A sealed batch ended in an error report (timed out, retries spent, a
  // broker's refusal): its sequences will never arrive, so the partition
  // cannot go on without a bump.  Not for purged batches.  A transactional
  // producer only notes it: the transaction fails, and the bump comes
  // after its abort (sequences_broken()).
  void on_sealed_batch_failed() noexcept {
    if (!idempotent_) return;
    if (transactional_) {
      sequences_broken_ = true;
    } else {
      bump_wanted_ = true;
    }
  }
  // Transactional: a sealed batch failed since the epoch began, so the
  // next transaction needs a new epoch first.  Under transaction.version 2
  // every EndTxn gives one; under 1 the abort is followed by
  // InitProducerId(id, epoch) (KIP-360).
  [[nodiscard]] bool sequences_broken() const noexcept { return sequences_broken_; }

 private:
  bool idempotent_;
  bool transactional_;
  std::int64_t producer_id_ = -1;
  std::int16_t producer_epoch_ = -1;
  bool bump_wanted_ = false;
  bool sequences_broken_ = false;
};

}  // namespace ringkafka::sender
