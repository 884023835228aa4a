#include "wire/metadata.h"

#include <cstring>

namespace ringkafka::wire {
namespace {

constexpr ApiKey kKey = ApiKey::kMetadata;

void skip_int32_array(MessageReader& m, std::int32_t& count) noexcept {
  count = m.array_length(4);
  for (std::int32_t i = 0; i < count && m.ok(); ++i) (void)m.raw().int32();
}

DecodeStatus walk(std::span<const std::byte> body, std::int16_t version,
                  MetadataVisitor* visitor) noexcept {
  Reader r(body);
  MessageReader m(r, true);  // every version we speak is flexible
  MetadataCluster cluster;
  cluster.throttle_time_ms = r.int32();

  // A broker takes at least: node id, empty host, port, null rack, tags.
  const std::int32_t brokers = m.array_length(4 + 1 + 4 + 1 + 1);
  for (std::int32_t i = 0; i < brokers && r.ok(); ++i) {
    MetadataBroker b;
    b.node_id = r.int32();
    b.host = m.string();
    b.port = r.int32();
    b.rack = m.string();
    m.skip_tagged_fields();
    if (visitor != nullptr) visitor->on_broker(b);
  }
  cluster.cluster_id = m.string();
  cluster.controller_id = r.int32();

  // Minimum sizes are true lower bounds (empty strings and arrays), so the
  // count check never refuses a valid response.
  const bool has_topic_id = version >= 10;
  const std::int32_t topics = m.array_length(2 + 1 + (has_topic_id ? 16 : 0) + 1 + 1 + 4 + 1);
  for (std::int32_t t = 0; t < topics && r.ok(); ++t) {
    MetadataTopic topic;
    topic.error_code = r.int16();
    topic.name = m.string();
    if (has_topic_id) {
      if (const auto id = r.raw(16); id.size() == 16) std::memcpy(topic.topic_id.data(), id.data(), 16);
    }
    topic.is_internal = r.boolean();
    topic.partition_count = m.array_length(2 + 4 + 4 + 4 + 1 + 1 + 1 + 1);
    if (visitor != nullptr && r.ok()) visitor->on_topic(topic);
    for (std::int32_t p = 0; p < topic.partition_count && r.ok(); ++p) {
      MetadataPartition part;
      part.error_code = r.int16();
      part.partition = r.int32();
      part.leader_id = r.int32();
      part.leader_epoch = r.int32();
      skip_int32_array(m, part.replica_count);
      skip_int32_array(m, part.isr_count);
      skip_int32_array(m, part.offline_replica_count);
      m.skip_tagged_fields();
      if (visitor != nullptr && r.ok()) visitor->on_partition(topic, part);
    }
    (void)r.int32();  // topic authorized operations: not requested
    m.skip_tagged_fields();
  }
  if (version <= 10) (void)r.int32();  // cluster authorized operations (9-10)
  m.skip_tagged_fields();
  if (visitor != nullptr && r.ok()) visitor->on_cluster(cluster);
  return finish_decode(r);
}

}  // namespace

bool encode_metadata_request(Writer& w, const RequestHeader& h,
                             const MetadataRequest& req) noexcept {
  return encode_request(w, h, kKey, [&](MessageWriter& m) {
    if (req.all_topics) {
      m.null_array();
    } else {
      m.array_length(req.topics.size());
      for (const auto& name : req.topics) {
        if (h.api_version >= 10) w.raw(std::span<const std::byte>(TopicId{}));  // zero uuid: by name
        m.string(name);
        m.tagged_fields();
      }
    }
    w.boolean(req.allow_auto_topic_creation);
    if (h.api_version <= 10) w.boolean(false);  // include cluster authorized operations
    w.boolean(false);                           // include topic authorized operations
    m.tagged_fields();
  });
}

DecodeStatus decode_metadata_response(std::span<const std::byte> body, std::int16_t version,
                                      MetadataVisitor& visitor) noexcept {
  if (!version_supported(kKey, version)) return DecodeStatus::kUnsupportedVersion;
  if (const DecodeStatus s = walk(body, version, nullptr); s != DecodeStatus::kOk) return s;
  return walk(body, version, &visitor);
}

}  // namespace ringkafka::wire
