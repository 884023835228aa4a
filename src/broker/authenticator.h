// The SASL step of a connection's handshake (after ApiVersions, before any
// other request), as an explicit state machine: each transition takes the
// broker's decoded answer and says what to send next, so every path is
// tested without a network (tests/unit/broker_authenticator_test.cpp).
// The connection encodes, sends and receives; the mechanisms' messages are
// sasl/'s.
//
//   kIdle --start()--> kHandshake --on_handshake()--> kExchange
//     --on_authenticate()...--> kDone     (kExchange again for SCRAM's
//                                          second round, OAUTHBEARER's
//                                          error reply)
//   any refusal --> kFailed
//
// start() again after kDone is KIP-368's re-authentication: the same
// exchange on the same connection, without ApiVersions.  A control path: it
// may allocate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/security.h"
#include "sasl/scram.h"
#include "wire/sasl.h"

namespace ringkafka::broker {

// Where OAUTHBEARER's token comes from when the application supplies it
// (Config::oauthbearer_token_callback; sender/token_refresher.h keeps it
// fresh on a thread of its own).  Called on the sender thread.
class TokenSource {
 public:
  // The current token, or false with `why`.
  virtual bool current(OAuthBearerToken& token, std::string& why) = 0;

 protected:
  ~TokenSource() = default;
};

class Authenticator {
 public:
  enum class State : std::uint8_t { kIdle, kHandshake, kExchange, kDone, kFailed };

  struct Step {
    enum class Kind : std::uint8_t {
      kHandshake,     // send SaslHandshake with `bytes` as the mechanism
      kAuthenticate,  // send SaslAuthenticate carrying `bytes`
      kDone,          // authenticated
      kFailed,        // `bytes` says why
    };
    Kind kind = Kind::kFailed;
    std::string bytes;
    // kFailed: the broker refused the credentials or the mechanism; trying
    // again will not help until something changes (reported to the user,
    // not only retried).
    bool refused = false;
  };

  // `tokens`: the application's OAUTHBEARER tokens (else an unsecured one
  // is made from the settings).
  explicit Authenticator(const config::SaslSettings& settings, TokenSource* tokens = nullptr)
      : s_(settings), tokens_(tokens) {}

  [[nodiscard]] State state() const noexcept { return state_; }
  // `now_s` (seconds since the epoch) stamps an unsecured token.
  [[nodiscard]] Step start(std::int64_t now_s);
  [[nodiscard]] Step on_handshake(const wire::SaslHandshakeResponse& r);
  [[nodiscard]] Step on_authenticate(const wire::SaslAuthenticateResponse& r);
  // The broker's session lifetime from the last successful exchange
  // (SaslAuthenticate v1+), 0 when it set none: no re-authentication.
  [[nodiscard]] std::int64_t session_lifetime_ms() const noexcept { return lifetime_ms_; }

 private:
  Step fail(std::string why, bool refused);
  Step done(std::int64_t lifetime_ms);

  const config::SaslSettings& s_;
  TokenSource* tokens_;
  std::string principal_;  // OAUTHBEARER: the token's, for messages
  State state_ = State::kIdle;
  std::optional<sasl::ScramClient> scram_;
  bool oauth_error_sent_ = false;  // OAUTHBEARER: the 0x01 after a refused token
  std::string oauth_status_;       // the server's JSON status, for the message
  std::int64_t lifetime_ms_ = 0;
  std::int64_t now_s_ = 0;
};

}  // namespace ringkafka::broker
