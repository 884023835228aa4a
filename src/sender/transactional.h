// The sender's half of a transactional producer: it runs the steps the
// application posts (handoff::TxnChannel) against the transaction
// coordinator, and posts their outcomes.
//
//   init    FindCoordinator(transactional.id) on any ready connection,
//           then InitProducerId(transactional.id, transaction.timeout.ms)
//           to the coordinator: the producer id and epoch every batch of
//           every transaction carries (an open transaction of an earlier
//           instance is aborted by the coordinator first, and the earlier
//           instance fenced).  The cluster must run transaction.version 2
//           (KIP-890 part 2: Kafka 4.x's default); version 1 comes next.
//   commit  every record accepted in the transaction delivered (lingering
//           batches go at once, as in flush()), then EndTxn(commit); a
//           record that failed makes the commit abortable instead.
//   abort   records not yet sent are reported kAborted, those in flight
//           answered, then EndTxn(abort).
//   A transaction with no record ends without EndTxn (Java does so too).
//   EndTxn v5 answers with the epoch of the next transaction; sequences
//   start again at 0 under it.
//
// Which request an error asks for (again, after FindCoordinator, or never)
// is txn_verdict()'s (transaction.h); the lookup's own state machine is
// coordinator.h.  Sender thread only.
#pragma once

#include <cstdint>
#include <span>

#include "accumulator/accumulator.h"
#include "broker/brokers.h"
#include "core/timer_heap.h"
#include "handoff/shared.h"
#include "sender/coordinator.h"
#include "sender/producer_state.h"
#include "sender/transaction.h"

namespace ringkafka::sender {

class Transactional {
  enum class Phase : std::uint8_t {
    kId,     // InitProducerId to the coordinator
    kDrain,  // waiting for the transaction's reports
    kEnd,    // EndTxn to the coordinator
  };

 public:
  // Fatal errors are the loop's to record (Producer::fatal_error()).
  using Fatal = void (*)(void* context, const char* why) noexcept;

  Transactional(handoff::Shared& shared, ProducerState& pstate, broker::Brokers& brokers,
                accumulator::Accumulator& acc, core::TimerHeap& timers, Fatal fatal,
                void* context) noexcept;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // Registers the timer; false when out of memory.
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
  // Something may go on some connection now (a cheap test, every pass).
  [[nodiscard]] bool wants_to_send() const noexcept {
    return step_ != handoff::TxnStep::kNone && phase_ != Phase::kDrain && !in_flight_;
  }
  // Sends what the step needs next on `c`, if `c` is the connection for it.
  bool send(broker::Connection& c, std::int64_t now_ns, broker::ConnectionEvents& events) noexcept;

  // Answers and losses of our requests (FindCoordinator, InitProducerId).
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
  bool start_step(std::uint32_t posted, std::int64_t now_ns) noexcept;
  bool end_drain() noexcept;
  void retry_after_backoff(std::int64_t now_ns) noexcept;
  // The same request again after retry.backoff.ms; kRefind finds the
  // coordinator first.
  void again(TxnVerdict verdict, std::int16_t error_code, const char* request,
             std::int64_t now_ns) noexcept;
  // The step ends: its outcome is posted and waiters woken.
  __attribute__((format(printf, 4, 5))) void finish(Errc error, ErrorKind kind, const char* fmt,
                                                    ...) noexcept;

  handoff::Shared& shared_;
  const config::Settings& s_;
  ProducerState& pstate_;
  broker::Brokers& brokers_;
  core::TimerHeap& timers_;
  Fatal fatal_;
  void* context_;
  const bool enabled_;

  accumulator::Accumulator& acc_;
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
  std::int64_t not_before_ns_ = 0;  // retry.backoff.ms after a failed attempt
  CoordinatorLookup coordinator_;
  core::Timer timer_{.kind = core::TimerKind::kTransaction};
};

}  // namespace ringkafka::sender
