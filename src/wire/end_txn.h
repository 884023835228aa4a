// EndTxn (key 26), versions 3-5: commit or abort the ongoing transaction.
// Version 5 belongs to the second transaction protocol (KIP-890 part 2):
// the coordinator bumps the epoch at every end and the answer carries the
// producer id and epoch for the next transaction.  Use it only when the
// cluster's transaction.version is 2 or more.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct EndTxnRequest {
  std::string_view transactional_id;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
  bool committed = false;
};

[[nodiscard]] bool encode_end_txn_request(Writer& w, const RequestHeader& h,
                                          const EndTxnRequest& req) noexcept;

struct EndTxnResponse {
  std::int32_t throttle_time_ms = 0;
  std::int16_t error_code = 0;
  std::int64_t producer_id = -1;     // v5+
  std::int16_t producer_epoch = -1;  // v5+
};

[[nodiscard]] DecodeStatus decode_end_txn_response(std::span<const std::byte> body,
                                                   std::int16_t version,
                                                   EndTxnResponse& out) noexcept;

}  // namespace ringkafka::wire
