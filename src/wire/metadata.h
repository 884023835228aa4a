// Metadata (key 3), versions 9-12: brokers, topics, partitions and leaders.
//
// The response is decoded twice over the same bytes: once to check all of
// it, then once more calling the visitor, so a visitor never sees part of a
// response that turns out malformed.  Nothing is copied; the string views
// point into the response buffer and live as long as it does.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct MetadataRequest {
  // Topics to describe; all_topics asks for every topic (a null array).
  std::span<const std::string_view> topics;
  bool all_topics = false;
  // Off by default: a producer should not create topics by asking about them.
  bool allow_auto_topic_creation = false;
};

[[nodiscard]] bool encode_metadata_request(Writer& w, const RequestHeader& h,
                                           const MetadataRequest& req) noexcept;

using TopicId = std::array<std::byte, 16>;

struct MetadataBroker {
  std::int32_t node_id = -1;
  std::string_view host;
  std::int32_t port = -1;
  std::string_view rack;  // empty when the broker has none
};

struct MetadataTopic {
  std::int16_t error_code = 0;
  std::string_view name;
  TopicId topic_id{};
  bool is_internal = false;
  std::int32_t partition_count = 0;
};

struct MetadataPartition {
  std::int16_t error_code = 0;
  std::int32_t partition = -1;
  std::int32_t leader_id = -1;
  std::int32_t leader_epoch = -1;
  std::int32_t replica_count = 0;
  std::int32_t isr_count = 0;
  std::int32_t offline_replica_count = 0;
};

struct MetadataCluster {
  std::int32_t throttle_time_ms = 0;
  std::string_view cluster_id;
  std::int32_t controller_id = -1;
};

class MetadataVisitor {
 public:
  virtual ~MetadataVisitor() = default;
  virtual void on_broker(const MetadataBroker&) noexcept {}
  virtual void on_topic(const MetadataTopic&) noexcept {}
  virtual void on_partition(const MetadataTopic&, const MetadataPartition&) noexcept {}
  virtual void on_cluster(const MetadataCluster&) noexcept {}
};

[[nodiscard]] DecodeStatus decode_metadata_response(std::span<const std::byte> body,
                                                    std::int16_t version,
                                                    MetadataVisitor& visitor) noexcept;

}  // namespace ringkafka::wire
