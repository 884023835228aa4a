// Transactional's send-offsets step (KIP-447), the consume-transform-produce
// half of a transaction: under transaction.version 1 AddOffsetsToTxn to the
// transaction coordinator first, then FindCoordinator for the group and
// TxnOffsetCommit to the group's coordinator (transactional.h).
#include <algorithm>

#include "sender/error_name.h"
#include "sender/transactional.h"
#include "wire/find_coordinator.h"

namespace ringkafka::sender {

using broker::Connection;
using handoff::TxnStep;

bool Transactional::send_add_offsets(Connection& c, std::int64_t now_ns,
                                     broker::ConnectionEvents& events) noexcept {
  const std::int16_t v = std::min<std::int16_t>(c.version(wire::ApiKey::kAddOffsetsToTxn), 4);
  if (v < 0) {
    finish(Errc::kTransaction, ErrorKind::kFatal,
           "send_offsets_to_transaction: the coordinator (broker %d) has no AddOffsetsToTxn v3",
           c.node_id());
    return false;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kAddOffsetsToTxn, v);
  const wire::AddOffsetsToTxnRequest req{s_.transactional_id, pstate_.producer_id(),
                                         pstate_.producer_epoch(), group_looked_up_};
  if (!wire::encode_add_offsets_to_txn_request(w, h, req)) return false;
  return go(c, w, h, now_ns, events);
}

bool Transactional::send_offsets(Connection& c, std::int64_t now_ns,
                                 broker::ConnectionEvents& events) noexcept {
  const handoff::TxnOffsets& o = shared_.txn.offsets;
  if (group_coordinator_.state() != CoordinatorLookup::State::kKnown) {
    const std::int16_t v = c.version(wire::ApiKey::kFindCoordinator);
    if (!group_coordinator_.should_ask(now_ns) || v < 0) return false;
    wire::Writer w(c.send_buffer());
    const auto h = c.header(wire::ApiKey::kFindCoordinator, v);
    if (!wire::encode_find_coordinator_request(w, h, {o.group_id, wire::CoordinatorType::kGroup})) {
      return false;
    }
    group_coordinator_.asked();
    finding_group_ = true;
    return go(c, w, h, now_ns, events);
  }
  if (c.node_id() != group_coordinator_.node()) return false;
  std::int16_t v = c.version(wire::ApiKey::kTxnOffsetCommit);
  if (v < 0 || (tv2_ && v < 5)) {
    finish(Errc::kTransaction, ErrorKind::kFatal,
           "send_offsets_to_transaction: the group coordinator (broker %d) has no TxnOffsetCommit "
           "%s",
           c.node_id(), tv2_ ? "v5 (transaction.version 2)" : "v3 (KIP-447)");
    return false;
  }
  if (!tv2_) v = std::min<std::int16_t>(v, 4);
  // A control path: the scratch grows to the largest call seen.
  try {
    offset_scratch_.clear();
    offset_topic_scratch_.clear();
    for (const auto& e : o.entries) {
      offset_scratch_.push_back({e.partition, e.offset, e.leader_epoch, e.metadata});
    }
    for (std::size_t i = 0; i < o.entries.size();) {
      std::size_t j = i;
      while (j < o.entries.size() && o.entries[j].topic == o.entries[i].topic) ++j;
      offset_topic_scratch_.push_back(
          {o.entries[i].topic, std::span<const wire::TxnOffset>(offset_scratch_).subspan(i, j - i)});
      i = j;
    }
  } catch (...) {
    finish(Errc::kResource, ErrorKind::kRetriable, "%s",
           "send_offsets_to_transaction: out of memory");
    return false;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kTxnOffsetCommit, v);
  wire::TxnOffsetCommitRequest req;
  req.transactional_id = s_.transactional_id;
  req.group_id = o.group_id;
  req.producer_id = pstate_.producer_id();
  req.producer_epoch = pstate_.producer_epoch();
  req.generation_id = o.generation_id;
  req.member_id = o.member_id;
  if (!o.group_instance_id.empty()) req.group_instance_id = o.group_instance_id;
  req.topics = offset_topic_scratch_;
  if (!wire::encode_txn_offset_commit_request(w, h, req)) {
    finish(Errc::kInvalidArgument, ErrorKind::kPermanent,
           "send_offsets_to_transaction: %zu offsets do not fit in one request",
           o.entries.size());
    return false;
  }
  return go(c, w, h, now_ns, events);
}

void Transactional::on_find_group_coordinator(std::span<const std::byte> body,
                                              std::int16_t version, std::int64_t now_ns) noexcept {
  if (step_ != TxnStep::kSendOffsets) return;
  wire::FindCoordinatorResponse r;
  const bool decoded =
      wire::decode_find_coordinator_response(body, version, r) == wire::DecodeStatus::kOk;
  switch (group_coordinator_.on_answer(decoded, decoded ? r.error_code : -1, r.node_id, now_ns)) {
    case CoordinatorLookup::Outcome::kKnown:
      RK_DEBUG(s_.log, kEos, "group coordinator of \"%s\": node %d", group_looked_up_.c_str(), r.node_id);
      if (!know_broker(r.node_id, r.host, r.port)) {
        group_coordinator_.on_coordinator_lost();
        retry_after_backoff(now_ns);
      }
      return;
    case CoordinatorLookup::Outcome::kRetry:
      not_before_ns_ = group_coordinator_.not_before_ns();
      (void)timers_.arm_no_later(timer_, not_before_ns_);
      return;
    case CoordinatorLookup::Outcome::kFatal: {
      // GROUP_AUTHORIZATION_FAILED, typically: this transaction cannot
      // commit its offsets, the next may (another group).
      const ErrorName n(r.error_code);
      finish(Errc::kTransaction, ErrorKind::kAbortable,
             "send_offsets_to_transaction: FindCoordinator for group \"%s\" refused with %.*s; "
             "abort the transaction",
             group_looked_up_.c_str(), n.size(), n.data());
      return;
    }
  }
}

void Transactional::on_add_offsets(std::span<const std::byte> body, std::int16_t version,
                                   std::int64_t now_ns) noexcept {
  if (step_ != TxnStep::kSendOffsets || phase_ != Phase::kAddOffsets) return;
  std::int16_t code = -1;
  if (wire::decode_add_offsets_to_txn_response(body, version, code) != wire::DecodeStatus::kOk) {
    retry_after_backoff(now_ns);
    return;
  }
  const TxnVerdict verdict = txn_verdict(TxnRequest::kAddOffsets, code, false);
  if (verdict != TxnVerdict::kRetry) concurrent_refusals_ = 0;
  const ErrorName n(code);
  switch (verdict) {
    case TxnVerdict::kDone:
      offsets_in_txn_ = true;
      phase_ = Phase::kCommitOffsets;
      return;
    case TxnVerdict::kRefind:
    case TxnVerdict::kRetry:
      again(TxnRequest::kAddOffsets, verdict, code, now_ns);
      return;
    case TxnVerdict::kAbortable:
      finish(Errc::kTransaction, ErrorKind::kAbortable,
             "send_offsets_to_transaction: AddOffsetsToTxn for group \"%s\" refused with %.*s; "
             "abort the transaction",
             group_looked_up_.c_str(), n.size(), n.data());
      return;
    case TxnVerdict::kFatal:
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "send_offsets_to_transaction: AddOffsetsToTxn for transactional.id \"%s\" refused "
             "with %.*s",
             s_.transactional_id.c_str(), n.size(), n.data());
      return;
  }
}

void Transactional::on_txn_offset_commit(std::span<const std::byte> body, std::int16_t version,
                                         std::int64_t now_ns) noexcept {
  if (step_ != TxnStep::kSendOffsets || phase_ != Phase::kCommitOffsets) return;
  struct Worst final : wire::TxnOffsetCommitVisitor {
    void on_partition(std::string_view, std::int32_t, std::int16_t error) noexcept override {
      const TxnVerdict v = txn_verdict(TxnRequest::kTxnOffsetCommit, error, false);
      if (worse(v, verdict) != verdict) {
        verdict = v;
        code = error;
      }
    }
    TxnVerdict verdict = TxnVerdict::kDone;
    std::int16_t code = 0;
  } worst;
  if (wire::decode_txn_offset_commit_response(body, version, worst) != wire::DecodeStatus::kOk) {
    RK_DEBUG(s_.log, kEos, "garbled TxnOffsetCommit answer; again");
    retry_after_backoff(now_ns);
    return;
  }
  const ErrorName n(worst.code);
  switch (worst.verdict) {
    case TxnVerdict::kDone:
      offsets_in_txn_ = true;
      finish(Errc::kOk, ErrorKind::kPermanent, "%s", "");
      return;
    case TxnVerdict::kRefind:
    case TxnVerdict::kRetry:
      again(TxnRequest::kTxnOffsetCommit, worst.verdict, worst.code, now_ns);
      return;
    case TxnVerdict::kAbortable:
      finish(Errc::kTransaction, ErrorKind::kAbortable,
             "send_offsets_to_transaction: TxnOffsetCommit for group \"%s\" refused with %.*s%s; "
             "abort the transaction",
             group_looked_up_.c_str(), n.size(), n.data(),
             worst.code == wire::code(wire::ErrorCode::kIllegalGeneration) ||
                     worst.code == wire::code(wire::ErrorCode::kUnknownMemberId) ||
                     worst.code == wire::code(wire::ErrorCode::kFencedInstanceId)
                 ? " (the consumer was fenced by a rebalance)"
                 : "");
      return;
    case TxnVerdict::kFatal:
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "send_offsets_to_transaction: TxnOffsetCommit for transactional.id \"%s\" refused "
             "with %.*s",
             s_.transactional_id.c_str(), n.size(), n.data());
      return;
  }
}

}  // namespace ringkafka::sender
