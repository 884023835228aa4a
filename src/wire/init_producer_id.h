// InitProducerId (key 22), versions 2-5: a producer id and epoch for the
// idempotent producer (no transactional id) or for a transactional one.
// Version 3+ can pass the current id and epoch to bump the epoch instead of
// getting a new id (KIP-360), which is how a producer recovers from
// UNKNOWN_PRODUCER_ID or OUT_OF_ORDER_SEQUENCE_NUMBER without losing order.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct InitProducerIdRequest {
  const std::string_view* transactional_id = nullptr;
  std::int32_t transaction_timeout_ms = -1;
  std::int64_t producer_id = -1;     // v3+: the id to bump, or -1
  std::int16_t producer_epoch = -1;  // v3+
};

[[nodiscard]] bool encode_init_producer_id_request(Writer& w, const RequestHeader& h,
                                                   const InitProducerIdRequest& req) noexcept;

struct InitProducerIdResponse {
  std::int32_t throttle_time_ms = 0;
  std::int16_t error_code = 0;
  std::int64_t producer_id = -1;
  std::int16_t producer_epoch = -1;
};

[[nodiscard]] DecodeStatus decode_init_producer_id_response(std::span<const std::byte> body,
                                                            std::int16_t version,
                                                            InitProducerIdResponse& out) noexcept;

}  // namespace ringkafka::wire
