#include "sender/produce_path.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "core/clock.h"
#include "sender/metadata.h"
#include "wire/byte_order.h"
#include "wire/error_code.h"

namespace ringkafka::sender {
namespace {

using accumulator::Batch;
using accumulator::PartitionState;
using broker::Connection;

using handoff::bump;


}  // namespace

void ProducePath::setup() {
  part_scratch_.reserve(kMaxBatchesPerRequest);
  topic_scratch_.reserve(kMaxBatchesPerRequest);
  batch_scratch_.reserve(kMaxBatchesPerRequest);
}

bool ProducePath::send(Connection& c, broker::ConnectionEvents& events, std::int64_t now_ns) noexcept {
  if (acc_.active().empty()) return false;  // the idle pass's exit
  const std::int16_t version =
      std::min(c.version(wire::ApiKey::kProduce), gate_.max_produce_version);
  if (!c.can_send() || c.node_id() < 0 || version < 0) return false;
  if (c.produce_in_flight >= static_cast<std::uint32_t>(s_.max_in_flight)) return false;
  if (!pstate_.may_produce() || gate_.settling) return false;
  const bool flushing = shared_.flush_waiters.load(std::memory_order_acquire) != 0;
  auto& topics = acc_.topics();
  batch_scratch_.clear();
  std::size_t bytes = 256;
  // Grouped by topic as the request nests them: scan the active list in
  // topic order of first appearance.
  for (auto [ti, pi] : acc_.active()) {
    if (batch_scratch_.size() == kMaxBatchesPerRequest) break;
    accumulator::TopicInfo& t = topics[ti];
    PartitionState& ps = t.partitions[static_cast<std::size_t>(pi)];
    if (ps.leader != c.node_id()) continue;
    // Transaction version 1: not before the coordinator has the partition
    // in the transaction.  Asked for as soon as a batch is there, so that
    // the add overlaps linger.ms.
    if (gate_.add_first && ps.txn != accumulator::TxnMembership::kIn) [[unlikely]] {
      if (ps.txn == accumulator::TxnMembership::kOut) gate_.adds_wanted = true;
      continue;
    }
    Batch* b = acc_.sendable(ps, flushing, now_ns);
    // Idempotence's gates (retries one at a time, bumps, leader moves,
    // the first batch of an epoch): producer_state.h.
    if (b != nullptr && !pstate_.may_send(facts(*b), facts(ps), c.node_id())) b = nullptr;
    // While a bump waits, a batch the broker may have can stand behind a
    // head that may not go (answered, to be restamped): it goes ahead, so
    // that its fate is learnt and the bump is not held up until
    // delivery.timeout.ms (issue 13, defect 2).
    if (b == nullptr && pstate_.bump_wanted()) {
      b = acc_.possibly_written_behind_head(ps, now_ns, [&](const Batch& x) noexcept {
        return pstate_.may_send(facts(x), facts(ps), c.node_id());
      });
    }
    if (b == nullptr) continue;
    const std::size_t size = b->is_sealed() ? b->sealed.size() : b->writer->size() + 512;
    if (!batch_scratch_.empty() &&
        bytes + size + t.name.size() + 64 > static_cast<std::size_t>(s_.max_request_size)) {
      continue;
    }
    acc_.take(ps, b, pstate_.idempotent(), pstate_.producer_id(), pstate_.producer_epoch(), now_ns);
    bytes += b->sealed.size() + t.name.size() + 64;
    batch_scratch_.push_back(b);  // within the reserved capacity (checked above)
  }
  if (batch_scratch_.empty()) return false;
  // By topic, keeping each topic's batches in the order taken: an
  // insertion sort, because std::stable_sort allocates a buffer per call,
  // and the list is short and mostly in order already.
  for (std::size_t i = 1; i < batch_scratch_.size(); ++i) {
    Batch* b = batch_scratch_[i];
    std::size_t j = i;
    for (; j > 0 && batch_scratch_[j - 1]->topic > b->topic; --j) batch_scratch_[j] = batch_scratch_[j - 1];
    batch_scratch_[j] = b;
  }
  part_scratch_.clear();
  topic_scratch_.clear();
  for (Batch* b : batch_scratch_) part_scratch_.push_back({b->partition, b->sealed});
  for (std::size_t i = 0; i < batch_scratch_.size();) {
    std::size_t j = i;
    while (j < batch_scratch_.size() && batch_scratch_[j]->topic == batch_scratch_[i]->topic) ++j;
    topic_scratch_.push_back({topics[batch_scratch_[i]->topic].name,
                              std::span(part_scratch_).subspan(i, j - i)});
    i = j;
  }
  wire::Writer w(c.send_buffer());
  const auto h = c.header(wire::ApiKey::kProduce, version);
  wire::ProduceRequest req;
  req.acks = s_.acks;
  req.timeout_ms = static_cast<std::int32_t>(std::min<std::int64_t>(s_.request_timeout_ms, INT32_MAX));
  req.topics = topic_scratch_;
  // Under transaction.version 2 Produce v12 adds the partitions to the
  // transaction itself; under 1 they were added before (the gate above).
  const std::string_view txn_id = s_.transactional_id;
  if (!txn_id.empty()) req.transactional_id = &txn_id;
  if (!wire::encode_produce_request(w, h, req)) {
    for (Batch* b : batch_scratch_) {
      acc_.finish(b, Errc::kRecordTooLarge, 0, "the Produce request could not be encoded", -1, -1);
    }
    return true;
  }
  bump(shared_.counters.produce_requests);
  bump(shared_.counters.batches_sent, batch_scratch_.size());
  // Link the batches to the request.
  Batch* head = nullptr;
  for (auto it = batch_scratch_.rbegin(); it != batch_scratch_.rend(); ++it) {
    (*it)->next = head;
    head = *it;
    ++(*it)->attempts;
    PartitionState& ps = acc_.partition(**it);
    ++ps.in_flight;
    ps.in_flight_node = c.node_id();
  }
  // Stamped as the send is queued: reap() submits it to the kernel in
  // this same pass of the loop.
  const std::int64_t sent = core::mono_ns();
  for (Batch* b = head; b != nullptr; b = b->next) b->sent_ns = sent;
  // acks=0: no response will come; the records count as sent once the
  // kernel has the request (complete_unanswered).
  if (s_.acks != 0) ++c.produce_in_flight;
  c.send(w.position(), h, s_.acks != 0, head, now_ns, events);
  return true;
}

void ProducePath::complete_unanswered(Connection& c) noexcept {
  auto* b = static_cast<Batch*>(c.unanswered);
  c.unanswered = nullptr;
  while (b != nullptr) {
    Batch* next = b->next;
    PartitionState& ps = acc_.partition(*b);
    if (ps.in_flight > 0) --ps.in_flight;
    acc_.finish(b, Errc::kOk, 0, "", -1, -1);
    b = next;
  }
}

void ProducePath::requeue(Batch* b, std::int64_t now_ns) noexcept {
  while (b != nullptr) {
    Batch* next = b->next;
    b->maybe_written = true;
    acc_.retry(b, s_.retry_backoff_ms, now_ns);
    b = next;
  }
}

struct ProducePath::Apply final : wire::ProduceResponseVisitor {
  Apply(ProducePath& p, Connection& c, Batch** batches, std::int64_t now) noexcept
      : path(p), conn(c), list(batches), now_ns(now) {}
  // Quotas (KIP-219): the broker answers at once and leaves the waiting
  // to the client, as the Java client and librdkafka do it.
  void on_throttle(std::int32_t throttle_time_ms) noexcept override {
    if (throttle_time_ms <= 0) return;
    conn.throttled_until_ns =
        std::max(conn.throttled_until_ns, core::deadline_after_ms(now_ns, throttle_time_ms));
    conn.rearm(now_ns);  // the end of the throttle ends a park
    conn.stats.on_throttle(throttle_time_ms);
    RK_DEBUG(path.s_.log, kMsg, "node %d throttles us for %d ms", conn.node_id(), throttle_time_ms);
  }
  void on_record_error(const wire::ProduceRecordError& e) noexcept override {
    if (path.record_error_count_ == kMaxRecordErrors || e.batch_index < 0) return;
    const char* text =
        path.shared_.messages.intern("INVALID_RECORD", e.message.empty() ? "invalid record" : e.message);
    path.record_errors_[path.record_error_count_++] = {static_cast<std::uint32_t>(e.batch_index),
                                                       text != nullptr ? text : "INVALID_RECORD"};
  }
  void on_partition(const wire::ProducePartitionResponse& p) noexcept override {
    // Unlink the batch this answer is for.
    for (Batch** at = list; *at != nullptr; at = &(*at)->next) {
      Batch* b = *at;
      if (b->partition == p.partition && path.acc_.topics()[b->topic].name == p.topic) {
        *at = b->next;
        b->next = nullptr;
        path.on_batch_result(b, p, now_ns);
        path.record_error_count_ = 0;
        return;
      }
    }
    path.record_error_count_ = 0;
  }
  ProducePath& path;
  Connection& conn;
  Batch** list;
  std::int64_t now_ns;
};

void ProducePath::on_answer(Connection& c, const broker::InFlight& f,
                            std::span<const std::byte> body, std::int64_t now_ns) noexcept {
  --c.produce_in_flight;
  auto* list = static_cast<Batch*>(f.context);
  record_error_count_ = 0;
  Apply apply(*this, c, &list, now_ns);
  if (wire::decode_produce_response(body, f.version, apply) != wire::DecodeStatus::kOk) {
    RK_DEBUG(s_.log, kProtocol, "malformed Produce response");
  }
  // Batches the response did not mention (or all of them, if it was
  // malformed) go out again.
  requeue(list, now_ns);
}

// The broker's log-append time for `b`, or -1 when there is none.  A retry
// the broker already had (its earlier answer lost) is answered from the
// broker's record of the first one, whose "log append time" is that
// batch's max timestamp even on a CreateTime topic (Kafka's UnifiedLog
// sets it from the duplicate's metadata): taken as an append time it would
// give every record of the batch the batch's newest timestamp.  A
// LogAppendTime topic rewrites the max timestamp to the broker's clock, so
// an answer equal to the max timestamp we wrote means CreateTime.
std::int64_t ProducePath::append_time(const Batch& b, std::int64_t log_append_ms) noexcept {
  if (log_append_ms < 0 || b.attempts < 2 || b.sealed.size() < wire::kRecordBatchHeaderSize) {
    return log_append_ms;
  }
  constexpr std::size_t kMaxTimestampAt = 35;
  return wire::load_be<std::int64_t>(b.sealed.data() + kMaxTimestampAt) == log_append_ms
             ? -1
             : log_append_ms;
}

void ProducePath::on_batch_result(Batch* b, const wire::ProducePartitionResponse& p,
                                  std::int64_t now_ns) noexcept {
  PartitionState& ps = acc_.partition(*b);
  const std::int16_t code = p.error_code;
  // Behind a retry: an earlier batch of the partition failed first and
  // waits to go again, so this one only arrived ahead of it.
  const bool behind_a_retry = ps.ready.head != nullptr && ps.ready.head->is_sealed() &&
                              ps.ready.head->order < b->order;
  const ProducerState::Outcome o = pstate_.on_result(code, facts(*b), behind_a_retry);
  if (o.not_written) b->maybe_written = false;
  if (o.maybe_written) b->maybe_written = true;
  if (o.refresh_metadata) {
    metadata_wished_ = true;
    (void)learn_leader_hint(ps, p.current_leader_id, p.current_leader_epoch);  // KIP-951
  }
  switch (o.verdict) {
    case ProducerState::Verdict::kAck:
      if (ps.in_flight > 0) --ps.in_flight;
      ps.acked_in_epoch = true;
      // DUPLICATE_SEQUENCE_NUMBER: the broker had it (a retry whose
      // answer was lost), without telling where.
      if (code == 0) {
        acc_.finish(b, Errc::kOk, 0, "", p.base_offset, append_time(*b, p.log_append_time_ms));
      } else {
        acc_.finish(b, Errc::kOk, 0, "", -1, -1);
      }
      return;
    case ProducerState::Verdict::kRetry: {
      // retry.backoff.ms doubling per attempt up to retry.backoff.max.ms.
      // Saturating: retry.backoff.ms may be near INT64_MAX.
      const std::uint32_t shift = std::min<std::uint32_t>(b->attempts, 10);
      std::int64_t backoff = s_.retry_backoff_ms > (INT64_MAX >> shift) ? INT64_MAX
                                                                        : s_.retry_backoff_ms << shift;
      backoff = std::min(backoff, s_.retry_backoff_max_ms);
      acc_.retry(b, jitter_(backoff), now_ns);
      return;
    }
    case ProducerState::Verdict::kFailMaybeWritten:
      if (ps.in_flight > 0) --ps.in_flight;
      acc_.finish(b, Errc::kBroker, code,
                  "sequence error on a retry: the broker may have written this batch "
                  "(its answer was lost) and no longer remembers it; not sent again",
                  -1, -1);
      return;
    case ProducerState::Verdict::kFail: {
      if (ps.in_flight > 0) --ps.in_flight;
      if (o.fatal && fatal_ != nullptr) {
        char why[200];
        const std::string_view name = wire::error_info(code).name;
        std::snprintf(why, sizeof why,
                      "Produce refused with %.*s for transactional.id \"%s\" (fenced by a newer "
                      "instance, or not allowed)",
                      static_cast<int>(name.size()), name.data(), s_.transactional_id.c_str());
        fatal_(fatal_context_, why);
      }
      // The broker's words, and each invalid record's own (KIP-467); the
      // other records of such a batch were not written either.
      const char* text = failure_text(code, p.error_message);
      if (record_error_count_ != 0 && p.error_message.empty()) {
        text = failure_text(code, "another record of its batch was invalid; not written");
      }
      acc_.finish(b, Errc::kBroker, code, text, -1, -1,
                  std::span(record_errors_).first(record_error_count_));
      return;
    }
  }
}

const char* ProducePath::failure_text(std::int16_t code, std::string_view broker_text) noexcept {
  const std::string_view name = wire::error_info(code).name;
  if (broker_text.empty()) return name.data();
  const char* text = shared_.messages.intern(name, broker_text);
  return text != nullptr ? text : name.data();  // the table is full: the name alone
}

}  // namespace ringkafka::sender
