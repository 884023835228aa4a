// The transaction state machine and the verdicts on coordinator errors,
// without a network (src/sender/transaction.h).
#include "sender/transaction.h"

#include <gtest/gtest.h>

#include <string>

namespace ringkafka::sender {
namespace {

using S = Transaction::State;
using A = Transaction::Admit;
using C = Transaction::Call;
using V = TxnVerdict;
using R = TxnRequest;

Transaction in(S target) {
  Transaction t;
  if (target == S::kUninitialized) return t;
  EXPECT_EQ(t.call(C::kInit).admit, A::kStart);
  if (target == S::kInitializing) return t;
  t.step_done();
  if (target == S::kReady) return t;
  EXPECT_EQ(t.call(C::kBegin).admit, A::kDone);
  if (target == S::kInTransaction) return t;
  if (target == S::kSendingOffsets) {
    EXPECT_EQ(t.call(C::kSendOffsets).admit, A::kStart);
    return t;
  }
  if (target == S::kCommitting) {
    EXPECT_EQ(t.call(C::kCommit).admit, A::kStart);
    return t;
  }
  if (target == S::kAborting) {
    EXPECT_EQ(t.call(C::kAbort).admit, A::kStart);
    return t;
  }
  if (target == S::kAbortableError) {
    t.abortable_error();
    return t;
  }
  t.fatal_error();
  return t;
}

TEST(Transaction, TheHappyPath) {
  Transaction t;
  EXPECT_EQ(t.state(), S::kUninitialized);
  EXPECT_EQ(t.call(C::kInit).admit, A::kStart);
  EXPECT_EQ(t.state(), S::kInitializing);
  t.step_done();
  EXPECT_EQ(t.state(), S::kReady);
  for (int round = 0; round < 2; ++round) {
    EXPECT_FALSE(t.open());
    EXPECT_EQ(t.call(C::kBegin).admit, A::kDone);
    EXPECT_TRUE(t.open());
    EXPECT_EQ(t.call(C::kProduce).admit, A::kDone);
    EXPECT_EQ(t.call(C::kSendOffsets).admit, A::kStart);
    EXPECT_EQ(t.state(), S::kSendingOffsets);
    EXPECT_TRUE(t.open()) << "records may still be produced";
    EXPECT_EQ(t.call(C::kProduce).admit, A::kDone);
    t.step_done();
    EXPECT_EQ(t.state(), S::kInTransaction);
    EXPECT_EQ(t.call(round == 0 ? C::kCommit : C::kAbort).admit, A::kStart);
    EXPECT_FALSE(t.open());
    t.step_done();
    EXPECT_EQ(t.state(), S::kReady);
  }
}

// A call made again while its own step runs waits for it (a timed-out
// call is finished so).
TEST(Transaction, CallsResumeTheirOwnStep) {
  EXPECT_EQ(in(S::kInitializing).call(C::kInit).admit, A::kResume);
  EXPECT_EQ(in(S::kCommitting).call(C::kCommit).admit, A::kResume);
  EXPECT_EQ(in(S::kAborting).call(C::kAbort).admit, A::kResume);
  EXPECT_EQ(in(S::kSendingOffsets).call(C::kSendOffsets).admit, A::kResume);
}

TEST(Transaction, MisuseIsRefusedWithTheReason) {
  struct Case {
    S state;
    C call;
    A admit;
    const char* why;
  };
  const Case cases[] = {
      {S::kUninitialized, C::kBegin, A::kRefused, "init_transactions() has not been called"},
      {S::kUninitialized, C::kProduce, A::kRefused, "init_transactions() has not been called"},
      {S::kUninitialized, C::kCommit, A::kRefused, "init_transactions() has not been called"},
      {S::kInitializing, C::kBegin, A::kRefused, "init_transactions() has not finished"},
      {S::kReady, C::kInit, A::kRefused, "already called"},
      {S::kReady, C::kCommit, A::kRefused, "no transaction is open"},
      {S::kReady, C::kAbort, A::kRefused, "no transaction is open"},
      {S::kReady, C::kProduce, A::kRefused, "no transaction is open"},
      {S::kInTransaction, C::kBegin, A::kRefused, "a transaction is open"},
      {S::kInTransaction, C::kInit, A::kRefused, "already called"},
      {S::kReady, C::kSendOffsets, A::kRefused, "no transaction is open"},
      {S::kSendingOffsets, C::kCommit, A::kRefused, "send_offsets_to_transaction() is under way"},
      {S::kSendingOffsets, C::kAbort, A::kRefused, "send_offsets_to_transaction() is under way"},
      {S::kCommitting, C::kSendOffsets, A::kRefused, "a commit is under way"},
      {S::kCommitting, C::kAbort, A::kRefused, "a commit is under way"},
      {S::kCommitting, C::kBegin, A::kRefused, "a commit is under way"},
      {S::kCommitting, C::kProduce, A::kRefused, "a commit is under way"},
      {S::kAborting, C::kCommit, A::kRefused, "an abort is under way"},
      {S::kAbortableError, C::kCommit, A::kAbortable, "can only be aborted"},
      {S::kAbortableError, C::kProduce, A::kAbortable, "can only be aborted"},
      {S::kAbortableError, C::kBegin, A::kAbortable, "can only be aborted"},
      {S::kFatalError, C::kAbort, A::kFatal, "fatal error"},
      {S::kFatalError, C::kInit, A::kFatal, "fatal error"},
  };
  for (const Case& c : cases) {
    Transaction t = in(c.state);
    const Transaction::Decision d = t.call(c.call);
    EXPECT_EQ(d.admit, c.admit) << Transaction::name(c.state) << " call " << static_cast<int>(c.call);
    EXPECT_NE(std::string(d.why).find(c.why), std::string::npos) << d.why;
    EXPECT_EQ(t.state(), c.state) << "a refused call moves nothing";
  }
}

TEST(Transaction, AnAbortableErrorLeavesOnlyAbort) {
  Transaction t = in(S::kCommitting);
  t.abortable_error();
  EXPECT_EQ(t.state(), S::kAbortableError);
  EXPECT_EQ(t.call(C::kAbort).admit, A::kStart);
  t.abortable_error();  // a late error of the transaction being aborted
  EXPECT_EQ(t.state(), S::kAborting);
  t.step_done();
  EXPECT_EQ(t.state(), S::kReady);
  t.abortable_error();  // of a transaction already ended
  EXPECT_EQ(t.state(), S::kReady);
}

TEST(Transaction, AFailedSendOffsetsLeavesOnlyAbort) {
  Transaction t = in(S::kSendingOffsets);
  t.abortable_error();
  EXPECT_EQ(t.state(), S::kAbortableError);
  EXPECT_EQ(t.call(C::kSendOffsets).admit, A::kAbortable);
  EXPECT_EQ(t.call(C::kAbort).admit, A::kStart);
}

TEST(Transaction, NothingLeavesFatal) {
  Transaction t = in(S::kFatalError);
  t.step_done();
  t.abortable_error();
  EXPECT_EQ(t.state(), S::kFatalError);
  for (C c : {C::kInit, C::kBegin, C::kSendOffsets, C::kCommit, C::kAbort, C::kProduce}) {
    EXPECT_EQ(t.call(c).admit, A::kFatal);
  }
}

TEST(TxnVerdict, CoordinatorErrors) {
  for (R r : {R::kInitProducerId, R::kAddPartitions, R::kEndTxn}) {
    EXPECT_EQ(txn_verdict(r, 0, false), V::kDone);
    EXPECT_EQ(txn_verdict(r, 16, false), V::kRefind);  // NOT_COORDINATOR
    EXPECT_EQ(txn_verdict(r, 15, false), V::kRefind);  // COORDINATOR_NOT_AVAILABLE
    EXPECT_EQ(txn_verdict(r, 14, false), V::kRetry);   // COORDINATOR_LOAD_IN_PROGRESS
    EXPECT_EQ(txn_verdict(r, 51, false), V::kRetry);   // CONCURRENT_TRANSACTIONS
    EXPECT_EQ(txn_verdict(r, 90, false), V::kFatal);   // PRODUCER_FENCED
    EXPECT_EQ(txn_verdict(r, 47, false), V::kFatal);   // INVALID_PRODUCER_EPOCH
    EXPECT_EQ(txn_verdict(r, 53, false), V::kFatal);   // TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    EXPECT_EQ(txn_verdict(r, 48, false), V::kFatal);   // INVALID_TXN_STATE
    EXPECT_EQ(txn_verdict(r, 50, false), V::kFatal);   // INVALID_TRANSACTION_TIMEOUT
    EXPECT_EQ(txn_verdict(r, 7, false), V::kRetry);    // REQUEST_TIMED_OUT: retriable
  }
  // Abortable inside a transaction; before one exists, init fails.
  EXPECT_EQ(txn_verdict(R::kAddPartitions, 29, false), V::kAbortable);
  EXPECT_EQ(txn_verdict(R::kAddOffsets, 30, false), V::kAbortable);
  EXPECT_EQ(txn_verdict(R::kAddPartitions, 59, false), V::kAbortable);
  EXPECT_EQ(txn_verdict(R::kInitProducerId, 59, false), V::kFatal);
  EXPECT_EQ(txn_verdict(R::kEndTxn, 120, false), V::kAbortable);  // TRANSACTION_ABORTABLE
  // ... but an abort that fails so is fatal (KAFKA-19250).
  EXPECT_EQ(txn_verdict(R::kEndTxn, 120, true), V::kFatal);
  // The group's errors on TxnOffsetCommit.
  for (std::int16_t e : {std::int16_t{22}, std::int16_t{25}, std::int16_t{82}}) {
    EXPECT_EQ(txn_verdict(R::kTxnOffsetCommit, e, false), V::kAbortable) << e;
  }
  // Anything else that is not retriable.
  EXPECT_EQ(txn_verdict(R::kAddPartitions, 87, false), V::kAbortable);  // INVALID_RECORD
  EXPECT_EQ(txn_verdict(R::kEndTxn, 87, true), V::kFatal);
  EXPECT_EQ(txn_verdict(R::kInitProducerId, 87, false), V::kFatal);
}

// An add refused because the last transaction's markers are still being
// written goes again soon, then backs off to Java's 20 ms.
TEST(Transaction, AConcurrentTransactionIsRetriedSoonThenAtJavasPace) {
  EXPECT_EQ(concurrent_retry_ms(0), 1);
  EXPECT_EQ(concurrent_retry_ms(1), 2);
  EXPECT_EQ(concurrent_retry_ms(4), 16);
  EXPECT_EQ(concurrent_retry_ms(5), 20);
  EXPECT_EQ(concurrent_retry_ms(200), 20);
}

}  // namespace
}  // namespace ringkafka::sender
