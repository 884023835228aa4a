// Delivery reports, from the sender to the producing threads: one per
// accepted record, into its thread's report queue (poll mode) or through
// the delivery callback, on the sender thread.  No policy: what a result
// means (a retry, an epoch bump) is decided before a record gets here.
//
// `reported` is counted after the report is pushed, with a release store
// that flush() and close() pair with: a thread that sees the count sees
// the report.  Only the sender writes it, so it is a load and a store, not
// a read-modify-write.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "accumulator/batch.h"
#include "core/clock.h"
#include "handoff/shared.h"
#include "metrics/summary.h"
#include "ringkafka/producer.h"
#include "ringkafka/statistics.h"

namespace ringkafka::accumulator {

// A record of a batch with a text of its own (a per-record error).
struct RecordMessage {
  std::uint32_t index = 0;  // in the batch
  const char* message = "";
};

class Reporter {
 public:
  explicit Reporter(handoff::Shared& shared) noexcept : shared_(shared) {}

  // A record that never got into a batch (unknown topic, bad partition,
  // purged from its ring): never sent, so kNotPersisted.  `message` is
  // static text.
  void one(std::uint32_t slot, void* opaque, std::uint32_t topic, std::int32_t partition,
           std::int64_t timestamp_ms, Errc error, std::int16_t kafka_error,
           const char* message) noexcept {
    DeliveryReport r;
    r.opaque = opaque;
    r.topic = Topic{topic};
    r.partition = partition;
    r.timestamp_ms = timestamp_ms;
    r.error = error;
    r.kafka_error = error == Errc::kBroker ? kafka_error : 0;
    r.message = message;
    deliver(slot, r);
  }

  // Every record of `b`, with offsets from `base_offset` (-1: none) and the
  // broker's log-append time when it gave one (-1: the record's own).  A
  // record named in `own` gets its own message instead of `message`.
  void batch(const Batch& b, Errc error, std::int16_t kafka_error, const char* message,
             std::int64_t base_offset, std::int64_t log_append_ms, Persistence persisted,
             std::span<const RecordMessage> own = {}) noexcept {
    const std::uint32_t n = b.count();
    // One clock read per batch: its records share the latency.
    latency_ns_.record(static_cast<std::uint64_t>(core::mono_ns() - b.created_ns), n);
    for (std::uint32_t i = 0; i < n; ++i) {
      const RecordMeta& m = b.meta(i);
      DeliveryReport r;
      r.opaque = m.opaque;
      r.topic = Topic{b.topic};
      r.partition = b.partition;
      r.offset = base_offset >= 0 ? base_offset + i : -1;
      r.timestamp_ms = log_append_ms >= 0 ? log_append_ms : m.timestamp_ms;
      r.error = error;
      r.kafka_error = kafka_error;
      r.message = message;
      for (const RecordMessage& o : own) {
        if (o.index == i) r.message = o.message;
      }
      r.sent_ns = b.sent_ns;
      r.persisted = persisted;
      deliver(m.slot, r);
    }
  }

  // --- statistics -----------------------------------------------------------
  // Reports made, by their Errc (kOk: delivered).
  [[nodiscard]] const std::array<std::uint64_t, kErrcCount>& by_cause() const noexcept {
    return by_cause_;
  }
  // A batch's first record taken -> its reports made, per record (an
  // upper bound for the batch's later records); the sender resets it per
  // snapshot.
  [[nodiscard]] metrics::Histogram& latency_ns() noexcept { return latency_ns_; }

 private:
  void deliver(std::uint32_t slot_index, const DeliveryReport& r) noexcept {
    handoff::Slot& slot = *shared_.slots[slot_index];
    const config::Settings& s = shared_.settings;
    if (s.callback != nullptr) {
      s.callback(r, s.callback_context);
    } else {
      slot.reports.push(r);
    }
    if (r.error != Errc::kOk) [[unlikely]] handoff::bump(shared_.counters.records_failed);
    // Every Errc has a place (errors_test holds kErrcCount to the enum).
    const auto cause = static_cast<std::size_t>(r.error);
    if (cause < by_cause_.size()) [[likely]] ++by_cause_[cause];
    slot.reported.store(slot.reported.load(std::memory_order_relaxed) + 1,
                        std::memory_order_release);  // pairs with flush()'s acquire
  }

  handoff::Shared& shared_;
  std::array<std::uint64_t, kErrcCount> by_cause_{};
  metrics::Histogram latency_ns_{metrics::kStageHighestNs};
};

}  // namespace ringkafka::accumulator
