// The transactional producer's state (Java's TransactionManager is the
// model; ../shared/reference/transactions.md §1), as pure transitions: the
// application's calls and the coordinator's answers go in, the next state
// and a verdict come out.  No sockets, no clock, no locks of its own: the
// caller holds whatever lock guards it, and the tests need no network
// (tests/unit/sender_transaction_test.cpp).
//
//   uninitialized ─init─▶ initializing ─id─▶ ready ─begin─▶ in transaction ◀─done─┐
//                                              ▲               │ │ send_offsets    │
//                                              │               │ └──▶ sending offsets
//                                              │               ▼ commit / abort
//                                              └──done── committing | aborting
//   in transaction | sending offsets | committing ──abortable error──▶
//       abortable error ─abort─▶ aborting
//   any ──fatal error──▶ fatal (nothing leaves it: the producer must go)
//
// A call made again while its own step runs (init while initializing,
// commit while committing, abort while aborting) resumes it: that is how a
// timed-out call is finished (librdkafka's and Java's rule).
#pragma once

#include <cstdint>

namespace ringkafka::sender {

class Transaction {
 public:
  enum class State : std::uint8_t {
    kUninitialized,
    kInitializing,
    kReady,
    kInTransaction,
    kSendingOffsets,  // in transaction, with send_offsets_to_transaction() under way
    kCommitting,
    kAborting,
    kAbortableError,
    kFatalError,
  };
  enum class Call : std::uint8_t { kInit, kBegin, kSendOffsets, kCommit, kAbort, kProduce };

  // What a call does in a state.
  enum class Admit : std::uint8_t {
    kStart,    // begins its step (the state moved)
    kResume,   // its step is already running: wait for it again
    kDone,     // nothing to wait for (begin)
    kRefused,  // misuse; why() says which
    kAbortable,  // the transaction cannot commit: abort it
    kFatal,    // the producer is in its fatal state
  };
  struct Decision {
    Admit admit;
    const char* why;  // static text; empty when admitted
  };

  [[nodiscard]] State state() const noexcept { return state_; }
  // Records may be produced (the hot path reads a flag the caller keeps
  // from this).
  [[nodiscard]] bool open() const noexcept {
    return state_ == State::kInTransaction || state_ == State::kSendingOffsets;
  }

  // The application calls: admitted or not, and the state moves if so.
  Decision call(Call c) noexcept;

  // The step under way ended well: initializing, committing or aborting
  // become ready; sending offsets goes back into the transaction.
  void step_done() noexcept;
  // Something failed the open transaction: it can only be aborted.  In
  // aborting or ready (a late error of an ended transaction) it is ignored.
  void abortable_error() noexcept;
  void fatal_error() noexcept { state_ = State::kFatalError; }

  [[nodiscard]] static const char* name(State s) noexcept;

 private:
  State state_ = State::kUninitialized;
};

// What an error in an answer of the transaction coordinator (or the group
// coordinator, for TxnOffsetCommit) means for the request
// (../shared/reference/transactions.md §1).
enum class TxnRequest : std::uint8_t {
  kInitProducerId,
  kAddPartitions,
  kAddOffsets,
  kTxnOffsetCommit,
  kEndTxn,
};
// The request's name, for messages ("AddPartitionsToTxn").
[[nodiscard]] const char* name(TxnRequest request) noexcept;
enum class TxnVerdict : std::uint8_t {
  kDone,       // no error
  kRetry,      // the same request again, after retry.backoff.ms
  kRefind,     // the coordinator moved: FindCoordinator, then again
  kAbortable,  // the transaction must be aborted
  kFatal,      // the producer cannot go on
};
// Of two verdicts (partitions of one answer), the one that weighs more, in
// the order above.
[[nodiscard]] constexpr TxnVerdict worse(TxnVerdict a, TxnVerdict b) noexcept {
  return static_cast<std::uint8_t>(a) >= static_cast<std::uint8_t>(b) ? a : b;
}
// `aborting`: the request belongs to an abort (an abort that itself fails
// with TRANSACTION_ABORTABLE is fatal: KAFKA-19250's endless loop).
[[nodiscard]] TxnVerdict txn_verdict(TxnRequest request, std::int16_t error_code,
                                     bool aborting) noexcept;

// The wait before an add (AddPartitionsToTxn, AddOffsetsToTxn) refused with
// CONCURRENT_TRANSACTIONS goes again, after `refusals` such answers in a
// row (0 for the first): the coordinator is still writing the markers of
// the transaction that just ended, which takes a millisecond or two on
// one node and more across a cluster.  1, 2, 4, 8, 16 ms, then 20 ms
// each: Java's fixed 20 ms (KAFKA-5477) is most of a short transaction's
// time.  The same schedule paces transaction.version 2's DescribeTransactions
// probes for the same markers (Transactional::start_settling).
[[nodiscard]] constexpr std::int64_t concurrent_retry_ms(unsigned refusals) noexcept {
  return refusals >= 5 ? 20 : std::int64_t{1} << refusals;
}

}  // namespace ringkafka::sender
