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

std::optional<Error> TxnCalls::enter(const char* call, std::unique_lock<std::mutex>& lock) {
  if (!enabled_) {
    return error(Errc::kState, ErrorKind::kPermanent,
                 std::string(call) + " refused: the producer has no transactional.id");
  }
  lock = std::unique_lock(mu_, std::try_to_lock);
  if (!lock.owns_lock()) {
    return error(Errc::kState, ErrorKind::kRetriable,
                 std::string(call) + " refused: another transactional call is running on another thread");
  }
  return std::nullopt;
}

Result<std::monostate> TxnCalls::init(std::chrono::milliseconds timeout) {
  constexpr const char* kCall = "init_transactions";
  std::unique_lock<std::mutex> lock;
  if (auto e = enter(kCall, lock)) return *std::move(e);
  const Transaction::Decision d = machine_.call(Transaction::Call::kInit);
  if (d.admit == Admit::kStart) post(handoff::TxnStep::kInit);
  if (d.admit != Admit::kStart && d.admit != Admit::kResume) return refusal(kCall, d);
  return wait(kCall, timeout);
}

Result<std::monostate> TxnCalls::begin() {
  constexpr const char* kCall = "begin_transaction";
  std::unique_lock<std::mutex> lock;
  if (auto e = enter(kCall, lock)) return *std::move(e);
  const Transaction::Decision d = machine_.call(Transaction::Call::kBegin);
  if (d.admit != Admit::kDone) return refusal(kCall, d);
  // Local, as in Java: the coordinator hears of the transaction with its
  // first record (Produce v12) or at its end.
  shared_.admit(handoff::Shared::kRefuseNoTransaction);
  return std::monostate{};
}

Result<std::monostate> TxnCalls::send_offsets(std::span<const ConsumedOffset> offsets,
                                              const ConsumerGroupMetadata& group,
                                              std::chrono::milliseconds timeout) {
  constexpr const char* kCall = "send_offsets_to_transaction";
  std::unique_lock<std::mutex> lock;
  if (auto e = enter(kCall, lock)) return *std::move(e);
  if (group.group_id.empty()) {
    return error(Errc::kInvalidArgument, ErrorKind::kPermanent,
                 std::string(kCall) + " refused: the consumer group id is empty");
  }
  for (const ConsumedOffset& o : offsets) {
    if (o.topic.empty() || o.partition < 0 || o.offset < 0) {
      return error(Errc::kInvalidArgument, ErrorKind::kPermanent,
                   std::string(kCall) + " refused: offset " + std::to_string(o.offset) +
                       " for partition " + std::to_string(o.partition) + " of topic \"" +
                       std::string(o.topic) + "\" (a topic, a partition >= 0 and an offset >= 0 "
                       "are needed)");
    }
  }
  const Transaction::Decision d = machine_.call(Transaction::Call::kSendOffsets);
  if (d.admit == Admit::kStart) {
    if (offsets.empty()) {
      // Nothing to commit (Java and librdkafka return at once too).
      machine_.step_done();
      return std::monostate{};
    }
    // Copied for the sender, grouped by topic as the request nests them;
    // the step reads them until it is done.
    handoff::TxnOffsets& out = shared_.txn.offsets;
    out.group_id = group.group_id;
    out.generation_id = group.generation_id;
    out.member_id = group.member_id;
    out.group_instance_id = group.group_instance_id;
    out.entries.clear();
    for (const ConsumedOffset& o : offsets) {
      out.entries.push_back({std::string(o.topic), o.partition, o.offset, o.leader_epoch,
                             std::string(o.metadata)});
    }
    std::stable_sort(out.entries.begin(), out.entries.end(),
                     [](const auto& a, const auto& b) { return a.topic < b.topic; });
    post(handoff::TxnStep::kSendOffsets);
  }
  if (d.admit != Admit::kStart && d.admit != Admit::kResume) return refusal(kCall, d);
  return wait(kCall, timeout);
}

Result<std::monostate> TxnCalls::commit(std::chrono::milliseconds timeout) {
  return end("commit_transaction", Transaction::Call::kCommit, handoff::TxnStep::kCommit, timeout);
}

Result<std::monostate> TxnCalls::abort(std::chrono::milliseconds timeout) {
  return end("abort_transaction", Transaction::Call::kAbort, handoff::TxnStep::kAbort, timeout);
}

Result<std::monostate> TxnCalls::end(const char* call, Transaction::Call which,
                                     handoff::TxnStep step, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock;
  if (auto e = enter(call, lock)) return *std::move(e);
  const Transaction::Decision d = machine_.call(which);
  if (d.admit == Admit::kStart) {
    // Every record accepted before this call belongs to the transaction:
    // none is taken from here on, and one on its way in (between
    // produce()'s check and its commit) is waited out, so that the rings
    // hold all of them and nothing else when the sender takes the step.
    shared_.refuse(handoff::Shared::kRefuseNoTransaction);
    waiting::wait_for_producers(shared_);
    post(step);
  }
  if (d.admit != Admit::kStart && d.admit != Admit::kResume) return refusal(call, d);
  return wait(call, timeout);
}

}  // namespace ringkafka::transactions
