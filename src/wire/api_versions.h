// ApiVersions (key 18): what the broker speaks, and the version ringkafka
// picks for each API from that.
//
// A broker that does not know the request's version answers in version 0
// with UNSUPPORTED_VERSION (35) and its own ApiVersions range (KIP-511); the
// caller then decodes that answer as version 0 and asks again at a version
// both sides know.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "wire/protocol.h"

namespace ringkafka::wire {

struct ApiVersionsRequest {
  // Sent from version 3 on (KIP-511); a broker shows them in its metrics.
  std::string_view client_software_name = "ringkafka";
  std::string_view client_software_version;
};

[[nodiscard]] bool encode_api_versions_request(Writer& w, const RequestHeader& h,
                                               const ApiVersionsRequest& req) noexcept;

struct ApiVersionsResponse {
  // Versions by API key; keys past the table's end are ignored (no API a
  // producer uses is near it).
  static constexpr std::size_t kMaxApiKey = 127;

  std::int16_t error_code = 0;
  std::int32_t throttle_time_ms = 0;
  std::array<VersionRange, kMaxApiKey + 1> versions{};
  // The cluster's finalized `transaction.version` (FinalizedFeatures, tag 2,
  // v3+), 0 when absent or its epoch is unknown: 2 and above is KIP-890's
  // second transaction protocol.
  std::int16_t transaction_version = 0;

  [[nodiscard]] VersionRange range(ApiKey key) const noexcept {
    return versions[static_cast<std::size_t>(key)];
  }
};

// Decodes the body after the response header.
[[nodiscard]] DecodeStatus decode_api_versions_response(std::span<const std::byte> body,
                                                        std::int16_t version,
                                                        ApiVersionsResponse& out) noexcept;

// The highest version both ringkafka and the broker speak, or -1 if none.
[[nodiscard]] std::int16_t negotiate_version(ApiKey key,
                                             const ApiVersionsResponse& broker) noexcept;

}  // namespace ringkafka::wire
