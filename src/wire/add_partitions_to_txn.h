// AddPartitionsToTxn (key 24), version 3, the last version clients send
// (4+ is broker to broker): registers partitions with the ongoing
// transaction before the first batch goes to them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct TxnTopicPartitions {
  std::string_view name;
  std::span<const std::int32_t> partitions;
};

struct AddPartitionsToTxnRequest {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::span<const TxnTopicPartitions> topics;
};

[[nodiscard]] bool encode_add_partitions_to_txn_request(
    Writer& w, const RequestHeader& h, const AddPartitionsToTxnRequest& req) noexcept;

// Each partition's error code in an answer laid out as AddPartitionsToTxn
// v3's and TxnOffsetCommit v3-5's are: throttle, then per topic its name
// and per partition its index and error.
class PartitionErrorVisitor {
 public:
  virtual ~PartitionErrorVisitor() = default;
  virtual void on_partition(std::string_view topic, std::int32_t partition,
                            std::int16_t error_code) noexcept = 0;
};
using AddPartitionsToTxnVisitor = PartitionErrorVisitor;

[[nodiscard]] DecodeStatus decode_add_partitions_to_txn_response(
    std::span<const std::byte> body, std::int16_t version, std::int32_t& throttle_time_ms,
    AddPartitionsToTxnVisitor& visitor) noexcept;

// That layout, flexible: the visitor sees nothing of a body that does not
// decode whole.
[[nodiscard]] DecodeStatus decode_partition_errors(std::span<const std::byte> body,
                                                   std::int32_t& throttle_time_ms,
                                                   PartitionErrorVisitor& visitor) noexcept;

}  // namespace ringkafka::wire
