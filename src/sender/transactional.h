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
//
// Which request an error asks for (again, after FindCoordinator, or never)
// is txn_verdict()'s (transaction.h); the lookup's own state machine is
// coordinator.h.  Sender thread only.
#pragma once

#include <cstdint>
#include <span>

#include "broker/brokers.h"
#include "core/timer_heap.h"
#include "handoff/shared.h"
#include "sender/coordinator.h"
#include "sender/producer_state.h"

namespace ringkafka::sender {

class Transactional {
 public:
  // Fatal errors are the loop's to record (Producer::fatal_error()).
  using Fatal = void (*)(void* context, const char* why) noexcept;

  Transactional(handoff::Shared& shared, ProducerState& pstate, broker::Brokers& brokers,
                core::TimerHeap& timers, Fatal fatal, void* context) noexcept;

  [[nodiscard]] bool enabled() const noexcept { return enabled_; }
  // Registers the timer; false when out of memory.
  [[nodiscard]] bool setup() noexcept;

  // A step posted by the application is taken (one acquire load when there
  // is none); true if one was.
  bool take_step(std::int64_t now_ns) noexcept;
  // Something may go on some connection now (a cheap test, every pass).
  [[nodiscard]] bool wants_to_send() const noexcept {
    return step_ != handoff::TxnStep::kNone && !in_flight_;
  }
  // Sends what the step needs next on `c`, if `c` is the connection for it.
  bool send(broker::Connection& c, std::int64_t now_ns, broker::ConnectionEvents& events) noexcept;

  // Answers and losses of our requests (FindCoordinator, InitProducerId).
  void on_response(broker::Connection& c, const broker::InFlight& f,
                   std::span<const std::byte> body, std::int64_t now_ns) noexcept;
  void on_dropped(const broker::Connection& c, const broker::InFlight& f) noexcept;
  // The connection to the coordinator failed: find it again.
  void on_failed(const broker::Connection& c) noexcept;
  // Our retry timer (TimerKind::kTransaction).
  void on_timer(std::int64_t now_ns) noexcept;

  // The loop's purge: a step still running ends with `why`.
  void abandon(Errc error, const char* why) noexcept;

 private:
  void on_find_coordinator(std::span<const std::byte> body, std::int16_t version,
                           std::int64_t now_ns) noexcept;
  void on_init_producer_id(std::span<const std::byte> body, std::int16_t version,
                           std::int64_t now_ns) noexcept;
  void retry_after_backoff(std::int64_t now_ns) noexcept;
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

  handoff::TxnStep step_ = handoff::TxnStep::kNone;
  std::uint32_t step_number_ = 0;  // the posted number being run
  std::uint32_t taken_ = 0;        // the last number taken
  bool in_flight_ = false;         // our one request out
  std::int64_t not_before_ns_ = 0;  // retry.backoff.ms after a failed attempt
  CoordinatorLookup coordinator_;
  core::Timer timer_{.kind = core::TimerKind::kTransaction};
};

}  // namespace ringkafka::sender
