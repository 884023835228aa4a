#include "sender/transactional.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "core/debug_log.h"
#include "sender/transaction.h"
#include "wire/error_code.h"
#include "wire/find_coordinator.h"
#include "wire/init_producer_id.h"

namespace ringkafka::sender {
namespace {

using broker::Connection;
using handoff::TxnStep;

// "NAME" of a protocol error code, for messages.
struct Name {
  explicit Name(std::int16_t code) noexcept : info(wire::error_info(code)) {}
  [[nodiscard]] int size() const noexcept { return static_cast<int>(info.name.size()); }
  [[nodiscard]] const char* data() const noexcept { return info.name.data(); }
  wire::ErrorInfo info;
};

}  // namespace

Transactional::Transactional(handoff::Shared& shared, ProducerState& pstate,
                             broker::Brokers& brokers, core::TimerHeap& timers, Fatal fatal,
                             void* context) noexcept
    : shared_(shared),
      s_(shared.settings),
      pstate_(pstate),
      brokers_(brokers),
      timers_(timers),
      fatal_(fatal),
      context_(context),
      enabled_(!shared.settings.transactional_id.empty()),
      coordinator_(core::ms_to_ns(shared.settings.retry_backoff_ms)) {}

bool Transactional::setup() noexcept { return !enabled_ || timers_.add_timers(1); }

bool Transactional::take_step(std::int64_t now_ns) noexcept {
  const std::uint32_t posted = shared_.txn.posted.load(std::memory_order_acquire);
  if (posted == taken_) [[likely]] return false;
  taken_ = posted;
  step_number_ = posted;
  step_ = shared_.txn.step;  // written before `posted` (release)
  not_before_ns_ = now_ns;
  RK_DEBUG("transaction step %u (%d) taken", posted, static_cast<int>(step_));
  return true;
}

bool Transactional::send(Connection& c, std::int64_t now_ns,
                         broker::ConnectionEvents& events) noexcept {
  if (!wants_to_send() || now_ns < not_before_ns_ || !c.can_send()) return false;
  if (step_ != TxnStep::kInit) return false;
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
    in_flight_ = true;  // before the send: a failing send drops it (on_dropped)
    c.send(w.position(), h, true, nullptr, now_ns, events);
    return true;
  }
  if (c.node_id() != coordinator_.node()) return false;
  const std::int16_t v = c.version(wire::ApiKey::kInitProducerId);
  if (v < 0) {
    finish(Errc::kTransaction, ErrorKind::kFatal,
           "init_transactions: the coordinator (broker %d) has no InitProducerId version of ours",
           c.node_id());
    fatal_(context_, "the transaction coordinator has no InitProducerId version of ours");
    return false;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kInitProducerId, v);
  wire::InitProducerIdRequest req;
  req.transactional_id = &id;
  req.transaction_timeout_ms = s_.transaction_timeout_ms;
  if (!wire::encode_init_producer_id_request(w, h, req)) return false;
  in_flight_ = true;
  c.send(w.position(), h, true, nullptr, now_ns, events);
  return true;
}

void Transactional::on_response(Connection&, const broker::InFlight& f,
                                std::span<const std::byte> body, std::int64_t now_ns) noexcept {
  in_flight_ = false;
  if (f.key == wire::ApiKey::kFindCoordinator) {
    on_find_coordinator(body, f.version, now_ns);
  } else if (f.key == wire::ApiKey::kInitProducerId) {
    on_init_producer_id(body, f.version, now_ns);
  }
}

void Transactional::on_find_coordinator(std::span<const std::byte> body, std::int16_t version,
                                        std::int64_t now_ns) noexcept {
  wire::FindCoordinatorResponse r;
  const bool decoded =
      wire::decode_find_coordinator_response(body, version, r) == wire::DecodeStatus::kOk;
  switch (coordinator_.on_answer(decoded, decoded ? r.error_code : -1, r.node_id, now_ns)) {
    case CoordinatorLookup::Outcome::kKnown: {
      RK_DEBUG("transaction coordinator: node %d at %.*s:%d", r.node_id,
               static_cast<int>(r.host.size()), r.host.data(), r.port);
      // Usually a broker Metadata listed already; if not, it is added and
      // kept connected like any other.
      if (brokers_.find(r.node_id) == nullptr && r.port > 0 && r.port <= 65535) {
        try {
          (void)brokers_.add(r.node_id, r.host, static_cast<std::uint16_t>(r.port));
        } catch (...) {
          coordinator_.on_coordinator_lost();
          retry_after_backoff(now_ns);
        }
      }
      return;
    }
    case CoordinatorLookup::Outcome::kRetry:
      RK_DEBUG("FindCoordinator: %s; again", decoded ? Name(r.error_code).data() : "garbled");
      not_before_ns_ = coordinator_.not_before_ns();
      (void)timers_.arm_no_later(timer_, not_before_ns_);
      return;
    case CoordinatorLookup::Outcome::kFatal: {
      const Name n(r.error_code);
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "init_transactions: FindCoordinator for transactional.id \"%s\" refused with %.*s%s%.*s",
             s_.transactional_id.c_str(), n.size(), n.data(), r.error_message.empty() ? "" : ": ",
             static_cast<int>(r.error_message.size()), r.error_message.data());
      fatal_(context_, shared_.txn.message);
      return;
    }
  }
}

void Transactional::on_init_producer_id(std::span<const std::byte> body, std::int16_t version,
                                        std::int64_t now_ns) noexcept {
  if (step_ != TxnStep::kInit) return;  // the step ended meanwhile (close)
  wire::InitProducerIdResponse r;
  if (wire::decode_init_producer_id_response(body, version, r) != wire::DecodeStatus::kOk) {
    RK_DEBUG("garbled InitProducerId answer; again");
    retry_after_backoff(now_ns);
    return;
  }
  switch (txn_verdict(TxnRequest::kInitProducerId, r.error_code, false)) {
    case TxnVerdict::kDone:
      (void)pstate_.on_init_producer_id(true, 0, r.producer_id, r.producer_epoch);
      RK_DEBUG("transactional producer id %lld epoch %d", static_cast<long long>(r.producer_id),
               r.producer_epoch);
      finish(Errc::kOk, ErrorKind::kPermanent, "%s", "");
      return;
    case TxnVerdict::kRefind:
      (void)coordinator_.on_coordinator_error(r.error_code);
      [[fallthrough]];
    case TxnVerdict::kRetry:
      // CONCURRENT_TRANSACTIONS: the coordinator is still aborting an
      // earlier instance's transaction.
      RK_DEBUG("InitProducerId: %s; again", Name(r.error_code).data());
      retry_after_backoff(now_ns);
      return;
    case TxnVerdict::kAbortable:
    case TxnVerdict::kFatal: {
      const Name n(r.error_code);
      finish(Errc::kTransaction, ErrorKind::kFatal,
             "init_transactions: InitProducerId for transactional.id \"%s\" refused with %.*s",
             s_.transactional_id.c_str(), n.size(), n.data());
      fatal_(context_, shared_.txn.message);
      return;
    }
  }
}

void Transactional::on_dropped(const Connection& c, const broker::InFlight& f) noexcept {
  if (f.key == wire::ApiKey::kFindCoordinator) {
    in_flight_ = false;
    coordinator_.on_dropped();
  } else if (f.key == wire::ApiKey::kInitProducerId) {
    in_flight_ = false;
    on_failed(c);
  }
}

void Transactional::on_failed(const Connection& c) noexcept {
  if (enabled_ && c.node_id() >= 0 && c.node_id() == coordinator_.node()) {
    coordinator_.on_coordinator_lost();
  }
}

void Transactional::on_timer(std::int64_t) noexcept {
  // A backoff ended: the next pass sends.
}

void Transactional::retry_after_backoff(std::int64_t now_ns) noexcept {
  not_before_ns_ = core::deadline_after_ms(now_ns, s_.retry_backoff_ms);
  (void)timers_.arm_no_later(timer_, not_before_ns_);
}

void Transactional::abandon(Errc error, const char* why) noexcept {
  if (step_ == TxnStep::kNone) return;
  finish(error, error == Errc::kFatal ? ErrorKind::kFatal : ErrorKind::kPermanent, "%s", why);
}

void Transactional::finish(Errc error, ErrorKind kind, const char* fmt, ...) noexcept {
  handoff::TxnChannel& ch = shared_.txn;
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(ch.message, sizeof ch.message, fmt, args);
  va_end(args);
  ch.error = error;
  ch.kind = kind;
  step_ = TxnStep::kNone;
  ch.done.store(step_number_, std::memory_order_release);  // after the outcome
  shared_.wake_waiters();
}

}  // namespace ringkafka::sender
