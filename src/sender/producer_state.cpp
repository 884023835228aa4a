#include "sender/producer_state.h"

namespace ringkafka::sender {

namespace {

using wire::ErrorCode;

using wire::code;

bool is_leadership_error(std::int16_t c) noexcept {
  switch (static_cast<ErrorCode>(c)) {
    case ErrorCode::kNotLeaderOrFollower:
    case ErrorCode::kLeaderNotAvailable:
    case ErrorCode::kFencedLeaderEpoch:
    case ErrorCode::kUnknownLeaderEpoch:
    case ErrorCode::kUnknownTopicOrPartition:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ProducerState::may_send(const BatchFacts& b, const PartitionFacts& p,
                             std::int32_t node) const noexcept {
  if (!idempotent_) return true;
  // Retries go one at a time until the broker has the gap filled; new
  // batches wait behind them.
  if (b.sealed && b.attempts > 0 && p.in_flight > 0) return false;
  // While a bump is wanted, only batches the broker may already have go
  // out (see the header).
  if (bump_wanted_ && !(b.sealed && b.maybe_written)) return false;
  // A partition does not move to a new leader while batches sent to the
  // old one are unanswered: sent ahead of them, the next batch would reach
  // the new leader out of sequence.
  if (p.in_flight > 0 && p.in_flight_node != node) return false;
  // Nor does it pipeline before its first batch under this epoch is
  // acknowledged: a broker with no state for the producer accepts any
  // first sequence, so a second batch sent behind a first that fails
  // (NOT_ENOUGH_REPLICAS while followers catch up, say) would be written
  // ahead of it.
  if (!p.acked_in_epoch && p.in_flight > 0) return false;
  return true;
}

ProducerState::IdRequest ProducerState::id_request(bool quiet) const noexcept {
  if (!idempotent_) return IdRequest::kNone;
  if (!has_id()) return IdRequest::kNew;
  // The bump waits until no answer can still come under the old epoch and
  // no queued batch may already be written (restamped, it would be written
  // twice).
  if (bump_wanted_ && quiet) return IdRequest::kBump;
  return IdRequest::kNone;
}

ProducerState::IdOutcome ProducerState::on_init_producer_id(bool decoded, std::int16_t error_code,
                                                            std::int64_t producer_id,
                                                            std::int16_t producer_epoch) noexcept {
  if (!decoded) return IdOutcome::kRetry;
  // Not allowed an id (CLUSTER_AUTHORIZATION_FAILED, say): idempotence
  // cannot work with this cluster.
  if (error_code != 0 && !wire::error_info(error_code).retriable) return IdOutcome::kFatal;
  if (error_code != 0) return IdOutcome::kRetry;  // COORDINATOR_LOAD_IN_PROGRESS, typically
  producer_id_ = producer_id;
  producer_epoch_ = producer_epoch;
  sequences_broken_ = false;  // a new epoch: every sequence starts over
  if (!bump_wanted_) return IdOutcome::kReady;
  bump_wanted_ = false;
  return IdOutcome::kReadyResequence;
}

ProducerState::Outcome ProducerState::on_result(std::int16_t error_code, const BatchFacts& b,
                                                bool behind_a_retry) noexcept {
  if (error_code == 0 || error_code == code(ErrorCode::kDuplicateSequenceNumber)) {
    return {Verdict::kAck, false};
  }
  if (transactional_) {
    switch (static_cast<ErrorCode>(error_code)) {
      case ErrorCode::kProducerFenced:
      case ErrorCode::kTransactionalIdAuthorizationFailed:
      case ErrorCode::kClusterAuthorizationFailed:
      case ErrorCode::kUnsupportedVersion:
        return {Verdict::kFail, false, false, false, true};
      case ErrorCode::kConcurrentTransactions:
        return {Verdict::kRetry, false};
      // The transaction timed out on the coordinator (INVALID_PRODUCER_EPOCH),
      // was aborted there, or lost a sequence: it can only be aborted, and
      // the abort's new epoch starts the sequences over.
      case ErrorCode::kInvalidProducerEpoch:
      case ErrorCode::kTransactionAbortable:
      case ErrorCode::kInvalidTxnState:
      case ErrorCode::kOutOfOrderSequenceNumber:
      case ErrorCode::kUnknownProducerId:
        return {Verdict::kFail, false};
      default:
        break;
    }
  }
  const bool leadership = is_leadership_error(error_code);
  const bool out_of_order = error_code == code(ErrorCode::kOutOfOrderSequenceNumber);
  // A sequence gap (a batch before this one was lost) or a producer id the
  // broker forgot: the batch was not written, and goes again after the
  // bump.  Unless it only arrived ahead of an earlier batch that failed
  // first: then it follows that one under the same sequences.
  const bool sequence_error =
      idempotent_ && !(out_of_order && behind_a_retry) &&
      (out_of_order || error_code == code(ErrorCode::kUnknownProducerId));
  if (sequence_error) bump_wanted_ = true;
  if (out_of_order && behind_a_retry) {
    // An earlier batch of the partition was not written, and the broker
    // takes nothing past a gap: this one is not in the log either, even if
    // an earlier attempt's answer was lost (so it may be restamped).
    return {Verdict::kRetry, leadership, true};
  }
  if (sequence_error && b.maybe_written) {
    // An earlier attempt got no answer and the broker no longer knows the
    // batch: it may be in the log, and sent again under a new epoch it
    // could be written twice.  The application is told instead.
    return {Verdict::kFailMaybeWritten, leadership};
  }
  const bool may_be_in_log = error_code == code(ErrorCode::kNotEnoughReplicasAfterAppend) ||
                             error_code == code(ErrorCode::kRequestTimedOut);
  if (wire::error_info(error_code).retriable || sequence_error) {
    return {Verdict::kRetry, leadership, false, may_be_in_log};
  }
  return {Verdict::kFail, leadership, false, may_be_in_log};
}

}  // namespace ringkafka::sender
