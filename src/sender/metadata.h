// Cluster metadata: a Metadata answer applied to the broker table (brokers
// added, moved, pruned when they leave) and the topic table (partitions,
// which only grow in Kafka; leaders with their leader epochs), and the
// KIP-951 leader hint of a Produce answer.
//
// Leader epochs order what we learn: a leader older than the one we know
// (an answer from a broker whose metadata lags, or a hint that raced a
// newer Metadata answer) is ignored, as the Java client does.  An epoch of
// -1 (Metadata before v7) carries no order and is applied.
#pragma once

#include <cstdint>
#include <span>

#include "accumulator/accumulator.h"
#include "broker/brokers.h"
#include "config/log.h"

namespace ringkafka::sender {

struct MetadataOutcome {
  bool decoded = false;
  // A topic still unknown or a partition without a leader: ask again soon.
  bool incomplete = false;
};

[[nodiscard]] MetadataOutcome apply_metadata(std::span<const std::byte> body, std::int16_t version,
                                             broker::Brokers& brokers,
                                             broker::ConnectionEvents& events,
                                             accumulator::Accumulator& acc,
                                             std::int64_t now_ns,
                                             const config::Log* log = nullptr) noexcept;

// A leader learnt with `epoch`: true if it was applied (newer, or no epoch
// to compare).
inline bool learn_leader(accumulator::PartitionState& ps, std::int32_t leader,
                         std::int32_t epoch) noexcept {
  if (leader < 0) return false;
  if (epoch >= 0 && ps.leader_epoch >= 0 && epoch < ps.leader_epoch) return false;
  ps.leader = leader;
  if (epoch >= 0) ps.leader_epoch = epoch;
  return true;
}

// KIP-951: a Produce answer's current leader, only when strictly newer.
inline bool learn_leader_hint(accumulator::PartitionState& ps, std::int32_t leader,
                              std::int32_t epoch) noexcept {
  if (leader < 0 || epoch < 0 || epoch <= ps.leader_epoch) return false;
  return learn_leader(ps, leader, epoch);
}

}  // namespace ringkafka::sender
