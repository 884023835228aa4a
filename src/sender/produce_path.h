// Produce requests: which batches go to a broker now (the accumulator's
// sendable batches, through idempotence's gates in producer_state.h), the
// request that carries them, and what each partition's answer means for
// its batch (ack, retry, retry after a bump, fail).  The Loop in sender.cpp
// calls it; the connection under it is broker/connection.h's.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "accumulator/accumulator.h"
#include "broker/connection.h"
#include "core/jitter.h"
#include "handoff/shared.h"
#include "sender/producer_state.h"
#include "sender/txn_gate.h"
#include "wire/produce.h"

namespace ringkafka::sender {

class ProducePath {
 public:
  ProducePath(handoff::Shared& shared, accumulator::Accumulator& acc, ProducerState& pstate,
              TxnGate& gate, core::Jitter& jitter) noexcept
      : shared_(shared), s_(shared.settings), acc_(acc), pstate_(pstate), gate_(gate),
        jitter_(jitter) {}

  // Reserves the per-request scratch (nothing grows while records flow).
  void setup();
  // Who hears that a Produce answer made the producer unusable (a
  // transactional producer fenced); the loop's fatal().
  using Fatal = void (*)(void* context, const char* why) noexcept;
  void on_fatal(Fatal fatal, void* context) noexcept {
    fatal_ = fatal;
    fatal_context_ = context;
  }

  // Sends what may go to `c`'s broker now; true if a request went.
  bool send(broker::Connection& c, broker::ConnectionEvents& events, std::int64_t now_ns) noexcept;
  // An answer to one of our Produce requests.
  void on_answer(broker::Connection& c, const broker::InFlight& f, std::span<const std::byte> body,
                 std::int64_t now_ns) noexcept;
  // acks=0: the kernel took the request; its records count as sent.
  void complete_unanswered(broker::Connection& c) noexcept;
  // The batches of a request that got no answer go out again.
  void requeue(accumulator::Batch* b, std::int64_t now_ns) noexcept;

  // Some answer asked for fresh metadata (since the last call).
  [[nodiscard]] bool take_metadata_wish() noexcept {
    const bool w = metadata_wished_;
    metadata_wished_ = false;
    return w;
  }

  // Batches in one Produce request at most; the rest go in the next one.
  static constexpr std::size_t kMaxBatchesPerRequest = 256;

 private:
  struct Apply;
  static std::int64_t append_time(const accumulator::Batch& b, std::int64_t log_append_ms) noexcept;
  void on_batch_result(accumulator::Batch* b, const wire::ProducePartitionResponse& p,
                       std::int64_t now_ns) noexcept;
  // The broker's words for a failed batch, behind the error's name.
  const char* failure_text(std::int16_t code, std::string_view broker_text) noexcept;
  static BatchFacts facts(const accumulator::Batch& b) noexcept {
    return {b.is_sealed(), b.attempts, b.maybe_written};
  }
  static PartitionFacts facts(const accumulator::PartitionState& ps) noexcept {
    return {ps.in_flight, ps.in_flight_node, ps.acked_in_epoch};
  }

  handoff::Shared& shared_;
  const config::Settings& s_;
  Fatal fatal_ = nullptr;
  void* fatal_context_ = nullptr;
  accumulator::Accumulator& acc_;
  ProducerState& pstate_;
  TxnGate& gate_;
  core::Jitter& jitter_;
  bool metadata_wished_ = false;
  std::vector<wire::ProducePartitionData> part_scratch_;
  std::vector<wire::ProduceTopicData> topic_scratch_;
  std::vector<accumulator::Batch*> batch_scratch_;
  // Per-record errors (KIP-467) of the partition being read: they come
  // before its on_partition().  At most kMaxRecordErrors are kept.
  static constexpr std::size_t kMaxRecordErrors = 64;
  std::array<accumulator::RecordMessage, kMaxRecordErrors> record_errors_{};
  std::size_t record_error_count_ = 0;
};

}  // namespace ringkafka::sender
