// The accumulator: records from the producing threads' rings into batches.
// It drains the rings (a budget per ring and pass), routes each record to a
// partition (the record's own, or the partitioner's choice), appends it to
// that partition's open batch, and keeps each partition's queue of batches
// ready to go, in order, with linger and delivery.timeout.ms.  It also
// takes batches back for a retry, in their place, and finishes batches
// (their reports, their buffer back to the pool).
//
// A record whose topic has no metadata yet is parked: copied, with the
// slot it came from and its timestamp, into batch buffers of its topic's
// parking lot (so buffer.memory bounds parked records as it bounds
// batches), and its ring moves on.  One unknown topic therefore no longer
// stops every other record its thread produces.  Parked records go back
// through routing, in the order they came, once the topic is known (or
// their time is up, and they are reported).  While a topic has parked
// records, its new ones park behind them, so per-thread order holds.
//
// What is not the accumulator's: which batch may be sent now under
// idempotence (producer_state), requests, connections.  Owned and touched
// only by the sender thread; nothing here allocates once the topics and
// their partitions exist.
#pragma once

#include <cstddef>
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "accumulator/batch.h"
#include "accumulator/reporter.h"
#include "accumulator/topics.h"
#include "compress/codec.h"
#include "config/settings.h"
#include "core/clock.h"
#include "handoff/record_format.h"
#include "handoff/shared.h"
#include "metrics/summary.h"
#include "partition/partitioner.h"

namespace ringkafka::accumulator {

class Accumulator {
 public:
  // Called when a sealed batch fails (its sequence numbers go unused, so
  // the producer epoch must be bumped: KIP-360).
  using SealedFailed = void (*)(void* context) noexcept;

  // Partitions' and topics' timers are armed in `timers`; the loop hands
  // them back through on_timer().
  Accumulator(handoff::Shared& shared, Reporter& reporter, core::TimerHeap& timers,
              SealedFailed on_sealed_failed, void* context) noexcept;

  // Reserves, makes the compressor and the partitioner, carves
  // buffer.memory.  false, with why in `why`, when it cannot.
  [[nodiscard]] bool setup(char* why, std::size_t why_size) noexcept;

  // New topic handles from Producer::topic(); true if there were any.  The
  // check is inline: it runs every pass and almost never finds one.
  bool sync_topics(std::int64_t now_ns) noexcept {
    if (shared_.topics.count.load(std::memory_order_acquire) == topics_.size()) return false;
    return add_topics(now_ns);
  }
  // Parked records first, then every ring; true if a record moved.
  bool drain(std::int64_t now_ns, std::int64_t now_ms) noexcept;
  // A record routed or parked asked for Metadata since the last call.
  [[nodiscard]] bool take_metadata_wish() noexcept { return std::exchange(metadata_wished_, false); }
  // No broker will talk to the producer (it refused the credentials, or
  // TLS failed): records waiting for metadata end at once with `error` and
  // `why`, as the Java client fails a send whose metadata fetch met an
  // AuthenticationException, until clear_unreachable() (a broker became
  // ready).  The producer stays usable.
  void set_unreachable(Errc error, const char* why) noexcept;
  void clear_unreachable() noexcept { unreachable_ = Errc::kOk; }
  // No broker is reachable, and `why` is the last failure: records that
  // time out meanwhile say "not delivered within delivery.timeout.ms: <why>"
  // instead of the bare timeout, until clear_timeout_cause() (a broker
  // became ready).
  void set_timeout_cause(const char* why) noexcept;
  void clear_timeout_cause() noexcept { timeout_cause_ = nullptr; }
  // While other brokers are up, a partition's records time out because of
  // its leader: `fn(context, node)` gives that broker's worded failure
  // when its connection is down (nullptr when it is not), and the records
  // say "not delivered within delivery.timeout.ms: <it>".
  using LeaderCause = const char* (*)(void* context, std::int32_t node) noexcept;
  void on_leader_cause(LeaderCause fn, void* context) noexcept {
    leader_cause_ = fn;
    leader_context_ = context;
  }

  // --- batches -------------------------------------------------------------
  // The partition's next batch if it may go now (the head of its queue once
  // its backoff is over, else the open batch once linger.ms has passed or
  // a flush waits).
  [[nodiscard]] Batch* sendable(PartitionState& ps, bool flushing, std::int64_t now_ns) noexcept;
  // The first sealed batch behind the head whose answer was lost, that
  // `may_send(batch)` allows now.
  template <class MaySend>
  [[nodiscard]] Batch* possibly_written_behind_head(PartitionState& ps, std::int64_t now_ns,
                                                    MaySend&& may_send) noexcept {
    if (ps.ready.head == nullptr) return nullptr;
    for (Batch* b = ps.ready.head->next; b != nullptr && b->is_sealed(); b = b->next) {
      if (b->maybe_written && b->retry_at_ns <= now_ns && may_send(*b)) return b;
    }
    return nullptr;
  }
  // Takes `b` (from sendable or possibly_written_behind_head) off its
  // partition, sealing it with `producer` fields if it was open.
  void take(PartitionState& ps, Batch* b, bool idempotent, std::int64_t producer_id,
            std::int16_t producer_epoch, std::int64_t now_ns) noexcept;
  // A batch that must go out again, in its place in the partition's order,
  // not before `backoff_ms`; reported instead when its time or its retries
  // are used up.
  void retry(Batch* b, std::int64_t backoff_ms, std::int64_t now_ns) noexcept;
  // Reports every record of `b` (those in `own` with their own message)
  // and returns its buffer to the pool.
  void finish(Batch* b, Errc error, std::int16_t kafka, const char* message,
              std::int64_t base_offset, std::int64_t log_append_ms,
              std::span<const RecordMessage> own = {}) noexcept;
  // After an epoch bump: sealed batches still queued get the new epoch and
  // fresh sequences from 0, per partition.
  void restamp_all(std::int64_t producer_id, std::int16_t producer_epoch) noexcept;
  // A queued sealed batch the broker may have written.
  [[nodiscard]] bool maybe_written_queued() const noexcept;

  // --- time ------------------------------------------------------------------
  // Each partition with batches has a timer armed for its next deadline: a
  // linger ending or a retry's backoff (which only wake the loop, whose
  // next pass sends) or its oldest batch's delivery.timeout.ms (which
  // reports it).  A partition left with no batches leaves the active list
  // when its timer fires.  A topic with parked records has one for their
  // timeouts.
  void on_timer(const core::Timer& t, std::int64_t now_ns) noexcept;
  // The topic's deadlines changed (Metadata says it is missing).
  void rearm_topic(TopicInfo& t, std::int64_t now_ns) noexcept;
  // A topic's partitions grew to `count` (Metadata); false without memory.
  bool add_partitions(TopicInfo& t, std::size_t count) noexcept;

  // After close() or a fatal error: every record in a ring, parked or in a
  // queued batch ends in a report with `error` (in-flight batches are the
  // caller's: finish() them).
  void purge(Errc error, const char* why, std::int64_t now_ns, std::int64_t now_ms) noexcept;

  // --- the topic table ------------------------------------------------------
  [[nodiscard]] std::vector<TopicInfo>& topics() noexcept { return topics_; }
  [[nodiscard]] const std::vector<TopicInfo>& topics() const noexcept { return topics_; }
  [[nodiscard]] TopicInfo* find(std::string_view name) noexcept;
  [[nodiscard]] PartitionState& partition(const Batch& b) noexcept {
    return topics_[b.topic].partitions[static_cast<std::size_t>(b.partition)];
  }
  // --- statistics ------------------------------------------------------------
  // Each batch's time from its first record taken to its sealing into a
  // request (librdkafka's int_latency); the sender resets it per snapshot.
  [[nodiscard]] metrics::Histogram& int_latency_ns() noexcept { return int_latency_ns_; }
  [[nodiscard]] std::size_t buffer_bytes_in_use() const noexcept { return pool_.bytes_in_use(); }

  // The partitions with batches open or queued, in order of first use.
  [[nodiscard]] const std::vector<std::pair<std::uint32_t, std::int32_t>>& active() const noexcept {
    return active_;
  }

 private:
  bool add_topics(std::int64_t now_ns) noexcept;
  enum class Routed : std::uint8_t { kDone, kBlocked, kWaitsForMetadata };
  Routed route(std::uint32_t slot, const handoff::RecordView& rec, std::int64_t ts,
               std::int64_t now_ns) noexcept;
  bool park(TopicInfo& t, std::uint32_t slot, std::span<const std::byte> msg,
            std::int64_t ts, std::int64_t now_ns) noexcept;
  bool replay_parked(std::int64_t now_ns) noexcept;
  Batch* acquire(std::uint8_t size_class) noexcept;
  void close_open(PartitionState& ps) noexcept;
  void activate(std::uint32_t topic, std::int32_t partition) noexcept;
  void deactivate(PartitionState& ps) noexcept;
  void rearm(PartitionState& ps, std::int64_t now_ns) noexcept;
  void expire(PartitionState& ps, std::int64_t now_ns) noexcept;
  void report_one(std::uint32_t slot, const handoff::RecordView& rec, std::int64_t ts, Errc error,
                  std::int16_t kafka, const char* message) noexcept {
    reporter_.one(slot, rec.head.opaque, rec.head.topic, rec.head.partition, ts, error, kafka,
                  message);
  }

  handoff::Shared& shared_;
  const config::Settings& s_;
  Reporter& reporter_;
  core::TimerHeap& timers_;
  SealedFailed on_sealed_failed_;
  void* context_;

  std::vector<TopicInfo> topics_;
  std::vector<std::pair<std::uint32_t, std::int32_t>> active_;
  std::uint32_t parked_topics_ = 0;  // topics with parked records
  BatchPool pool_;
  std::optional<partition::Partitioner> partitioner_;
  std::unique_ptr<compress::Compressor> compressor_;
  std::vector<std::byte> scratch_;
  std::vector<wire::RecordHeader> header_scratch_;
  bool metadata_wished_ = false;
  bool replaying_ = false;  // in replay_parked(): the pool's spare may be taken
  metrics::Histogram int_latency_ns_{metrics::kStageHighestNs};
  // `text` kept for as long as a report may point at it: in the producer's
  // message table (handoff/messages.h), with the brokers' own texts; when
  // that is full, `fallback`.
  const char* keep(const char* text, const char* fallback) noexcept;
  // A timeout's message: its cause when one is known (no broker up, or
  // the partition's `leader` down), else `plain`.
  [[nodiscard]] const char* timed_out(const char* plain, std::int32_t leader) noexcept;

  Errc unreachable_ = Errc::kOk;
  const char* unreachable_why_ = "";
  const char* timeout_cause_ = nullptr;  // "not delivered within ...: <why>" (kept)
  LeaderCause leader_cause_ = nullptr;
  void* leader_context_ = nullptr;
};

}  // namespace ringkafka::accumulator
