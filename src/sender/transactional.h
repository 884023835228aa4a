// The sender's half of a transactional producer: it runs the steps the
// application posts (handoff::TxnChannel) against the transaction
// coordinator, and posts their outcomes.
//
//   init    FindCoordinator(transactional.id) on any ready connection,
//           then InitProducerId(transactional.id, transaction.timeout.ms)
//           to the coordinator: the producer id and epoch every batch of
//           every transaction carries (an open transaction of an earlier
//           instance is aborted by the coordinator first, and the earlier
//           instance fenced).
//   commit  every record accepted in the transaction delivered (lingering
//           batches go at once, as in flush()), then EndTxn(commit); a
//           record that failed makes the commit abortable instead.
//   abort   records not yet sent are reported kAborted, those in flight
//           answered, then EndTxn(abort).
//   send offsets  (consume-transform-produce) under version 1,
//           AddOffsetsToTxn(group) to the transaction coordinator; then
//           FindCoordinator(group) for the group's coordinator, and
//           TxnOffsetCommit with the offsets and the consumer's generation
//           and member id (KIP-447) to it; it holds them until EndTxn.
//   A transaction the coordinator never heard of ends without EndTxn
//   (Java does so too).
//
// The protocol is the coordinator's finalized transaction.version, decided
// at init and at the end of each transaction, never inside one:
//   2 (KIP-890 part 2, Kafka 4.x's default): Produce v12 adds partitions
//     itself; EndTxn v5 answers with the epoch of the next transaction,
//     under which sequences start again at 0.
//     The first batches of the next transaction wait until the
//     coordinator has completed this one (TxnGate::settling), rather than
//     at the broker.
//   1 (Kafka 3.x, 4.x formatted so): each partition is added with
//     AddPartitionsToTxn before its first batch (txn_partitions.h),
//     Produce stays at v11 and EndTxn at v4, and the epoch stays; an
//     abort after a batch failed is followed by InitProducerId(id, epoch),
//     which bumps it without fencing (KIP-360), never inside a
//     transaction (librdkafka #3575).
//
// Which request an error asks for (again, after FindCoordinator, or never)
// is txn_verdict()'s (transaction.h); the lookup's own state machine is
// coordinator.h.  Sender thread only.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "accumulator/accumulator.h"
#include "broker/brokers.h"
#include "core/timer_heap.h"
#include "handoff/shared.h"
#include "sender/coordinator.h"
#include "sender/producer_state.h"
#include "sender/transaction.h"
#include "sender/txn_gate.h"
#include "sender/txn_partitions.h"
#include "wire/txn_offsets.h"

namespace ringkafka::sender {

class Transactional {
  enum class Phase : std::uint8_t {
    kId,     // InitProducerId to the coordinator
    kDrain,  // waiting for the transaction's reports
    kEnd,    // EndTxn to the coordinator
    kBump,   // after an abort, transaction.version 1: InitProducerId(id, epoch)
    kAddOffsets,     // send offsets, transaction.version 1: AddOffsetsToTxn
    kCommitOffsets,  // send offsets: TxnOffsetCommit to the group coordinator
  };

 public:
  // Fatal errors are the loop's to record (Producer::fatal_error()).
  using Fatal = void (*)(void* context, const char* why) noexcept;

  Transactional(handoff::Shared& shared, ProducerState& pstate, broker::Brokers& brokers,
                accumulator::Accumulator& acc, core::TimerHeap& timers, TxnGate& gate,
                Fatal fatal, void* context) noexcept;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // Registers the timer and reserves the scratch; false when out of memory.
  [[nodiscard]] bool setup() noexcept;

  // A step posted by the application is taken (one acquire load when there
  // is none); true if one was.
  // Inline, as service(): both run every pass and almost never find work.
  bool take_step(std::int64_t now_ns) noexcept {
    const std::uint32_t posted = shared_.txn.posted.load(std::memory_order_acquire);
    if (posted == taken_) [[likely]] return false;
    return start_step(posted, now_ns);
  }
  // A commit or abort waits for its records' reports: true when they are
  // all in and the step moved on.
  bool service() noexcept {
    if (step_ == handoff::TxnStep::kNone || phase_ != Phase::kDrain) [[likely]] return false;
    return end_drain();
  }
  // Something may go on some connection now (a cheap test, every pass):
  // the step's own request, or partitions to add (transaction.version 1,
  // during a transaction or a commit's drain).
  [[nodiscard]] bool wants_to_send() const noexcept {
    return !in_flight_ && (step_wants_to_send() || gate_.adds_wanted || gate_.settling);
  }
  // Sends what the step needs next on `c`, if `c` is the connection for it.
  bool send(broker::Connection& c, std::int64_t now_ns, broker::ConnectionEvents& events) noexcept;

  // Answers and losses of our requests (FindCoordinator, InitProducerId,
  // AddPartitionsToTxn, EndTxn).
  void on_response(broker::Connection& c, const broker::InFlight& f,
                   std::span<const std::byte> body, std::int64_t now_ns) noexcept;
  void on_dropped(const broker::Connection& c, const broker::InFlight& f) noexcept;
  // The connection to the coordinator failed: find it again.
  void on_failed(const broker::Connection& c) noexcept;

  // The loop's purge: a step still running ends with `why`.
  void abandon(Errc error, const char* why) noexcept;

 private:
  void on_find_coordinator(std::span<const std::byte> body, std::int16_t version,
                           std::int64_t now_ns) noexcept;
  void on_init_producer_id(std::span<const std::byte> body, std::int16_t version,
                           std::int64_t now_ns) noexcept;
  void on_end_txn(std::span<const std::byte> body, std::int16_t version,
                  std::int64_t now_ns) noexcept;
  void on_add_partitions(std::span<const std::byte> body, std::int16_t version,
                         std::int64_t now_ns) noexcept;
  [[nodiscard]] bool step_wants_to_send() const noexcept {
    return step_ != handoff::TxnStep::kNone && phase_ != Phase::kDrain;
  }
  // transaction.version 2, after an EndTxn: the gate's `settling` is held
  // while DescribeTransactions shows the transaction still completing,
  // probed at once and then after concurrent_retry_ms() each, six probes
  // at most (about 30 ms); any other answer, an error or a lost request
  // opens it, leaving the wait to the broker as before.
  void start_settling(const broker::Connection& c, std::int64_t now_ns) noexcept;
  bool send_describe(broker::Connection& c, std::int64_t now_ns,
                     broker::ConnectionEvents& events) noexcept;
  void on_describe(std::span<const std::byte> body, std::int16_t version,
                   std::int64_t now_ns) noexcept;
  // Our one request goes (it was written into `c`'s send buffer).
  bool go(broker::Connection& c, const wire::Writer& w, const wire::RequestHeader& h,
          std::int64_t now_ns, broker::ConnectionEvents& events) noexcept;
  bool send_init(broker::Connection& c, bool bump, std::int64_t now_ns,
                 broker::ConnectionEvents& events) noexcept;
  bool send_end(broker::Connection& c, std::int64_t now_ns,
                broker::ConnectionEvents& events) noexcept;
  bool send_adds(broker::Connection& c, std::int64_t now_ns,
                 broker::ConnectionEvents& events) noexcept;
  bool send_add_offsets(broker::Connection& c, std::int64_t now_ns,
                        broker::ConnectionEvents& events) noexcept;
  // FindCoordinator for the group, or TxnOffsetCommit to it.
  bool send_offsets(broker::Connection& c, std::int64_t now_ns,
                    broker::ConnectionEvents& events) noexcept;
  void on_add_offsets(std::span<const std::byte> body, std::int16_t version,
                      std::int64_t now_ns) noexcept;
  void on_txn_offset_commit(std::span<const std::byte> body, std::int16_t version,
                            std::int64_t now_ns) noexcept;
  void on_find_group_coordinator(std::span<const std::byte> body, std::int16_t version,
                                 std::int64_t now_ns) noexcept;
  // A coordinator FindCoordinator named, added to the table if unknown;
  // false when it could not be.
  bool know_broker(std::int32_t node, std::string_view host, std::int32_t port) noexcept;
  // The transaction ended at the coordinator (or had nothing there): an
  // abort under transaction.version 1 bumps the epoch first if a batch
  // failed; otherwise the step is done.
  void ended() noexcept;
  // transaction.version of the coordinator's connection, into the gate.
  void decide_protocol(const broker::Connection& c) noexcept;
  bool start_step(std::uint32_t posted, std::int64_t now_ns) noexcept;
  bool end_drain() noexcept;
  void retry_after_backoff(std::int64_t now_ns) noexcept;
  // The same request again after retry.backoff.ms (an add refused with
  // CONCURRENT_TRANSACTIONS: sooner, from 1 ms); kRefind finds its coordinator
  // (the group's for TxnOffsetCommit) first.
  void again(TxnRequest request, TxnVerdict verdict, std::int16_t error_code,
             std::int64_t now_ns) noexcept;
  // The step ends: its outcome is posted and waiters woken.
  __attribute__((format(printf, 4, 5))) void finish(Errc error, ErrorKind kind, const char* fmt,
                                                    ...) noexcept;

  handoff::Shared& shared_;
  const config::Settings& s_;
  ProducerState& pstate_;
  broker::Brokers& brokers_;
  core::TimerHeap& timers_;
  TxnGate& gate_;
  Fatal fatal_;
  void* context_;
  const bool enabled_;

  accumulator::Accumulator& acc_;
  TxnPartitions partitions_;
  bool tv2_ = true;  // the protocol of the transaction now open
  handoff::TxnStep step_ = handoff::TxnStep::kNone;
  Phase phase_ = Phase::kId;
  bool flushing_ = false;  // holds Shared::flush_waiters for a commit
  // At the end of the last step: records accepted, and reports with an
  // error.  What came after belongs to the transaction now ending.
  std::uint64_t accepted_at_end_ = 0;
  std::uint64_t failed_at_end_ = 0;
  std::uint32_t step_number_ = 0;  // the posted number being run
  std::uint32_t taken_ = 0;        // the last number taken
  bool in_flight_ = false;         // our one request out
  bool finding_group_ = false;     // ... and it is the group's FindCoordinator
  // The transaction's consumed offsets reached their coordinator (it must
  // then end at the transaction coordinator, records or not).
  bool offsets_in_txn_ = false;
  std::int64_t not_before_ns_ = 0;  // retry.backoff.ms after a failed attempt
  // CONCURRENT_TRANSACTIONS answers to adds in a row (concurrent_retry_ms()).
  std::uint8_t concurrent_refusals_ = 0;
  std::uint8_t settle_probes_ = 0;  // DescribeTransactions sent since the EndTxn
  std::int64_t settle_not_before_ns_ = 0;
  CoordinatorLookup coordinator_;
  CoordinatorLookup group_coordinator_;
  std::string group_looked_up_;  // the group group_coordinator_ is for
  std::vector<wire::TxnOffset> offset_scratch_;
  std::vector<wire::TxnOffsetTopic> offset_topic_scratch_;
  core::Timer timer_{.kind = core::TimerKind::kTransaction};
};

}  // namespace ringkafka::sender
