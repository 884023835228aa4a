#include "producer/transactions.h"

#include <algorithm>
#include <string>

#include "core/clock.h"
#include "core/futex.h"
#include "producer/waiting.h"

namespace ringkafka::transactions {
namespace {

using sender::Transaction;
using Admit = Transaction::Admit;

Error error(Errc code, ErrorKind kind, std::string message) {
  return Error{code, std::move(message), kind};
}

}  // namespace

TxnCalls::TxnCalls(handoff::Shared& shared) noexcept
    : shared_(shared), enabled_(!shared.settings.transactional_id.empty()) {
  if (enabled_) shared_.refuse(handoff::Shared::kRefuseNoTransaction);
}

Error TxnCalls::refusal(const char* call, const Transaction::Decision& d) {
  const std::string why = std::string(call) + " refused: " + d.why;
  switch (d.admit) {
    case Admit::kAbortable: return error(Errc::kState, ErrorKind::kAbortable, why);
    case Admit::kFatal: return error(Errc::kFatal, ErrorKind::kFatal, why);
    default: return error(Errc::kState, ErrorKind::kPermanent, why);
  }
}

void TxnCalls::post(handoff::TxnStep step) noexcept {
  shared_.txn.step = step;
  ++posted_;
  shared_.txn.posted.store(posted_, std::memory_order_release);  // after `step`
}

Result<std::monostate> TxnCalls::wait(const char* call, std::chrono::milliseconds timeout) {
  const std::int64_t deadline = core::deadline_after_ms(core::mono_ns(), timeout.count());
  waiting::Waiting waiting(shared_);
  while (true) {
    const std::uint32_t seen = shared_.progress.load(std::memory_order_acquire);
    if (shared_.txn.done.load(std::memory_order_acquire) == posted_) break;
    if (shared_.sender_exited.load(std::memory_order_acquire)) {
      // The sender may have finished the step on its way out.
      if (shared_.txn.done.load(std::memory_order_acquire) == posted_) break;
      return error(Errc::kClosed, ErrorKind::kFatal, std::string(call) + ": the producer is closed");
    }
    const std::int64_t now = core::mono_ns();
    if (now >= deadline) {
      return error(Errc::kTimedOut, ErrorKind::kRetriable,
                   std::string(call) + ": not finished within " + std::to_string(timeout.count()) +
                       " ms; it goes on, and calling " + call + "() again waits for it");
    }
    core::futex_wait(shared_.progress, seen,
                     std::min(deadline - now, handoff::Shared::kWaitSliceNs));
  }
  // The outcome was written before `done` (acquire above).
  const handoff::TxnChannel& ch = shared_.txn;
  if (ch.error == Errc::kOk) {
    machine_.step_done();
    return std::monostate{};
  }
  if (ch.kind == ErrorKind::kFatal) machine_.fatal_error();
  if (ch.kind == ErrorKind::kAbortable) machine_.abortable_error();
  return error(ch.error, ch.kind, ch.message);
}

Result<std::monostate> TxnCalls::init(std::chrono::milliseconds timeout) {
  constexpr const char* kCall = "init_transactions";
  if (!enabled_) {
    return error(Errc::kState, ErrorKind::kPermanent,
                 "init_transactions refused: the producer has no transactional.id");
  }
  std::unique_lock lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    return error(Errc::kState, ErrorKind::kRetriable,
                 "init_transactions refused: another transactional call is running on another "
                 "thread");
  }
  const Transaction::Decision d = machine_.call(Transaction::Call::kInit);
  if (d.admit == Admit::kStart) post(handoff::TxnStep::kInit);
  if (d.admit != Admit::kStart && d.admit != Admit::kResume) return refusal(kCall, d);
  return wait(kCall, timeout);
}

}  // namespace ringkafka::transactions
