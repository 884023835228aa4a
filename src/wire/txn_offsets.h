// The consumed offsets of a consume-transform-produce transaction:
//   AddOffsetsToTxn (key 25, v3-4) tells the transaction coordinator that
//     the consumer group's offsets are part of the transaction (the first
//     transaction protocol only; TxnOffsetCommit v5 does it itself).
//   TxnOffsetCommit (key 28, v3-5) gives the offsets to the group
//     coordinator, with the consumer's generation and member id (KIP-447),
//     to take effect when the transaction commits.
// All versions here are flexible and v3-5 of each share one layout.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "wire/add_partitions_to_txn.h"
#include "wire/protocol.h"

namespace ringkafka::wire {

struct AddOffsetsToTxnRequest {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::string_view group_id;
};
[[nodiscard]] bool encode_add_offsets_to_txn_request(Writer& w, const RequestHeader& h,
                                                     const AddOffsetsToTxnRequest& req) noexcept;
// The answer's error code (throttle time ignored), or a decode status.
[[nodiscard]] DecodeStatus decode_add_offsets_to_txn_response(std::span<const std::byte> body,
                                                              std::int16_t version,
                                                              std::int16_t& error_code) noexcept;

struct TxnOffset {
  std::int32_t partition = -1;
  std::int64_t offset = -1;        // the next record to consume
  std::int32_t leader_epoch = -1;  // of the last record consumed; -1 unknown
  std::optional<std::string_view> metadata;
};
struct TxnOffsetTopic {
  std::string_view name;
  std::span<const TxnOffset> partitions;
};
struct TxnOffsetCommitRequest {
  std::string_view transactional_id;
  std::string_view group_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  std::int32_t generation_id = -1;
  std::string_view member_id;
  std::optional<std::string_view> group_instance_id;
  std::span<const TxnOffsetTopic> topics;
};
[[nodiscard]] bool encode_txn_offset_commit_request(Writer& w, const RequestHeader& h,
                                                    const TxnOffsetCommitRequest& req) noexcept;

using TxnOffsetCommitVisitor = PartitionErrorVisitor;
// The visitor sees nothing of an answer that does not decode whole.
[[nodiscard]] DecodeStatus decode_txn_offset_commit_response(std::span<const std::byte> body,
                                                             std::int16_t version,
                                                             TxnOffsetCommitVisitor& visitor) noexcept;

}  // namespace ringkafka::wire
