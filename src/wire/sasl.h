// SaslHandshake (key 17) v1 and SaslAuthenticate (key 36) v0-2: the SASL
// exchange a connection runs after ApiVersions and before any other request
// (KIP-43, KIP-152).  Version 1 of the handshake means the mechanism's
// messages then travel in SaslAuthenticate frames, not raw.  SaslAuthenticate
// v1+ answers with the session's lifetime (KIP-368: re-authenticate before
// it ends); v2 is flexible.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

[[nodiscard]] bool encode_sasl_handshake_request(Writer& w, const RequestHeader& h,
                                                 std::string_view mechanism) noexcept;

struct SaslHandshakeResponse {
  std::int16_t error_code = 0;
  // The mechanisms the listener enables (the answer to a mechanism it does
  // not: UNSUPPORTED_SASL_MECHANISM), the first kMaxMechanisms of them.
  static constexpr std::size_t kMaxMechanisms = 16;
  std::array<std::string_view, kMaxMechanisms> mechanisms{};
  std::size_t mechanism_count = 0;
};

[[nodiscard]] DecodeStatus decode_sasl_handshake_response(std::span<const std::byte> body,
                                                          std::int16_t version,
                                                          SaslHandshakeResponse& out) noexcept;

[[nodiscard]] bool encode_sasl_authenticate_request(Writer& w, const RequestHeader& h,
                                                    std::span<const std::byte> auth_bytes) noexcept;

struct SaslAuthenticateResponse {
  std::int16_t error_code = 0;
  std::string_view error_message;  // the broker's text (empty if null)
  std::span<const std::byte> auth_bytes;  // the mechanism's next message from the server
  std::int64_t session_lifetime_ms = 0;  // v1+; 0: no re-authentication needed
};

[[nodiscard]] DecodeStatus decode_sasl_authenticate_response(std::span<const std::byte> body,
                                                             std::int16_t version,
                                                             SaslAuthenticateResponse& out) noexcept;

}  // namespace ringkafka::wire
