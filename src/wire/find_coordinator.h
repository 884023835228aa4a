// FindCoordinator (key 10), versions 3-5: the broker that coordinates a
// transactional id (key type 1).  Version 4+ batches keys (KIP-699); we ask
// for one key and read the one answer.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

enum class CoordinatorType : std::int8_t { kGroup = 0, kTransaction = 1 };

struct FindCoordinatorRequest {
  std::string_view key;
  CoordinatorType key_type = CoordinatorType::kTransaction;
};

[[nodiscard]] bool encode_find_coordinator_request(Writer& w, const RequestHeader& h,
                                                   const FindCoordinatorRequest& req) noexcept;

struct FindCoordinatorResponse {
  std::int32_t throttle_time_ms = 0;
  std::int16_t error_code = 0;
  std::string_view error_message;
  std::string_view key;  // v4+
  std::int32_t node_id = -1;
  std::string_view host;
  std::int32_t port = -1;
};

// For v4+, a response must carry exactly one coordinator (the one asked for).
[[nodiscard]] DecodeStatus decode_find_coordinator_response(std::span<const std::byte> body,
                                                            std::int16_t version,
                                                            FindCoordinatorResponse& out) noexcept;

}  // namespace ringkafka::wire
