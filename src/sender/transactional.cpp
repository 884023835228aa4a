#include "sender/transactional.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <utility>

#include "core/clock.h"
#include "sender/error_name.h"
#include "sender/transaction.h"
#include "wire/error_code.h"
#include "wire/describe_transactions.h"
#include "wire/end_txn.h"
#include "wire/find_coordinator.h"
#include "wire/init_producer_id.h"

namespace ringkafka::sender {
namespace {

using broker::Connection;
using handoff::TxnStep;

}  // namespace

Transactional::Transactional(handoff::Shared& shared, ProducerState& pstate,
                             broker::Brokers& brokers, accumulator::Accumulator& acc,
                             core::TimerHeap& timers, TxnGate& gate, Fatal fatal,
                             void* context) noexcept
    : shared_(shared),
      s_(shared.settings),
      pstate_(pstate),
      brokers_(brokers),
      timers_(timers),
      gate_(gate),
      fatal_(fatal),
      context_(context),
      enabled_(!shared.settings.transactional_id.empty()),
      acc_(acc),
      partitions_(acc, gate),
      coordinator_(core::ms_to_ns(shared.settings.retry_backoff_ms)),
      group_coordinator_(core::ms_to_ns(shared.settings.retry_backoff_ms)) {}

bool Transactional::setup() noexcept {
  if (!enabled_) return true;
  try {
    partitions_.setup();
  } catch (...) {
    return false;
  }
  return timers_.add_timers(1);
}

void Transactional::decide_protocol(const Connection& c) noexcept {
  tv2_ = c.transaction_version() >= 2;
  gate_.add_first = !tv2_;
  gate_.max_produce_version = tv2_ ? INT16_MAX : std::int16_t{11};
  RK_DEBUG(s_.log, kEos, "transaction.version %d at the coordinator", c.transaction_version());
}

bool Transactional::start_step(std::uint32_t posted, std::int64_t now_ns) noexcept {
  taken_ = posted;
  step_number_ = posted;
  step_ = shared_.txn.step;  // written before `posted` (release)
  not_before_ns_ = now_ns;
  RK_DEBUG(s_.log, kEos, "transaction step %u (%d) taken", posted, static_cast<int>(step_));
  switch (step_) {
    case TxnStep::kInit:
      phase_ = Phase::kId;
      break;
    case TxnStep::kSendOffsets:
      // Version 2: TxnOffsetCommit v5 adds the group itself.
      phase_ = tv2_ ? Phase::kCommitOffsets : Phase::kAddOffsets;
      if (group_looked_up_ != shared_.txn.offsets.group_id) {
        // Another group, another coordinator.  (A control path: the copy
        // may allocate.)
        group_coordinator_ = CoordinatorLookup(core::ms_to_ns(s_.retry_backoff_ms));
        try {
          group_looked_up_ = shared_.txn.offsets.group_id;
        } catch (...) {
          finish(Errc::kResource, ErrorKind::kRetriable, "%s",
                 "send_offsets_to_transaction: out of memory");
        }
      }
      break;
    case TxnStep::kCommit:
      // Lingering batches go at once, as for flush().
      shared_.flush_waiters.fetch_add(1, std::memory_order_acq_rel);
      flushing_ = true;
      phase_ = Phase::kDrain;
      break;
    case TxnStep::kAbort:
      // What was not sent is not sent: the caller set the no-transaction
      // bit and waited out produce() calls in progress, so the rings hold
      // only this transaction's records.
      acc_.purge(Errc::kAborted, "the record's transaction was aborted", now_ns, core::wall_ms());
      phase_ = Phase::kDrain;
      break;
    case TxnStep::kNone:
      break;
  }
  return true;
}

bool Transactional::end_drain() noexcept {
  const bool commit = step_ == TxnStep::kCommit;
  if (commit && partitions_.refused() != 0) {
    // Its records wait behind a shut gate until the abort.
    const ErrorName n(partitions_.refused());
    finish(Errc::kTransaction, ErrorKind::kAbortable,
           "commit_transaction: AddPartitionsToTxn refused a partition of the transaction with "
           "%.*s; abort the transaction",
           n.size(), n.data());
    return true;
  }
  // An add in flight is waited for too: its answer says whether the
  // coordinator knows of the transaction.
  if (shared_.outstanding() != 0 || in_flight_) return false;
  // Consumed offsets in the transaction: it ends at the coordinator.
  // Nothing reached the coordinator: nothing to end there.  Under version 2
  // any record produced may have (Produce v12 adds the partition before it
  // appends); under 1 only an add did.
  const bool empty = !offsets_in_txn_ && (tv2_ ? shared_.accepted_total() == accepted_at_end_
                                                : partitions_.added() == 0);
  if (empty) {
    ended();
    return true;
  }
  const std::uint64_t failed =
      shared_.counters.records_failed.load(std::memory_order_relaxed) - failed_at_end_;
  if (commit && failed != 0) {
    finish(Errc::kTransaction, ErrorKind::kAbortable,
           "commit_transaction: %llu of the transaction's records failed (their delivery reports "
           "say why); abort the transaction",
           static_cast<unsigned long long>(failed));
    return true;
  }
  phase_ = Phase::kEnd;
  return true;
}

bool Transactional::send(Connection& c, std::int64_t now_ns,
                         broker::ConnectionEvents& events) noexcept {
  if (!wants_to_send() || !c.can_send()) return false;
  if (!step_wants_to_send() && !gate_.adds_wanted) {  // the settle probe alone
    if (coordinator_.state() != CoordinatorLookup::State::kKnown) {
      gate_.settling = false;  // not worth a lookup: the broker waits as before
      return false;
    }
    if (now_ns < settle_not_before_ns_ || c.node_id() != coordinator_.node()) return false;
    return send_describe(c, now_ns, events);
  }
  if (now_ns < not_before_ns_) return false;
  // The group coordinator's part of sending offsets: elsewhere perhaps.
  if (step_ == TxnStep::kSendOffsets && phase_ == Phase::kCommitOffsets) {
    return send_offsets(c, now_ns, events);
  }
  const std::string_view id = s_.transactional_id;
  if (coordinator_.state() != CoordinatorLookup::State::kKnown) {
    // Any broker answers FindCoordinator.
    const std::int16_t v = c.version(wire::ApiKey::kFindCoordinator);
    if (!coordinator_.should_ask(now_ns) || v < 0) return false;
    wire::Writer w(c.send_buffer());
    const auto h = c.header(wire::ApiKey::kFindCoordinator, v);
    if (!wire::encode_find_coordinator_request(w, h, {id, wire::CoordinatorType::kTransaction})) {
      return false;
    }
    coordinator_.asked();
    return go(c, w, h, now_ns, events);
  }
  if (c.node_id() != coordinator_.node()) return false;
  if (step_ == TxnStep::kNone || phase_ == Phase::kDrain) return send_adds(c, now_ns, events);
  if (phase_ == Phase::kEnd) return send_end(c, now_ns, events);
  if (phase_ == Phase::kAddOffsets) return send_add_offsets(c, now_ns, events);
  return send_init(c, phase_ == Phase::kBump, now_ns, events);
}

bool Transactional::go(Connection& c, const wire::Writer& w, const wire::RequestHeader& h,
                       std::int64_t now_ns, broker::ConnectionEvents& events) noexcept {
  in_flight_ = true;  // before the send: a failing send drops it (on_dropped)
  c.send(w.position(), h, true, nullptr, now_ns, events);
  return true;
}

bool Transactional::send_end(Connection& c, std::int64_t now_ns,
                             broker::ConnectionEvents& events) noexcept {
  // The protocol of the transaction now ending, decided when it began.
  std::int16_t v = c.version(wire::ApiKey::kEndTxn);
  if (tv2_ && v < 5) {
    finish(Errc::kTransaction, ErrorKind::kFatal,
           "%s: the coordinator (broker %d) has no EndTxn v5 (transaction.version 2)",
           step_ == TxnStep::kCommit ? "commit_transaction" : "abort_transaction", c.node_id());
    return false;
  }
  if (!tv2_) v = std::min<std::int16_t>(v, 4);
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kEndTxn, v);
  const wire::EndTxnRequest req{s_.transactional_id, pstate_.producer_id(),
                                pstate_.producer_epoch(), step_ == TxnStep::kCommit};
  if (!wire::encode_end_txn_request(w, h, req)) return false;
  return go(c, w, h, now_ns, events);
}

bool Transactional::send_init(Connection& c, bool bump, std::int64_t now_ns,
                              broker::ConnectionEvents& events) noexcept {
  const std::int16_t v = c.version(wire::ApiKey::kInitProducerId);
  if (v < (bump ? 3 : 0)) {
    finish(Errc::kTransaction, ErrorKind::kFatal,
           bump ? "abort_transaction: the coordinator (broker %d) has no InitProducerId v3 to "
                  "renew the epoch after a failed batch (KIP-360)"
                : "init_transactions: the coordinator (broker %d) has no InitProducerId version "
                  "of ours",
           c.node_id());
    return false;
  }
  if (!bump) decide_protocol(c);  // for the first transaction
  const std::string_view id = s_.transactional_id;
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kInitProducerId, v);
  wire::InitProducerIdRequest req;
  req.transactional_id = &id;
  req.transaction_timeout_ms = s_.transaction_timeout_ms;
  if (bump) {
    // KIP-360: this instance's own next epoch, not a fence of itself.
    req.producer_id = pstate_.producer_id();
    req.producer_epoch = pstate_.producer_epoch();
  }
  if (!wire::encode_init_producer_id_request(w, h, req)) return false;
  return go(c, w, h, now_ns, events);
}

bool Transactional::send_adds(Connection& c, std::int64_t now_ns,
                              broker::ConnectionEvents& events) noexcept {
  if (!gate_.adds_wanted) return false;
  const std::int16_t v = c.version(wire::ApiKey::kAddPartitionsToTxn);
  if (v < 0) {
    gate_.adds_wanted = false;
    fatal_(context_, "the transaction coordinator has no AddPartitionsToTxn v3 "
                     "(transaction.version 1 needs it)");
    return false;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kAddPartitionsToTxn, v);
  if (!partitions_.encode(w, h, s_.transactional_id, pstate_.producer_id(),
                          pstate_.producer_epoch())) {
    return false;
  }
  return go(c, w, h, now_ns, events);
}

void Transactional::on_response(Connection&, const broker::InFlight& f,
                                std::span<const std::byte> body, std::int64_t now_ns) noexcept {
  in_flight_ = false;
  if (f.key == wire::ApiKey::kFindCoordinator) {
    if (std::exchange(finding_group_, false)) {
      on_find_group_coordinator(body, f.version, now_ns);
    } else {
      on_find_coordinator(body, f.version, now_ns);
    }
  } else if (f.key == wire::ApiKey::kAddOffsetsToTxn) {
    on_add_offsets(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kTxnOffsetCommit) {
    on_txn_offset_commit(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kInitProducerId) {
    on_init_producer_id(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kEndTxn) {
    on_end_txn(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kAddPartitionsToTxn) {
    on_add_partitions(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kDescribeTransactions) {
    on_describe(body, f.version, now_ns);
  }
}

void Transactional::on_add_partitions(std::span<const std::byte> body, std::int16_t version,
                                      std::int64_t now_ns) noexcept {
  const TxnPartitions::Outcome o = partitions_.on_answer(body, version);
  if (o.verdict != TxnVerdict::kRetry) concurrent_refusals_ = 0;
  switch (o.verdict) {
    case TxnVerdict::kDone:
      return;
    case TxnVerdict::kAbortable:  // the refused partitions' gates stay shut
      RK_DEBUG(s_.log, kEos, "AddPartitionsToTxn: %s; the transaction can only abort",
               ErrorName(o.error_code).data());
      return;
    case TxnVerdict::kRefind:
    case TxnVerdict::kRetry:
      again(TxnRequest::kAddPartitions, o.verdict, o.error_code, now_ns);
      return;
    case TxnVerdict::kFatal: {
      char why[sizeof shared_.txn.message];
      const ErrorName n(o.error_code);
      std::snprintf(why, sizeof why,
                    "AddPartitionsToTxn for transactional.id \"%s\" refused with %.*s",
                    s_.transactional_id.c_str(), n.size(), n.data());
      fatal_(context_, why);
      return;
    }
  }
}

void Transactional::on_end_txn(std::span<const std::byte> body, std::int16_t version,
                               std::int64_t now_ns) noexcept {
  if (phase_ != Phase::kEnd) return;  // the step ended meanwhile (close)
  const bool commit = step_ == TxnStep::kCommit;
  const char* call = commit ? "commit_transaction" : "abort_transaction";
  wire::EndTxnResponse r;
  if (wire::decode_end_txn_response(body, version, r) != wire::DecodeStatus::kOk) {
    // Its outcome is unknown: never assumed, asked again (the coordinator
    // knows a retried EndTxn).
    RK_DEBUG(s_.log, kEos, "garbled EndTxn answer; again");
    retry_after_backoff(now_ns);
    return;
  }
  const ErrorName n(r.error_code);
  const TxnVerdict verdict = txn_verdict(TxnRequest::kEndTxn, r.error_code, !commit);
  switch (verdict) {
    case TxnVerdict::kDone:
      if (version >= 5 && r.producer_id >= 0 && r.producer_epoch >= 0) {
        // The next transaction's id and epoch; its sequences start at 0.
        (void)pstate_.on_init_producer_id(true, 0, r.producer_id, r.producer_epoch);
        acc_.restamp_all(r.producer_id, r.producer_epoch);
      }
      RK_DEBUG(s_.log, kEos, "%s done; next epoch %d", call, pstate_.producer_epoch());
      if (version >= 5) {
        if (const Connection* c = brokers_.find(coordinator_.node()); c != nullptr) {
          start_settling(*c, now_ns);
        }
      }
      ended();
      return;
    case TxnVerdict::kRefind:
    case TxnVerdict::kRetry:
      again(TxnRequest::kEndTxn, verdict, r.error_code, now_ns);
      return;
    case TxnVerdict::kAbortable:
      finish(Errc::kTransaction, ErrorKind::kAbortable, "%s: EndTxn refused with %.*s; abort the transaction",
             call, n.size(), n.data());
      return;
    case TxnVerdict::kFatal: {
      // The usual causes, named: the coordinator ended the transaction
      // itself, or another instance took the id over.
      const bool ended_elsewhere =
          r.error_code == wire::code(wire::ErrorCode::kInvalidTxnState) ||
          r.error_code == wire::code(wire::ErrorCode::kInvalidProducerEpoch) ||
          r.error_code == wire::code(wire::ErrorCode::kProducerFenced);
      char hint[256] = "";
      if (ended_elsewhere) {
        std::snprintf(hint, sizeof hint,
                      " (the coordinator no longer has this transaction open: it was open longer "
                      "than transaction.timeout.ms = %lld ms and was aborted, or another instance "
                      "with this transactional.id fenced this one)",
                      static_cast<long long>(s_.transaction_timeout_ms));
      }
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "%s: EndTxn for transactional.id \"%s\" refused with %.*s%s", call,
             s_.transactional_id.c_str(), n.size(), n.data(), hint);
      return;
    }
  }
}

void Transactional::on_find_coordinator(std::span<const std::byte> body, std::int16_t version,
                                        std::int64_t now_ns) noexcept {
  wire::FindCoordinatorResponse r;
  const bool decoded =
      wire::decode_find_coordinator_response(body, version, r) == wire::DecodeStatus::kOk;
  switch (coordinator_.on_answer(decoded, decoded ? r.error_code : -1, r.node_id, now_ns)) {
    case CoordinatorLookup::Outcome::kKnown: {
      RK_DEBUG(s_.log, kEos, "transaction coordinator: node %d at %.*s:%d", r.node_id,
               static_cast<int>(r.host.size()), r.host.data(), r.port);
      if (!know_broker(r.node_id, r.host, r.port)) {
        coordinator_.on_coordinator_lost();
        retry_after_backoff(now_ns);
      }
      return;
    }
    case CoordinatorLookup::Outcome::kRetry:
      RK_DEBUG(s_.log, kEos, "FindCoordinator: %s; again", decoded ? ErrorName(r.error_code).data() : "garbled");
      not_before_ns_ = coordinator_.not_before_ns();
      (void)timers_.arm_no_later(timer_, not_before_ns_);
      return;
    case CoordinatorLookup::Outcome::kFatal: {
      const ErrorName n(r.error_code);
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "init_transactions: FindCoordinator for transactional.id \"%s\" refused with %.*s%s%.*s",
             s_.transactional_id.c_str(), n.size(), n.data(), r.error_message.empty() ? "" : ": ",
             static_cast<int>(r.error_message.size()), r.error_message.data());
      return;
    }
  }
}

bool Transactional::know_broker(std::int32_t node, std::string_view host,
                                std::int32_t port) noexcept {
  // Usually a broker Metadata listed already; if not, it is added and kept
  // connected like any other.
  if (brokers_.find(node) != nullptr || port <= 0 || port > 65535) return true;
  try {
    (void)brokers_.add(node, host, static_cast<std::uint16_t>(port));
  } catch (...) {
    return false;
  }
  return true;
}

void Transactional::on_init_producer_id(std::span<const std::byte> body, std::int16_t version,
                                        std::int64_t now_ns) noexcept {
  const bool bump = step_ == TxnStep::kAbort && phase_ == Phase::kBump;
  if (step_ != TxnStep::kInit && !bump) return;  // the step ended meanwhile (close)
  wire::InitProducerIdResponse r;
  if (wire::decode_init_producer_id_response(body, version, r) != wire::DecodeStatus::kOk) {
    RK_DEBUG(s_.log, kEos, "garbled InitProducerId answer; again");
    retry_after_backoff(now_ns);
    return;
  }
  const TxnVerdict verdict = txn_verdict(TxnRequest::kInitProducerId, r.error_code, false);
  switch (verdict) {
    case TxnVerdict::kDone:
      (void)pstate_.on_init_producer_id(true, 0, r.producer_id, r.producer_epoch);
      // A bump starts every partition's sequences over.
      if (bump) acc_.restamp_all(r.producer_id, r.producer_epoch);
      RK_DEBUG(s_.log, kEos, "transactional producer id %lld epoch %d", static_cast<long long>(r.producer_id),
               r.producer_epoch);
      finish(Errc::kOk, ErrorKind::kPermanent, "%s", "");
      return;
    case TxnVerdict::kRefind:
    case TxnVerdict::kRetry:
      // CONCURRENT_TRANSACTIONS: the coordinator is still aborting an
      // earlier instance's transaction.
      again(TxnRequest::kInitProducerId, verdict, r.error_code, now_ns);
      return;
    case TxnVerdict::kAbortable:
    case TxnVerdict::kFatal: {
      const ErrorName n(r.error_code);
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "%s: InitProducerId for transactional.id \"%s\" refused with %.*s",
             bump ? "abort_transaction (the epoch bump after a failed batch)" : "init_transactions",
             s_.transactional_id.c_str(), n.size(), n.data());
      return;
    }
  }
}

void Transactional::on_dropped(const Connection& c, const broker::InFlight& f) noexcept {
  if (f.key == wire::ApiKey::kFindCoordinator) {
    in_flight_ = false;
    if (std::exchange(finding_group_, false)) {
      group_coordinator_.on_dropped();
    } else {
      coordinator_.on_dropped();
    }
  } else if (f.key == wire::ApiKey::kInitProducerId || f.key == wire::ApiKey::kEndTxn ||
             f.key == wire::ApiKey::kAddOffsetsToTxn || f.key == wire::ApiKey::kTxnOffsetCommit) {
    in_flight_ = false;
    on_failed(c);
  } else if (f.key == wire::ApiKey::kAddPartitionsToTxn) {
    in_flight_ = false;
    partitions_.on_lost();
    on_failed(c);
  } else if (f.key == wire::ApiKey::kDescribeTransactions) {
    in_flight_ = false;
    gate_.settling = false;
    on_failed(c);
  }
}

void Transactional::on_failed(const Connection& c) noexcept {
  if (!enabled_ || c.node_id() < 0) return;
  if (c.node_id() == coordinator_.node()) gate_.settling = false;
  if (c.node_id() == coordinator_.node()) coordinator_.on_coordinator_lost();
  if (c.node_id() == group_coordinator_.node()) group_coordinator_.on_coordinator_lost();
}

void Transactional::again(TxnRequest request, TxnVerdict verdict, std::int16_t error_code,
                          std::int64_t now_ns) noexcept {
  // TxnOffsetCommit goes to the group's coordinator, the rest to the
  // transaction's.
  CoordinatorLookup& lookup =
      request == TxnRequest::kTxnOffsetCommit ? group_coordinator_ : coordinator_;
  if (verdict == TxnVerdict::kRefind) (void)lookup.on_coordinator_error(error_code);
  RK_DEBUG(s_.log, kEos, "%s: %s; again", name(request), ErrorName(error_code).data());
  retry_after_backoff(now_ns);
  const bool adding = request == TxnRequest::kAddPartitions || request == TxnRequest::kAddOffsets;
  if (adding && error_code == wire::code(wire::ErrorCode::kConcurrentTransactions)) {
    // The first add of a transaction usually meets this: the markers of
    // the one before are being written (concurrent_retry_ms()).
    const std::int64_t ms = concurrent_retry_ms(concurrent_refusals_);
    if (concurrent_refusals_ < 5) ++concurrent_refusals_;
    not_before_ns_ = std::min(not_before_ns_, core::deadline_after_ms(now_ns, ms));
    (void)timers_.arm_no_later(timer_, not_before_ns_);
  }
}

void Transactional::retry_after_backoff(std::int64_t now_ns) noexcept {
  not_before_ns_ = core::deadline_after_ms(now_ns, s_.retry_backoff_ms);
  (void)timers_.arm_no_later(timer_, not_before_ns_);
}

void Transactional::ended() noexcept {
  partitions_.reset();
  offsets_in_txn_ = false;
  // Version 1 keeps the epoch: after a failed batch its partition's
  // sequences have a gap the next transaction cannot start from.
  if (step_ == TxnStep::kAbort && !tv2_ && pstate_.sequences_broken()) {
    phase_ = Phase::kBump;
    return;
  }
  // The next transaction's protocol (a cluster may have been upgraded).
  if (const Connection* c = brokers_.find(coordinator_.node()); c != nullptr && c->ready()) {
    decide_protocol(*c);
  }
  finish(Errc::kOk, ErrorKind::kPermanent, "%s", "");
}

void Transactional::abandon(Errc error, const char* why) noexcept {
  gate_.settling = false;
  if (step_ == TxnStep::kNone) return;
  finish(error, error == Errc::kFatal ? ErrorKind::kFatal : ErrorKind::kPermanent, "%s", why);
}

void Transactional::finish(Errc error, ErrorKind kind, const char* fmt, ...) noexcept {
  handoff::TxnChannel& ch = shared_.txn;
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(ch.message, sizeof ch.message, fmt, args);
  va_end(args);
  // Fatal: recorded before the caller can see the outcome, so that
  // fatal_error() says it as soon as the call returns.  (The caller reads
  // the message only after `done`.)
  if (kind == ErrorKind::kFatal && error != Errc::kFatal) fatal_(context_, ch.message);
  ch.error = error;
  ch.kind = kind;
  if (flushing_) {
    shared_.flush_waiters.fetch_sub(1, std::memory_order_acq_rel);
    flushing_ = false;
  }
  if (error == Errc::kOk && step_ != TxnStep::kSendOffsets) {
    // The transaction ended (or none was open yet): what follows belongs
    // to the next.  A commit refused as abortable leaves it open for the
    // abort, which must still end it at the coordinator; offsets sent
    // leave it open as it was.
    accepted_at_end_ = shared_.accepted_total();
    failed_at_end_ = shared_.counters.records_failed.load(std::memory_order_relaxed);
  }
  step_ = TxnStep::kNone;
  ch.done.store(step_number_, std::memory_order_release);  // after the outcome
  shared_.wake_waiters();
}

void Transactional::start_settling(const Connection& c, std::int64_t now_ns) noexcept {
  if (c.version(wire::ApiKey::kDescribeTransactions) < 0) return;
  gate_.settling = true;
  settle_probes_ = 0;
  settle_not_before_ns_ = now_ns;
}

bool Transactional::send_describe(Connection& c, std::int64_t now_ns,
                                  broker::ConnectionEvents& events) noexcept {
  const std::int16_t v = c.version(wire::ApiKey::kDescribeTransactions);
  if (v < 0) {
    gate_.settling = false;
    return false;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kDescribeTransactions, v);
  if (!wire::encode_describe_transactions_request(w, h, s_.transactional_id)) {
    gate_.settling = false;
    return false;
  }
  ++settle_probes_;
  return go(c, w, h, now_ns, events);
}

void Transactional::on_describe(std::span<const std::byte> body, std::int16_t version,
                                std::int64_t now_ns) noexcept {
  if (!gate_.settling) return;
  wire::DescribeTransactionsResponse r;
  const bool completing =
      wire::decode_describe_transactions_response(body, version, r) == wire::DecodeStatus::kOk &&
      r.error_code == 0 && wire::transaction_completing(r.state);
  if (!completing || settle_probes_ >= 6) {
    RK_DEBUG(s_.log, kEos, "DescribeTransactions: %.*s after %u probes; batches go", static_cast<int>(r.state.size()),
             r.state.data(), static_cast<unsigned>(settle_probes_));
    gate_.settling = false;
    return;
  }
  settle_not_before_ns_ = core::deadline_after_ms(now_ns, concurrent_retry_ms(settle_probes_ - 1U));
  (void)timers_.arm_no_later(timer_, settle_not_before_ns_);
}

}  // namespace ringkafka::sender
