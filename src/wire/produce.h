// Produce (key 0), versions 3-12: record batches to partition leaders, and
// the broker's answer per partition.
//
//   ProduceRequest
//     transactional_id  nullable string
//     acks              int16   (0, 1, -1)
//     timeout_ms        int32
//     topics[]          name, partitions[] { index, records }
//
// Versions 9+ are flexible (compact strings, arrays and records, tagged
// fields).  Version 10+ responses may carry, as tagged fields, the current
// leader of a partition that answered NOT_LEADER_OR_FOLLOWER and the
// endpoints of the brokers named there (KIP-951), so the producer can re-route
// without waiting for a metadata refresh.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct ProducePartitionData {
  std::int32_t partition = -1;
  std::span<const std::byte> records;  // one or more complete RecordBatch v2
};

struct ProduceTopicData {
  std::string_view name;
  std::span<const ProducePartitionData> partitions;
};

struct ProduceRequest {
  const std::string_view* transactional_id = nullptr;  // null outside transactions
  std::int16_t acks = -1;
  std::int32_t timeout_ms = 30000;
  std::span<const ProduceTopicData> topics;
};

[[nodiscard]] bool encode_produce_request(Writer& w, const RequestHeader& h,
                                          const ProduceRequest& req) noexcept;

struct ProducePartitionResponse {
  std::string_view topic;
  std::int32_t partition = -1;
  std::int16_t error_code = 0;
  std::int64_t base_offset = -1;
  std::int64_t log_append_time_ms = -1;
  std::int64_t log_start_offset = -1;
  std::int32_t record_error_count = 0;
  std::string_view error_message;  // empty when null
  // From the CurrentLeader tagged field (v10+); -1 when absent.
  std::int32_t current_leader_id = -1;
  std::int32_t current_leader_epoch = -1;
};

struct ProduceRecordError {
  std::string_view topic;
  std::int32_t partition = -1;
  std::int32_t batch_index = -1;  // index of the record in its batch
  std::string_view message;
};

struct ProduceNodeEndpoint {
  std::int32_t node_id = -1;
  std::string_view host;
  std::int32_t port = -1;
  std::string_view rack;
};

class ProduceResponseVisitor {
 public:
  virtual ~ProduceResponseVisitor() = default;
  virtual void on_partition(const ProducePartitionResponse&) noexcept {}
  virtual void on_record_error(const ProduceRecordError&) noexcept {}
  virtual void on_node_endpoint(const ProduceNodeEndpoint&) noexcept {}
  virtual void on_throttle(std::int32_t /*throttle_time_ms*/) noexcept {}
};

// Checks the whole body first, then calls the visitor (see metadata.h).
[[nodiscard]] DecodeStatus decode_produce_response(std::span<const std::byte> body,
                                                   std::int16_t version,
                                                   ProduceResponseVisitor& visitor) noexcept;

}  // namespace ringkafka::wire
