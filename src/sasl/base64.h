// Base64 for the SASL messages: standard with padding (RFC 4648 section 4:
// SCRAM's salts, proofs and signatures) and base64url without padding
// (section 5: JWTs).  OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock underneath.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ringkafka::sasl {

[[nodiscard]] std::string base64(std::span<const unsigned char> bytes);
// Strict: a length that is a multiple of 4, only the alphabet, '=' only as
// padding at the end; nullopt otherwise (and for an empty input).
[[nodiscard]] std::optional<std::vector<unsigned char>> unbase64(std::string_view text);
[[nodiscard]] std::string base64url(std::string_view bytes);

}  // namespace ringkafka::sasl
