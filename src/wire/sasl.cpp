#include "wire/sasl.h"

namespace ringkafka::wire {

bool encode_sasl_handshake_request(Writer& w, const RequestHeader& h,
                                   std::string_view mechanism) noexcept {
  return encode_request(w, h, ApiKey::kSaslHandshake, [&](MessageWriter& m) { m.string(mechanism); });
}

DecodeStatus decode_sasl_handshake_response(std::span<const std::byte> body, std::int16_t version,
                                            SaslHandshakeResponse& out) noexcept {
  if (!version_supported(ApiKey::kSaslHandshake, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  MessageReader m(r, false);
  out = SaslHandshakeResponse{};
  out.error_code = r.int16();
  const std::int32_t n = m.array_length(2);
  for (std::int32_t i = 0; r.ok() && i < n; ++i) {
    const std::string_view name = m.string();
    if (out.mechanism_count < out.mechanisms.size()) out.mechanisms[out.mechanism_count++] = name;
  }
  return finish_decode(r);
}

bool encode_sasl_authenticate_request(Writer& w, const RequestHeader& h,
                                      std::span<const std::byte> auth_bytes) noexcept {
  return encode_request(w, h, ApiKey::kSaslAuthenticate, [&](MessageWriter& m) {
    m.bytes(auth_bytes);
    m.tagged_fields();
  });
}

DecodeStatus decode_sasl_authenticate_response(std::span<const std::byte> body, std::int16_t version,
                                               SaslAuthenticateResponse& out) noexcept {
  if (!version_supported(ApiKey::kSaslAuthenticate, version)) return DecodeStatus::kUnsupportedVersion;
  Reader r(body);
  MessageReader m(r, is_flexible(ApiKey::kSaslAuthenticate, version));
  out = SaslAuthenticateResponse{};
  out.error_code = r.int16();
  out.error_message = m.string();
  out.auth_bytes = m.bytes();
  if (version >= 1) out.session_lifetime_ms = r.int64();
  m.skip_tagged_fields();
  return finish_decode(r);
}

}  // namespace ringkafka::wire
