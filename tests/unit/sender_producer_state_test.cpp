// The idempotent producer's state machine without a network: every gate of
// may_send(), the InitProducerId requests and answers, and each Produce
// result's verdict, as the sender would meet them.
#include "sender/producer_state.h"

#include <gtest/gtest.h>

namespace rs = ringkafka::sender;
namespace w = ringkafka::wire;
using PS = rs::ProducerState;

namespace {

using w::code;

constexpr rs::BatchFacts kNew{false, 0, false};                // never sent
constexpr rs::BatchFacts kRetry{true, 1, false};               // sealed, answered with an error
constexpr rs::BatchFacts kMaybeWritten{true, 1, true};         // sealed, its answer lost
constexpr rs::PartitionFacts kIdle{0, -1, false};
constexpr rs::PartitionFacts kAckedIdle{0, -1, true};

PS ready() {
  PS ps(true);
  EXPECT_EQ(ps.on_init_producer_id(true, 0, 7000, 0), PS::IdOutcome::kReady);
  return ps;
}

TEST(SenderProducerState, WithoutIdempotenceEveryGateIsOpen) {
  PS ps(false);
  EXPECT_TRUE(ps.may_produce());
  EXPECT_EQ(ps.id_request(true), PS::IdRequest::kNone);
  EXPECT_TRUE(ps.may_send(kRetry, {3, 2, false}, 1));
  ps.on_sealed_batch_failed();
  EXPECT_FALSE(ps.bump_wanted());
  EXPECT_EQ(ps.on_result(code(w::ErrorCode::kOutOfOrderSequenceNumber), kRetry, false).verdict,
            PS::Verdict::kFail) << "no sequences without idempotence: a plain error";
}

TEST(SenderProducerState, AnIdComesFirstAndItsErrorsAreRetriedOrFatal) {
  PS ps(true);
  EXPECT_FALSE(ps.may_produce());
  EXPECT_EQ(ps.id_request(false), PS::IdRequest::kNew);
  EXPECT_EQ(ps.on_init_producer_id(false, 0, 0, 0), PS::IdOutcome::kRetry) << "a garbled answer";
  EXPECT_EQ(ps.on_init_producer_id(true, code(w::ErrorCode::kCoordinatorLoadInProgress), -1, -1),
            PS::IdOutcome::kRetry);
  EXPECT_FALSE(ps.has_id());
  EXPECT_EQ(ps.on_init_producer_id(true, code(w::ErrorCode::kClusterAuthorizationFailed), -1, -1),
            PS::IdOutcome::kFatal);
  EXPECT_EQ(ps.on_init_producer_id(true, 0, 42, 3), PS::IdOutcome::kReady);
  EXPECT_TRUE(ps.may_produce());
  EXPECT_EQ(ps.producer_id(), 42);
  EXPECT_EQ(ps.producer_epoch(), 3);
  EXPECT_EQ(ps.id_request(true), PS::IdRequest::kNone);
}

TEST(SenderProducerState, TheGatesKeepEachPartitionInSequence) {
  const PS ps = ready();
  EXPECT_TRUE(ps.may_send(kNew, kIdle, 1));
  // Not pipelined before the epoch's first acknowledgement, then pipelined.
  EXPECT_FALSE(ps.may_send(kNew, {1, 1, false}, 1));
  EXPECT_TRUE(ps.may_send(kNew, {1, 1, true}, 1));
  // Not to a new leader while the old one has batches unanswered.
  EXPECT_FALSE(ps.may_send(kNew, {1, 1, true}, 2));
  EXPECT_TRUE(ps.may_send(kNew, {0, 1, true}, 2));
  // A retry goes alone.
  EXPECT_FALSE(ps.may_send(kRetry, {1, 1, true}, 1));
  EXPECT_TRUE(ps.may_send(kRetry, kAckedIdle, 1));
}

TEST(SenderProducerState, ASequenceGapBumpsTheEpochOnceNothingCanStillAnswer) {
  PS ps = ready();
  const auto o = ps.on_result(code(w::ErrorCode::kOutOfOrderSequenceNumber), kRetry, false);
  EXPECT_EQ(o.verdict, PS::Verdict::kRetry);
  EXPECT_FALSE(o.refresh_metadata);
  EXPECT_TRUE(ps.bump_wanted());
  // Meanwhile only a batch the broker may have goes out, under its old
  // sequences; new batches and plain retries wait for the bump.
  EXPECT_FALSE(ps.may_send(kNew, kAckedIdle, 1));
  EXPECT_FALSE(ps.may_send(kRetry, kAckedIdle, 1));
  EXPECT_TRUE(ps.may_send(kMaybeWritten, kAckedIdle, 1));
  // The bump waits for quiet (nothing in flight, nothing possibly written queued).
  EXPECT_EQ(ps.id_request(false), PS::IdRequest::kNone);
  EXPECT_EQ(ps.id_request(true), PS::IdRequest::kBump);
  EXPECT_EQ(ps.on_init_producer_id(true, 0, 7000, 1), PS::IdOutcome::kReadyResequence);
  EXPECT_FALSE(ps.bump_wanted());
  EXPECT_EQ(ps.producer_epoch(), 1);
  EXPECT_TRUE(ps.may_send(kNew, kIdle, 1));
}

TEST(SenderProducerState, EachResultHasItsVerdict) {
  struct Case {
    w::ErrorCode error;
    rs::BatchFacts batch;
    bool behind_a_retry;
    PS::Verdict verdict;
    bool bump;
    bool refresh;
  };
  const Case cases[] = {
      {w::ErrorCode::kNone, kNew, false, PS::Verdict::kAck, false, false},
      {w::ErrorCode::kDuplicateSequenceNumber, kMaybeWritten, false, PS::Verdict::kAck, false, false},
      {w::ErrorCode::kNotLeaderOrFollower, kRetry, false, PS::Verdict::kRetry, false, true},
      {w::ErrorCode::kNotEnoughReplicas, kRetry, false, PS::Verdict::kRetry, false, false},
      {w::ErrorCode::kMessageTooLarge, kRetry, false, PS::Verdict::kFail, false, false},
      {w::ErrorCode::kUnknownProducerId, kRetry, false, PS::Verdict::kRetry, true, false},
      // Arrived ahead of an earlier batch that failed first: follows it, no bump.
      {w::ErrorCode::kOutOfOrderSequenceNumber, kRetry, true, PS::Verdict::kRetry, false, false},
      {w::ErrorCode::kOutOfOrderSequenceNumber, kMaybeWritten, true, PS::Verdict::kRetry, false, false},
      // Its earlier answer was lost and the broker no longer knows it: told, not resent.
      {w::ErrorCode::kOutOfOrderSequenceNumber, kMaybeWritten, false, PS::Verdict::kFailMaybeWritten,
       true, false},
  };
  for (const Case& c : cases) {
    PS ps = ready();
    const auto o = ps.on_result(code(c.error), c.batch, c.behind_a_retry);
    const auto name = w::error_info(code(c.error)).name;
    EXPECT_EQ(o.verdict, c.verdict) << name;
    EXPECT_EQ(ps.bump_wanted(), c.bump) << name;
    EXPECT_EQ(o.refresh_metadata, c.refresh) << name;
  }
}

TEST(SenderProducerState, AGapBeforeAPossiblyWrittenBatchProvesItWasNotWritten) {
  // Issue 13, defect 2: while a bump waits, a possibly-written batch behind
  // an answered retry goes first to learn its fate.  OUT_OF_ORDER there
  // means the broker took nothing past the earlier batch's gap: the batch
  // is not in the log, stops counting as possibly written, and the bump
  // (which waits for no such batch to be queued) can start.
  PS ps = ready();
  ps.on_sealed_batch_failed();  // another partition's loss wants the bump
  const auto o = ps.on_result(code(w::ErrorCode::kOutOfOrderSequenceNumber), kMaybeWritten, true);
  EXPECT_EQ(o.verdict, PS::Verdict::kRetry);
  EXPECT_TRUE(o.not_written);
  // Not behind a retry, the same answer proves nothing: the broker may
  // have it beyond its last five batches.
  const auto alone = ps.on_result(code(w::ErrorCode::kOutOfOrderSequenceNumber), kMaybeWritten, false);
  EXPECT_EQ(alone.verdict, PS::Verdict::kFailMaybeWritten);
  EXPECT_FALSE(alone.not_written);
}

TEST(SenderProducerState, AnErrorAfterTheAppendLeavesTheBatchPossiblyWritten) {
  // NOT_ENOUGH_REPLICAS_AFTER_APPEND: the leader has it in its log; so may
  // a broker that answers REQUEST_TIMED_OUT.  Retried under the same epoch
  // and sequence, the broker recognises it (DUPLICATE_SEQUENCE_NUMBER);
  // restamped after a bump it would be written twice, so it must count as
  // possibly written.  Plain NOT_ENOUGH_REPLICAS was refused before the
  // append.
  PS ps = ready();
  for (const auto e : {w::ErrorCode::kNotEnoughReplicasAfterAppend, w::ErrorCode::kRequestTimedOut}) {
    const auto o = ps.on_result(code(e), kRetry, false);
    EXPECT_EQ(o.verdict, PS::Verdict::kRetry) << w::error_info(code(e)).name;
    EXPECT_TRUE(o.maybe_written) << w::error_info(code(e)).name;
  }
  EXPECT_FALSE(ps.on_result(code(w::ErrorCode::kNotEnoughReplicas), kRetry, false).maybe_written);
  EXPECT_FALSE(ps.on_result(code(w::ErrorCode::kNotLeaderOrFollower), kRetry, false).maybe_written);
}

TEST(SenderProducerState, ASealedBatchThatFailedAsksForABump) {
  PS ps = ready();
  ps.on_sealed_batch_failed();
  EXPECT_TRUE(ps.bump_wanted());
  EXPECT_EQ(ps.id_request(true), PS::IdRequest::kBump);
}

// A transactional producer never bumps inside a transaction: what would
// ask for a bump fails the batch (the commit becomes abortable), fencing
// is fatal, CONCURRENT_TRANSACTIONS is retried.
TEST(SenderProducerState, ATransactionalProducerFailsWhatAnIdempotentOneWouldBumpFor) {
  PS ps(true, true);
  ASSERT_EQ(ps.on_init_producer_id(true, 0, 7000, 0), PS::IdOutcome::kReady);
  for (auto e : {w::ErrorCode::kOutOfOrderSequenceNumber, w::ErrorCode::kUnknownProducerId,
                 w::ErrorCode::kInvalidProducerEpoch, w::ErrorCode::kTransactionAbortable,
                 w::ErrorCode::kInvalidTxnState}) {
    const PS::Outcome o = ps.on_result(code(e), kNew, false);
    EXPECT_EQ(o.verdict, PS::Verdict::kFail) << code(e);
    EXPECT_FALSE(o.fatal) << code(e);
  }
  for (auto e : {w::ErrorCode::kProducerFenced, w::ErrorCode::kTransactionalIdAuthorizationFailed,
                 w::ErrorCode::kClusterAuthorizationFailed}) {
    const PS::Outcome o = ps.on_result(code(e), kNew, false);
    EXPECT_EQ(o.verdict, PS::Verdict::kFail) << code(e);
    EXPECT_TRUE(o.fatal) << code(e);
  }
  EXPECT_EQ(ps.on_result(code(w::ErrorCode::kConcurrentTransactions), kNew, false).verdict,
            PS::Verdict::kRetry);
  ps.on_sealed_batch_failed();
  EXPECT_FALSE(ps.bump_wanted());
  EXPECT_EQ(ps.id_request(true), PS::IdRequest::kNone);
  EXPECT_TRUE(ps.may_send(kNew, kAckedIdle, 1));
  // The idempotent producer's answer to the same gap, for contrast.
  PS plain = ready();
  EXPECT_EQ(plain.on_result(code(w::ErrorCode::kOutOfOrderSequenceNumber), kNew, false).verdict,
            PS::Verdict::kRetry);
  EXPECT_TRUE(plain.bump_wanted());
}

}  // namespace
