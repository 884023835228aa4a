#include "sender/transaction.h"

#include "wire/error_code.h"

namespace ringkafka::sender {
namespace {

using S = Transaction::State;
using A = Transaction::Admit;
using C = Transaction::Call;

constexpr Transaction::Decision kStart{A::kStart, ""};
constexpr Transaction::Decision kResume{A::kResume, ""};
constexpr Transaction::Decision kDoneNow{A::kDone, ""};

Transaction::Decision refused(const char* why) noexcept { return {A::kRefused, why}; }

// What each call meets in a state other than its own (the texts finish
// "<call> refused: ...").
Transaction::Decision elsewhere(S s) noexcept {
  switch (s) {
    case S::kUninitialized:
      return refused("init_transactions() has not been called");
    case S::kInitializing:
      return refused("init_transactions() has not finished (call it again to wait for it)");
    case S::kReady:
      return refused("no transaction is open (begin_transaction() opens one)");
    case S::kInTransaction:
      return refused("a transaction is open");
    case S::kSendingOffsets:
      return refused(
          "send_offsets_to_transaction() is under way (call it again to finish it)");
    case S::kCommitting:
      return refused("a commit is under way (call commit_transaction() again to finish it)");
    case S::kAborting:
      return refused("an abort is under way (call abort_transaction() again to finish it)");
    case S::kAbortableError:
      return {A::kAbortable, "the transaction failed and can only be aborted (abort_transaction())"};
    case S::kFatalError:
      return {A::kFatal, "the producer hit a fatal error (see Producer::fatal_error())"};
  }
  return refused("unknown state");
}

}  // namespace

Transaction::Decision Transaction::call(Call c) noexcept {
  if (state_ == S::kFatalError) return elsewhere(state_);
  switch (c) {
    case C::kInit:
      if (state_ == S::kUninitialized) {
        state_ = S::kInitializing;
        return kStart;
      }
      if (state_ == S::kInitializing) return kResume;
      return refused("init_transactions() was already called (once per producer)");
    case C::kBegin:
      if (state_ == S::kReady) {
        state_ = S::kInTransaction;
        return kDoneNow;
      }
      return elsewhere(state_);
    case C::kSendOffsets:
      if (state_ == S::kInTransaction) {
        state_ = S::kSendingOffsets;
        return kStart;
      }
      if (state_ == S::kSendingOffsets) return kResume;
      return elsewhere(state_);
    case C::kProduce:
      return open() ? kDoneNow : elsewhere(state_);
    case C::kCommit:
      if (state_ == S::kInTransaction) {
        state_ = S::kCommitting;
        return kStart;
      }
      if (state_ == S::kCommitting) return kResume;
      return elsewhere(state_);
    case C::kAbort:
      if (state_ == S::kInTransaction || state_ == S::kAbortableError) {
        state_ = S::kAborting;
        return kStart;
      }
      if (state_ == S::kAborting) return kResume;
      return elsewhere(state_);
  }
  return refused("unknown call");
}

void Transaction::step_done() noexcept {
  if (state_ == S::kInitializing || state_ == S::kCommitting || state_ == S::kAborting) {
    state_ = S::kReady;
  } else if (state_ == S::kSendingOffsets) {
    state_ = S::kInTransaction;
  }
}

void Transaction::abortable_error() noexcept {
  if (state_ == S::kInTransaction || state_ == S::kSendingOffsets || state_ == S::kCommitting) {
    state_ = S::kAbortableError;
  }
}

const char* Transaction::name(State s) noexcept {
  switch (s) {
    case S::kUninitialized: return "uninitialized";
    case S::kInitializing: return "initializing";
    case S::kReady: return "ready";
    case S::kInTransaction: return "in transaction";
    case S::kSendingOffsets: return "sending offsets";
    case S::kCommitting: return "committing";
    case S::kAborting: return "aborting";
    case S::kAbortableError: return "abortable error";
    case S::kFatalError: return "fatal error";
  }
  return "unknown";
}

const char* name(TxnRequest request) noexcept {
  switch (request) {
    case TxnRequest::kInitProducerId: return "InitProducerId";
    case TxnRequest::kAddPartitions: return "AddPartitionsToTxn";
    case TxnRequest::kAddOffsets: return "AddOffsetsToTxn";
    case TxnRequest::kTxnOffsetCommit: return "TxnOffsetCommit";
    case TxnRequest::kEndTxn: return "EndTxn";
  }
  return "unknown";
}

TxnVerdict txn_verdict(TxnRequest request, std::int16_t error_code, bool aborting) noexcept {
  using E = wire::ErrorCode;
  const auto e = static_cast<E>(error_code);
  switch (e) {
    case E::kNone:
      return TxnVerdict::kDone;
    case E::kNotCoordinator:
    case E::kCoordinatorNotAvailable:
      return TxnVerdict::kRefind;
    case E::kCoordinatorLoadInProgress:
    case E::kConcurrentTransactions:
      return TxnVerdict::kRetry;
    // Fenced, not allowed, or a broker we cannot speak to: nothing a new
    // transaction would change.
    case E::kInvalidProducerEpoch:
    case E::kProducerFenced:
    case E::kTransactionalIdAuthorizationFailed:
    case E::kClusterAuthorizationFailed:
    case E::kInvalidTxnState:
    case E::kInvalidTransactionTimeout:
    case E::kUnsupportedVersion:
    case E::kInvalidProducerIdMapping:
      return TxnVerdict::kFatal;
    case E::kTransactionAbortable:
      return aborting ? TxnVerdict::kFatal : TxnVerdict::kAbortable;
    default:
      break;
  }
  // Before a transaction exists an error cannot be "abortable": init fails.
  const bool in_transaction = request != TxnRequest::kInitProducerId;
  switch (error_code) {
    case 29:  // TOPIC_AUTHORIZATION_FAILED
    case 30:  // GROUP_AUTHORIZATION_FAILED
    case 59:  // UNKNOWN_PRODUCER_ID
      return in_transaction ? TxnVerdict::kAbortable : TxnVerdict::kFatal;
    case 55:  // OPERATION_NOT_ATTEMPTED: another partition of the request failed
      if (request == TxnRequest::kAddPartitions) return TxnVerdict::kRetry;
      break;
    case 22:  // ILLEGAL_GENERATION
    case 25:  // UNKNOWN_MEMBER_ID
    case 82:  // FENCED_INSTANCE_ID
      if (request == TxnRequest::kTxnOffsetCommit) return TxnVerdict::kAbortable;
      break;
    default:
      break;
  }
  if (wire::error_info(error_code).retriable) return TxnVerdict::kRetry;
  return in_transaction && !aborting ? TxnVerdict::kAbortable : TxnVerdict::kFatal;
}

}  // namespace ringkafka::sender
