// The application's side of the transactional calls (Producer::
// init_transactions() and the calls after it): which call fits which state
// (sender/transaction.h, under this object's lock), posting the step to
// the sender (handoff::TxnChannel) and waiting for its outcome within the
// caller's timeout.  A call that times out leaves its step running; made
// again, it waits for the same step (librdkafka's and Java's "resume").
//
// Control path only: calls lock and may sleep.  produce() never comes
// here; it sees only Shared::refusing's no-transaction bit.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <variant>

#include "handoff/shared.h"
#include "ringkafka/error.h"
#include "ringkafka/producer.h"
#include "sender/transaction.h"

namespace ringkafka::transactions {

class TxnCalls {
 public:
  // A transactional producer refuses records until a transaction opens.
  explicit TxnCalls(handoff::Shared& shared) noexcept;

  Result<std::monostate> init(std::chrono::milliseconds timeout);
  Result<std::monostate> begin();
  Result<std::monostate> send_offsets(std::span<const ConsumedOffset> offsets,
                                      const ConsumerGroupMetadata& group,
                                      std::chrono::milliseconds timeout);
  Result<std::monostate> commit(std::chrono::milliseconds timeout);
  Result<std::monostate> abort(std::chrono::milliseconds timeout);

 private:
  // The outcome of the step posted (or resumed) as number `step`, waited
  // for until the timeout.  `call` names the call in messages.
  Result<std::monostate> wait(const char* call, std::chrono::milliseconds timeout);
  void post(handoff::TxnStep step) noexcept;
  // commit and abort: the call admitted, records refused from now on,
  // produce() calls in progress waited out, then the step posted.
  Result<std::monostate> end(const char* call, sender::Transaction::Call which,
                             handoff::TxnStep step, std::chrono::milliseconds timeout);
  // Whether the call may run here (a transactional producer, no other
  // call running); the lock is taken if so.
  std::optional<Error> enter(const char* call, std::unique_lock<std::mutex>& lock);
  // The machine's refusal as an Error.
  static Error refusal(const char* call, const sender::Transaction::Decision& d);

  handoff::Shared& shared_;
  const bool enabled_;
  // Held by one call at a time; a second concurrent call is refused, not
  // queued (two commits at once are a caller's bug, never a hang).
  std::mutex mu_;
  sender::Transaction machine_;
  std::uint32_t posted_ = 0;  // the number of the last step posted
};

}  // namespace ringkafka::transactions
