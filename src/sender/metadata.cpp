#include "sender/metadata.h"

#include "sender/error_name.h"
#include "wire/error_code.h"
#include "wire/metadata.h"

namespace ringkafka::sender {
namespace {

using accumulator::PartitionState;
using accumulator::TopicInfo;
using accumulator::TopicStatus;

struct Apply final : wire::MetadataVisitor {
  Apply(broker::Brokers& b, broker::ConnectionEvents& e, accumulator::Accumulator& a,
        std::int64_t now, const config::Log& l) noexcept
      : brokers(b), events(e), acc(a), now_ns(now), log(l) {}

  void on_broker(const wire::MetadataBroker& b) noexcept override {
    RK_DEBUG(log, kMetadata, "broker node %d at %.*s:%d", b.node_id,
             static_cast<int>(b.host.size()), b.host.data(), b.port);
    brokers.listed(b.node_id, b.host, static_cast<std::uint16_t>(b.port), events);
  }
  void on_topic(const wire::MetadataTopic& mt) noexcept override {
    TopicInfo* t = acc.find(mt.name);
    if (t == nullptr) return;
    if (mt.error_code == wire::code(wire::ErrorCode::kTopicAuthorizationFailed)) {
      t->status = TopicStatus::kDenied;
      return;
    }
    if (mt.error_code != 0) {
      const ErrorName e(mt.error_code);
      RK_DEBUG(log, kMetadata, "topic %.*s: %.*s", static_cast<int>(mt.name.size()),
               mt.name.data(), e.size(), e.data());
      if (t->status == TopicStatus::kDenied) t->status = TopicStatus::kUnknown;
      if (t->status != TopicStatus::kMissing) t->missing_since_ns = now_ns;
      if (t->status != TopicStatus::kOk) {
        t->status = TopicStatus::kMissing;
        // Its parked records now also end at topic.metadata.propagation.max.ms.
        if (!t->parked.empty()) acc.rearm_topic(*t, now_ns);
      }
      return;
    }
    // Partitions only grow in Kafka.
    if (mt.partition_count < 0 ||
        !acc.add_partitions(*t, static_cast<std::size_t>(mt.partition_count))) {
      return;
    }
    if (t->partition_count != static_cast<std::int32_t>(t->partitions.size())) {
      RK_DEBUG(log, kMetadata, "topic %.*s: %zu partitions", static_cast<int>(mt.name.size()),
               mt.name.data(), t->partitions.size());
    }
    t->partition_count = static_cast<std::int32_t>(t->partitions.size());
    t->status = TopicStatus::kOk;
  }
  void on_partition(const wire::MetadataTopic& mt,
                    const wire::MetadataPartition& mp) noexcept override {
    TopicInfo* t = acc.find(mt.name);
    if (t == nullptr || mp.partition < 0 ||
        static_cast<std::size_t>(mp.partition) >= t->partitions.size()) {
      return;
    }
    PartitionState& ps = t->partitions[static_cast<std::size_t>(mp.partition)];
    if (mp.leader_id < 0) {
      ps.leader = -1;  // no leader now (an election): wait for the next one
      RK_DEBUG(log, kMetadata, "%.*s [%d]: no leader", static_cast<int>(mt.name.size()),
               mt.name.data(), mp.partition);
      return;
    }
    const std::int32_t was = ps.leader;
    if (learn_leader(ps, mp.leader_id, mp.leader_epoch) && was != ps.leader) {
      RK_DEBUG(log, kMetadata, "%.*s [%d]: leader node %d (epoch %d, was %d)",
               static_cast<int>(mt.name.size()), mt.name.data(), mp.partition, ps.leader,
               ps.leader_epoch, was);
    }
  }

  broker::Brokers& brokers;
  broker::ConnectionEvents& events;
  accumulator::Accumulator& acc;
  std::int64_t now_ns;
  const config::Log& log;
};

const config::Log kSilent;  // for callers that log nothing (tests)

}  // namespace

MetadataOutcome apply_metadata(std::span<const std::byte> body, std::int16_t version,
                               broker::Brokers& brokers, broker::ConnectionEvents& events,
                               accumulator::Accumulator& acc, std::int64_t now_ns,
                               const config::Log* log) noexcept {
  MetadataOutcome out;
  Apply apply(brokers, events, acc, now_ns, log != nullptr ? *log : kSilent);
  brokers.begin_listing();
  if (wire::decode_metadata_response(body, version, apply) != wire::DecodeStatus::kOk) {
    return out;  // a half-read answer prunes no broker (no end_listing)
  }
  brokers.end_listing(events);
  out.decoded = true;
  for (const TopicInfo& t : acc.topics()) {
    // A denied topic is asked about again when a record for it comes
    // (Accumulator::route), not on a timer.
    if (t.status != TopicStatus::kOk && t.status != TopicStatus::kDenied) out.incomplete = true;
    for (const PartitionState& ps : t.partitions) out.incomplete |= ps.leader < 0;
  }
  return out;
}

}  // namespace ringkafka::sender
