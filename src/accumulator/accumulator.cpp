#include "accumulator/accumulator.h"

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "core/clock.h"
#include "handoff/record_format.h"
#include "wire/record_batch.h"

namespace ringkafka::accumulator {
namespace {

// Records taken from one ring per pass, so one busy thread cannot starve
// the others or the network.
constexpr int kDrainBudget = 512;

using handoff::bump;

std::uint64_t batch_order(const Batch* b) noexcept { return b->order; }

// A parked record: this head, then the ring's message bytes, padded to 8.
struct ParkedHead {
  std::uint32_t slot;
  std::uint32_t bytes;
  std::int64_t timestamp_ms;  // taken when it was drained, as for any record
};
static_assert(sizeof(ParkedHead) == 16);

constexpr std::size_t padded(std::size_t n) noexcept { return (n + 7) & ~std::size_t{7}; }

// The parked record at the front of `b`, and how far to step past it.
struct Parked {
  ParkedHead head;
  handoff::RecordView rec;
  std::size_t size;
};
Parked front_parked(const Batch& b) noexcept {
  Parked p{};
  std::memcpy(&p.head, b.memory + b.parked_begin, sizeof p.head);
  p.rec = handoff::decode(
      std::span<const std::byte>(b.memory + b.parked_begin + sizeof p.head, p.head.bytes));
  p.size = sizeof p.head + padded(p.head.bytes);
  return p;
}

}  // namespace

Accumulator::Accumulator(handoff::Shared& shared, Reporter& reporter, core::TimerHeap& timers,
                         SealedFailed on_sealed_failed, void* context) noexcept
    : shared_(shared),
      s_(shared.settings),
      reporter_(reporter),
      timers_(timers),
      on_sealed_failed_(on_sealed_failed),
      context_(context),
      pool_(static_cast<std::size_t>(shared.settings.batch_size),
            static_cast<std::size_t>(shared.settings.buffer_memory)) {}

bool Accumulator::setup(char* why, std::size_t why_size) noexcept {
  try {
    topics_.reserve(s_.max_topics);
    header_scratch_.reserve(64);
    active_.reserve(1024);
    if (s_.compression != wire::Compression::kNone) {
      compressor_ = s_.compression_level == 0
                        ? compress::Compressor::create(s_.compression)
                        : compress::Compressor::create(s_.compression, s_.compression_level);
      if (!compressor_) {
        std::snprintf(why, why_size, "compression.type: cannot create the compressor");
        return false;
      }
      scratch_.resize(2 * static_cast<std::size_t>(s_.batch_size) + 4096 +
                      compressor_->bound(2 * static_cast<std::size_t>(s_.batch_size)));
    }
  } catch (...) {
    std::snprintf(why, why_size, "out of memory");
    return false;
  }
  partitioner_ = partition::Partitioner::create(s_.partitioner, partition::random_seed(),
                                                s_.batch_size);
  if (!partitioner_) partitioner_ = partition::Partitioner::create(partition::Kind::kSticky, 1);
  if (!pool_.preallocate(s_.large_pages)) {
    std::snprintf(why, why_size, "cannot allocate buffer.memory (%lld bytes)",
                  static_cast<long long>(s_.buffer_memory));
    return false;
  }
  shared_.counters.batch_buffers.store(pool_.buffers_allocated(), std::memory_order_relaxed);
  shared_.counters.batch_buffer_bytes.store(pool_.bytes_allocated(), std::memory_order_relaxed);
  return true;
}

bool Accumulator::add_topics(std::int64_t now_ns) noexcept {
  const std::uint32_t n = shared_.topics.count.load(std::memory_order_acquire);
  while (topics_.size() < n) {
    if (!timers_.add_timers(1)) break;  // out of memory: the next pass tries again
    TopicInfo& t = topics_.emplace_back();  // reserved: no reallocation
    t.name = shared_.topics.names[topics_.size() - 1];
    t.first_needed_ns = now_ns;
    t.timer.kind = core::TimerKind::kTopic;
    t.timer.id0 = static_cast<std::uint32_t>(topics_.size() - 1);
  }
  metadata_wished_ = true;
  return true;
}

TopicInfo* Accumulator::find(std::string_view name) noexcept {
  for (TopicInfo& t : topics_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

// --- records in ------------------------------------------------------------

bool Accumulator::drain(std::int64_t now_ns, std::int64_t now_ms) noexcept {
  bool any = parked_topics_ != 0 && replay_parked(now_ns);
  const std::uint32_t n = shared_.slots_in_use.load(std::memory_order_acquire);
  for (std::uint32_t i = 0; i < n; ++i) {
    handoff::Slot& slot = *shared_.slots[i];
    for (int budget = kDrainBudget; budget > 0; --budget) {
      bool available = false;
      bool large = false;
      const auto msg = slot.peek_record(&available, &large);
      if (!available) break;
      const handoff::RecordView rec = handoff::decode(msg);
      // A handle made after this pass's sync_topics() and used at once.
      if (rec.head.topic >= topics_.size()) sync_topics(now_ns);
      TopicInfo& t = topics_[rec.head.topic];
      const std::int64_t ts = rec.head.timestamp_ms < 0 ? now_ms : rec.head.timestamp_ms;
      Routed r = t.parked.empty() ? route(slot.index, rec, ts, now_ns) : Routed::kWaitsForMetadata;
      if (r == Routed::kWaitsForMetadata) r = park(t, slot.index, msg, ts, now_ns) ? Routed::kDone : Routed::kBlocked;
      // Blocked: no batch buffer free (buffer.memory in use), which a
      // completion or a timer brings: not work, so the sender may idle.
      if (r == Routed::kBlocked) break;
      slot.pop_record(large);
      any = true;
    }
  }
  return any;
}

Accumulator::Routed Accumulator::route(std::uint32_t slot, const handoff::RecordView& rec,
                                       std::int64_t ts, std::int64_t now_ns) noexcept {
  TopicInfo& t = topics_[rec.head.topic];
  if (t.status != TopicStatus::kOk) {
    if (t.status == TopicStatus::kDenied) {
      reporter_.one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kBroker, 29,
                    "TOPIC_AUTHORIZATION_FAILED: the principal may not describe the topic (ACL)");
      metadata_wished_ = true;  // an ACL granted since is seen by the next record
      return Routed::kDone;
    }
    if (unreachable_ != Errc::kOk) {
      reporter_.one(slot, rec.head.opaque, rec.head.topic, -1, ts, unreachable_, 0,
                    unreachable_why_);
      return Routed::kDone;
    }
    if (t.status == TopicStatus::kMissing &&
        now_ns - t.missing_since_ns > core::ms_to_ns(s_.topic_metadata_propagation_max_ms)) {
      char text[400];
      std::snprintf(text, sizeof text,
                    "topic \"%.*s\" is not in the cluster's metadata (waited "
                    "topic.metadata.propagation.max.ms=%lld)",
                    static_cast<int>(std::min<std::size_t>(t.name.size(), 249)), t.name.data(),
                    static_cast<long long>(s_.topic_metadata_propagation_max_ms));
      reporter_.one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kUnknownTopic, 3,
                    keep(text, "the topic is not in the cluster's metadata"));
      return Routed::kDone;
    }
    if (now_ns - t.first_needed_ns > core::ms_to_ns(s_.delivery_timeout_ms)) {
      reporter_.one(slot, rec.head.opaque, rec.head.topic, -1, ts, Errc::kMessageTimedOut, 0,
                    timed_out("no metadata for the topic within delivery.timeout.ms", -1));
      return Routed::kDone;
    }
    metadata_wished_ = true;
    return Routed::kWaitsForMetadata;
  }
  const wire::NullableBytes key{rec.key, rec.key_is_null()};
  const wire::NullableBytes value{rec.value, rec.value_is_null()};
  std::int32_t p = rec.head.partition;
  if (p >= t.partition_count) {
    report_one(slot, rec, ts, Errc::kPartitionOutOfRange, 3, "partition out of range for the topic");
    return Routed::kDone;
  }
  if (p < 0) {
    const auto choice = partitioner_->choose(t.partitioner, rec.key, rec.key_is_null(),
                                             rec.key.size() + rec.value.size(), t.partition_count);
    if (!choice.ok()) {
      report_one(slot, rec, ts, Errc::kPartitionOutOfRange, 0, "the partitioner returned no partition");
      return Routed::kDone;
    }
    p = choice.partition;
  }
  header_scratch_.clear();
  handoff::for_each_header(rec, [&](std::string_view name, std::span<const std::byte> v,
                                    bool is_null) {
    header_scratch_.push_back({name, wire::NullableBytes{v, is_null}});
  });
  PartitionState& ps = t.partitions[static_cast<std::size_t>(p)];
  const RecordMeta meta{rec.head.opaque, ts, slot, 0};
  const auto limit = static_cast<std::size_t>(s_.batch_size);
  if (ps.open != nullptr && ps.open->append(ts, key, value, header_scratch_, meta, limit)) {
    return Routed::kDone;
  }
  const std::size_t bytes = wire::record_size(0, 0, key, value, header_scratch_);
  if (bytes + wire::kRecordBatchHeaderSize > static_cast<std::size_t>(s_.max_request_size)) {
    // Worded with both numbers (each size kept once in the message table).
    char text[160];
    std::snprintf(text, sizeof text,
                  "a batch of this one record is %zu bytes, over max.request.size=%d",
                  bytes + wire::kRecordBatchHeaderSize, s_.max_request_size);
    reporter_.one(slot, rec.head.opaque, rec.head.topic, p, ts, Errc::kRecordTooLarge, 10,
                  keep(text, "record larger than max.request.size"));
    return Routed::kDone;
  }
  Batch* b = acquire(size_class_for(bytes, limit));
  if (b == nullptr) return Routed::kBlocked;  // buffer.memory in use: backpressure
  close_open(ps);
  b->reset(rec.head.topic, p, now_ns);
  if (!b->append(ts, key, value, header_scratch_, meta, limit)) {
    pool_.release(b);
    char text[160];
    std::snprintf(text, sizeof text, "a record of %zu bytes does not fit its batch buffer", bytes);
    reporter_.one(slot, rec.head.opaque, rec.head.topic, p, ts, Errc::kRecordTooLarge, 10,
                  keep(text, "record does not fit a batch"));
    return Routed::kDone;
  }
  ps.open = b;
  activate(rec.head.topic, p);
  rearm(ps, now_ns);  // its linger, or its delivery timeout
  return Routed::kDone;
}

bool Accumulator::park(TopicInfo& t, std::uint32_t slot, std::span<const std::byte> msg,
                       std::int64_t ts, std::int64_t now_ns) noexcept {
  const std::size_t need = sizeof(ParkedHead) + padded(msg.size());
  Batch* b = t.parked.tail;
  if (b == nullptr || b->capacity - b->parked_end < need) {
    b = acquire(size_class_for(need, static_cast<std::size_t>(s_.batch_size)));
    if (b == nullptr) return false;
    b->parked_begin = 0;
    b->parked_end = 0;
    if (t.parked.empty()) {
      ++parked_topics_;
      rearm_topic(t, now_ns);
    }
    t.parked.push_back(b);
  }
  const ParkedHead head{slot, static_cast<std::uint32_t>(msg.size()), ts};
  std::memcpy(b->memory + b->parked_end, &head, sizeof head);
  std::memcpy(b->memory + b->parked_end + sizeof head, msg.data(), msg.size());
  b->parked_end += need;
  return true;
}

const char* Accumulator::keep(const char* text, const char* fallback) noexcept {
  const char* kept = shared_.messages.intern(text);
  return kept != nullptr ? kept : fallback;
}

void Accumulator::set_unreachable(Errc error, const char* why) noexcept {
  unreachable_ = error;
  unreachable_why_ = keep(why, "no broker will talk to the producer (the error callback has why)");
}

const char* Accumulator::timed_out(const char* plain, std::int32_t leader) noexcept {
  if (timeout_cause_ != nullptr) return timeout_cause_;
  const char* why = leader >= 0 && leader_cause_ != nullptr ? leader_cause_(leader_context_, leader)
                                                            : nullptr;
  if (why == nullptr) return plain;
  char text[512];
  std::snprintf(text, sizeof text, "not delivered within delivery.timeout.ms: %s", why);
  return keep(text, plain);
}

void Accumulator::set_timeout_cause(const char* why) noexcept {
  char text[400];
  std::snprintf(text, sizeof text, "not delivered within delivery.timeout.ms: %s", why);
  timeout_cause_ =
      keep(text, "not delivered within delivery.timeout.ms: no broker reachable (the error callback has why)");
}

bool Accumulator::replay_parked(std::int64_t now_ns) noexcept {
  bool any = false;
  replaying_ = true;  // BatchPool::acquire's spare
  struct Done {
    bool& flag;
    ~Done() { flag = false; }
  } done{replaying_};
  for (TopicInfo& t : topics_) {
    bool waiting = false;
    while (Batch* b = t.parked.head) {
      while (b->parked_begin < b->parked_end) {
        const Parked p = front_parked(*b);
        if (route(p.head.slot, p.rec, p.head.timestamp_ms, now_ns) != Routed::kDone) {
          waiting = true;  // still no metadata, or no buffer: the next pass
          break;
        }
        b->parked_begin += p.size;
        any = true;
      }
      if (waiting) break;
      (void)t.parked.pop_front();
      pool_.release(b);
      if (t.parked.empty()) --parked_topics_;
    }
    if (parked_topics_ == 0) break;
  }
  return any;
}

Batch* Accumulator::acquire(std::uint8_t size_class) noexcept {
  Batch* b = pool_.acquire(size_class, replaying_);
  shared_.counters.batch_buffers.store(pool_.buffers_allocated(), std::memory_order_relaxed);
  shared_.counters.batch_buffer_bytes.store(pool_.bytes_allocated(), std::memory_order_relaxed);
  return b;
}

void Accumulator::close_open(PartitionState& ps) noexcept {
  if (ps.open == nullptr) return;
  ps.ready.push_back(ps.open);
  ps.open = nullptr;
}

void Accumulator::activate(std::uint32_t topic, std::int32_t partition) noexcept {
  PartitionState& ps = topics_[topic].partitions[static_cast<std::size_t>(partition)];
  if (ps.active) return;
  try {
    active_.emplace_back(topic, partition);  // reserved; grows only past 1,024 partitions
  } catch (...) {
    return;  // found again when the partition gets its next batch
  }
  ps.active = true;
  ps.active_index = static_cast<std::uint32_t>(active_.size() - 1);
}

// --- batches -----------------------------------------------------------------

Batch* Accumulator::sendable(PartitionState& ps, bool flushing, std::int64_t now_ns) noexcept {
  if (Batch* b = ps.ready.head; b != nullptr) return b->retry_at_ns <= now_ns ? b : nullptr;
  Batch* b = ps.open;
  if (b == nullptr) return nullptr;
  if (flushing || s_.linger_ms == 0 || now_ns - b->created_ns >= core::ms_to_ns(s_.linger_ms)) return b;
  return nullptr;
}

void Accumulator::take(PartitionState& ps, Batch* b, bool idempotent, std::int64_t producer_id,
                       std::int16_t producer_epoch, std::int64_t now_ns) noexcept {
  if (b == ps.open) {
    ps.open = nullptr;
  } else {
    (void)ps.ready.remove(b);  // the head, or a batch behind it
  }
  if (ps.open == nullptr && ps.ready.empty()) rearm(ps, now_ns);  // leaves the active list
  if (b->is_sealed()) return;
  wire::ProducerFields fields;
  if (idempotent) {
    fields.producer_id = producer_id;
    fields.producer_epoch = producer_epoch;
    fields.base_sequence = ps.next_sequence;
    // A transactional producer's batches all belong to a transaction.
    fields.transactional = !s_.transactional_id.empty();
    // Sequences wrap to 0 after INT32_MAX, as the broker expects.
    ps.next_sequence = wire::sequence_after(ps.next_sequence, static_cast<std::int32_t>(b->count()));
  }
  b->order = ps.next_batch_order++;
  const std::size_t raw = b->writer->size();
  b->seal(fields, compressor_.get(), scratch_);
  PartitionCounters& n = ps.counters;
  n.records += b->count();
  ++n.batches;
  n.bytes += raw;
  n.wire_bytes += b->sealed.size();
  n.max_batch_bytes = std::max<std::uint64_t>(n.max_batch_bytes, raw);
  int_latency_ns_.record(static_cast<std::uint64_t>(now_ns - b->created_ns));
}

void Accumulator::retry(Batch* b, std::int64_t backoff_ms, std::int64_t now_ns) noexcept {
  PartitionState& ps = partition(*b);
  if (ps.in_flight > 0) --ps.in_flight;
  if (now_ns - b->created_ns > core::ms_to_ns(s_.delivery_timeout_ms) ||
      b->attempts > static_cast<std::uint32_t>(s_.retries)) {
    finish(b, Errc::kMessageTimedOut, 0,
           timed_out("not acknowledged within delivery.timeout.ms (or retries exhausted)", ps.leader),
           -1, -1);
    return;
  }
  b->retry_at_ns = core::deadline_after_ms(now_ns, backoff_ms);
  bump(shared_.counters.batch_retries);
  ps.ready.insert_by_order(b, batch_order);
  activate(b->topic, b->partition);
  rearm(ps, now_ns);
}

void Accumulator::finish(Batch* b, Errc error, std::int16_t kafka, const char* message,
                         std::int64_t base_offset, std::int64_t log_append_ms,
                         std::span<const RecordMessage> own) noexcept {
  if (error != Errc::kOk && error != Errc::kPurged && b->is_sealed()) on_sealed_failed_(context_);
  // acks=0 is never acknowledged; a failed batch one of whose requests
  // went unanswered may be in the log (issue 13, defect 5).
  Persistence persisted = Persistence::kNotPersisted;
  if (error == Errc::kOk) {
    persisted = s_.acks == 0 ? Persistence::kPossiblyPersisted : Persistence::kPersisted;
  } else if (b->maybe_written) {
    persisted = Persistence::kPossiblyPersisted;
  }
  reporter_.batch(*b, error, kafka, message, base_offset, log_append_ms, persisted, own);
  pool_.release(b);
}

void Accumulator::restamp_all(std::int64_t producer_id, std::int16_t producer_epoch) noexcept {
  for (TopicInfo& t : topics_) {
    for (PartitionState& ps : t.partitions) {
      std::int32_t seq = 0;
      for (Batch* b = ps.ready.head; b != nullptr && b->is_sealed(); b = b->next) {
        wire::ProducerFields fields;
        fields.producer_id = producer_id;
        fields.producer_epoch = producer_epoch;
        fields.base_sequence = seq;
        b->restamp(fields);
        seq = wire::sequence_after(seq, static_cast<std::int32_t>(b->count()));
      }
      ps.next_sequence = seq;
      ps.acked_in_epoch = false;
    }
  }
}

bool Accumulator::maybe_written_queued() const noexcept {
  for (const TopicInfo& t : topics_) {
    for (const PartitionState& ps : t.partitions) {
      for (const Batch* b = ps.ready.head; b != nullptr; b = b->next) {
        if (b->is_sealed() && b->maybe_written) return true;
      }
    }
  }
  return false;
}

// --- time ----------------------------------------------------------------------

void Accumulator::rearm(PartitionState& ps, std::int64_t now_ns) noexcept {
  std::int64_t due = INT64_MAX;
  const auto consider = [&](std::int64_t t) noexcept {
    if (t < due) due = t;
  };
  // Waits that end only wake the loop: future ones only.
  if (ps.open != nullptr && s_.linger_ms > 0) {
    const std::int64_t linger_end = core::deadline_after_ms(ps.open->created_ns, s_.linger_ms);
    if (linger_end > now_ns) consider(linger_end);
  }
  if (ps.ready.head != nullptr && ps.ready.head->retry_at_ns > now_ns) {
    consider(ps.ready.head->retry_at_ns);
  }
  // The delivery timeout acts, even late.
  const Batch* oldest = ps.ready.head != nullptr ? ps.ready.head : ps.open;
  if (oldest != nullptr) consider(core::deadline_after_ms(oldest->created_ns, s_.delivery_timeout_ms));
  // Nothing left: leave the active list on the next pass.
  if (oldest == nullptr && ps.active) consider(now_ns);
  if (due != INT64_MAX) (void)timers_.arm_no_later(ps.timer, due);  // registered: never full
}

void Accumulator::expire(PartitionState& ps, std::int64_t now_ns) noexcept {
  const std::int64_t limit = core::ms_to_ns(s_.delivery_timeout_ms);
  while (ps.ready.head != nullptr && now_ns - ps.ready.head->created_ns > limit) {
    finish(ps.ready.pop_front(), Errc::kMessageTimedOut, 0,
           timed_out("not sent within delivery.timeout.ms", ps.leader), -1, -1);
  }
  if (ps.open != nullptr && ps.ready.empty() && now_ns - ps.open->created_ns > limit) {
    Batch* b = ps.open;
    ps.open = nullptr;
    finish(b, Errc::kMessageTimedOut, 0, timed_out("not sent within delivery.timeout.ms", ps.leader),
           -1, -1);
  }
}

void Accumulator::deactivate(PartitionState& ps) noexcept {
  ps.active = false;
  const std::uint32_t i = ps.active_index;
  active_[i] = active_.back();
  active_.pop_back();
  if (i < active_.size()) {
    const auto [ti, pi] = active_[i];
    topics_[ti].partitions[static_cast<std::size_t>(pi)].active_index = i;
  }
}

void Accumulator::on_timer(const core::Timer& t, std::int64_t now_ns) noexcept {
  if (t.id0 >= topics_.size()) return;
  TopicInfo& topic = topics_[t.id0];
  if (t.kind == core::TimerKind::kTopic) {
    // Parked records whose time is up are reported by routing them again.
    if (!topic.parked.empty()) (void)replay_parked(now_ns);
    if (!topic.parked.empty()) rearm_topic(topic, now_ns);
    return;
  }
  if (t.id1 >= topic.partitions.size()) return;
  PartitionState& ps = topic.partitions[t.id1];
  expire(ps, now_ns);
  if (ps.open == nullptr && ps.ready.empty()) {
    if (ps.active) deactivate(ps);
    return;
  }
  rearm(ps, now_ns);
}

void Accumulator::rearm_topic(TopicInfo& t, std::int64_t now_ns) noexcept {
  std::int64_t due = core::deadline_after_ms(t.first_needed_ns, s_.delivery_timeout_ms);
  if (t.status == TopicStatus::kMissing) {
    due = std::min(due, core::deadline_after_ms(t.missing_since_ns,
                                                s_.topic_metadata_propagation_max_ms));
  }
  // A deadline already past acts on the next pass.
  (void)timers_.arm_no_later(t.timer, std::max(due, now_ns));
}

bool Accumulator::add_partitions(TopicInfo& t, std::size_t count) noexcept {
  if (t.partitions.size() >= count) return true;
  const std::size_t more = count - t.partitions.size();
  if (!timers_.add_timers(more)) return false;
  try {
    while (t.partitions.size() < count) {
      PartitionState& ps = t.partitions.emplace_back();
      ps.next_sequence = s_.test_first_sequence;
      ps.timer.kind = core::TimerKind::kPartition;
      ps.timer.id0 = static_cast<std::uint32_t>(&t - topics_.data());
      ps.timer.id1 = static_cast<std::uint32_t>(t.partitions.size() - 1);
    }
  } catch (...) {
    return false;
  }
  return true;
}

// --- the end -------------------------------------------------------------------

void Accumulator::purge(Errc error, const char* why, std::int64_t now_ns,
                        std::int64_t now_ms) noexcept {
  sync_topics(now_ns);
  const std::uint32_t n = shared_.slots_in_use.load(std::memory_order_acquire);
  for (TopicInfo& t : topics_) {
    while (Batch* b = t.parked.pop_front()) {
      while (b->parked_begin < b->parked_end) {
        const Parked p = front_parked(*b);
        report_one(p.head.slot, p.rec, p.head.timestamp_ms, error, 0, why);
        b->parked_begin += p.size;
      }
      pool_.release(b);
    }
  }
  parked_topics_ = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    handoff::Slot& slot = *shared_.slots[i];
    while (true) {
      bool available = false;
      bool large = false;
      const auto msg = slot.peek_record(&available, &large);
      if (!available) break;
      const handoff::RecordView rec = handoff::decode(msg);
      report_one(slot.index, rec, rec.head.timestamp_ms < 0 ? now_ms : rec.head.timestamp_ms,
                 error, 0, why);
      slot.pop_record(large);
    }
  }
  for (TopicInfo& t : topics_) {
    for (PartitionState& ps : t.partitions) {
      while (Batch* b = ps.ready.pop_front()) finish(b, error, 0, why, -1, -1);
      if (ps.open != nullptr) {
        finish(ps.open, error, 0, why, -1, -1);
        ps.open = nullptr;
      }
    }
  }
}

}  // namespace ringkafka::accumulator
