// The one-message SASL mechanisms Kafka offers, as the client sends them in
// SaslAuthenticate: PLAIN (RFC 4616) and OAUTHBEARER (RFC 7628, KIP-255),
// with the unsecured JWT Kafka's default OAUTHBEARER validator accepts (for
// tests and development clusters; RFC 7515 appendix A.5).  SCRAM, which
// takes two round trips, is scram.h.  A control path: it may allocate.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ringkafka::sasl {

// "\0USER\0PASSWORD": no authorization identity, as Java and librdkafka send.
[[nodiscard]] std::string plain_message(std::string_view user, std::string_view password);

// "n,,\x01auth=Bearer TOKEN\x01[KEY=VALUE\x01]...\x01": the client's
// initial response.  Extension keys are letters only (RFC 7628 section 3.1;
// "auth" is reserved); false, with `error` set, for one that is not.
[[nodiscard]] bool oauthbearer_message(std::string_view token,
                                       const std::vector<std::pair<std::string, std::string>>& extensions,
                                       std::string& out, std::string& error);

// What the client answers when the server refused the token with a JSON
// status message (RFC 7628 section 3.2.3): a lone 0x01, after which the
// server fails the authentication.
[[nodiscard]] std::string oauthbearer_error_reply();

// base64url(`{"alg":"none"}`) "." base64url(claims) ".": an unsigned token
// for `subject`, issued at `now_s` (seconds since the epoch) and expiring
// `lifetime_s` later, with `scope` if not empty.
[[nodiscard]] std::string unsecured_jwt(std::string_view subject, std::int64_t now_s,
                                        std::int64_t lifetime_s, std::string_view scope = {});

}  // namespace ringkafka::sasl
