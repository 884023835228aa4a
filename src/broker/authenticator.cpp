#include "broker/authenticator.h"

#include <utility>

#include "sasl/mechanisms.h"
#include "wire/error_code.h"

namespace ringkafka::broker {
namespace {

using config::SaslMechanism;
using Step = Authenticator::Step;

std::string error_name(std::int16_t code) {
  return std::string(wire::error_info(code).name);
}

std::string_view text_of(std::span<const std::byte> b) noexcept {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

Step Authenticator::fail(std::string why, bool refused) {
  state_ = State::kFailed;
  scram_.reset();
  return {Step::Kind::kFailed, std::move(why), refused};
}

Step Authenticator::done(std::int64_t lifetime_ms) {
  state_ = State::kDone;
  scram_.reset();
  lifetime_ms_ = lifetime_ms;
  return {Step::Kind::kDone, {}, false};
}

Step Authenticator::start(std::int64_t now_s) {
  state_ = State::kHandshake;
  scram_.reset();
  oauth_error_sent_ = false;
  oauth_status_.clear();
  lifetime_ms_ = 0;
  now_s_ = now_s;
  return {Step::Kind::kHandshake, config::mechanism_name(s_.mechanism), false};
}

Step Authenticator::on_handshake(const wire::SaslHandshakeResponse& r) {
  if (state_ != State::kHandshake) return fail("SaslHandshake answer out of turn", false);
  if (r.error_code == wire::code(wire::ErrorCode::kUnsupportedSaslMechanism)) {
    std::string list;
    for (std::size_t i = 0; i < r.mechanism_count; ++i) {
      if (i != 0) list += ", ";
      list += r.mechanisms[i];
    }
    return fail(std::string("sasl.mechanism=") + config::mechanism_name(s_.mechanism) +
                    " is not enabled on this listener (it offers " +
                    (list.empty() ? std::string("none") : list) + ")",
                true);
  }
  if (r.error_code != 0) {
    return fail("SaslHandshake refused: " + error_name(r.error_code), false);
  }
  state_ = State::kExchange;
  switch (s_.mechanism) {
    case SaslMechanism::kPlain:
      return {Step::Kind::kAuthenticate, sasl::plain_message(s_.username, s_.password), false};
    case SaslMechanism::kScramSha256:
    case SaslMechanism::kScramSha512: {
      const std::string nonce = sasl::scram_nonce();
      if (nonce.empty()) return fail("no random bytes for the SCRAM nonce", false);
      scram_.emplace(s_.mechanism == SaslMechanism::kScramSha256 ? sasl::ScramHash::kSha256
                                                                 : sasl::ScramHash::kSha512,
                     s_.username, s_.password, nonce);
      auto first = scram_->client_first();
      if (!first.ok) return fail("SCRAM: " + first.text, false);
      return {Step::Kind::kAuthenticate, std::move(first.text), false};
    }
    case SaslMechanism::kOAuthBearer: {
      std::string message;
      std::string why;
      if (tokens_ != nullptr) {
        OAuthBearerToken t;
        if (!tokens_->current(t, why)) return fail("OAUTHBEARER: no token: " + why, true);
        principal_ = t.principal;
        if (!sasl::oauthbearer_message(t.value, t.extensions, message, why)) {
          return fail("OAUTHBEARER: " + why, true);
        }
        return {Step::Kind::kAuthenticate, std::move(message), false};
      }
      principal_ = s_.jwt_principal;
      const std::string token =
          sasl::unsecured_jwt(s_.jwt_principal, now_s_, s_.jwt_lifetime_s, s_.jwt_scope);
      if (!sasl::oauthbearer_message(token, s_.extensions, message, why)) {
        return fail("OAUTHBEARER: " + why, false);
      }
      return {Step::Kind::kAuthenticate, std::move(message), false};
    }
    case SaslMechanism::kGssapi:
      break;
  }
  return fail("GSSAPI is not supported", true);
}

Step Authenticator::on_authenticate(const wire::SaslAuthenticateResponse& r) {
  if (state_ != State::kExchange) return fail("SaslAuthenticate answer out of turn", false);
  if (r.error_code != 0) {
    // SASL_AUTHENTICATION_FAILED (58) with the broker's reason; after it the
    // broker closes the connection.
    const bool oauth = s_.mechanism == SaslMechanism::kOAuthBearer;
    std::string why = std::string(r.error_code == wire::code(wire::ErrorCode::kSaslAuthenticationFailed)
                                      ? "credentials refused for "
                                      : "SaslAuthenticate failed for ") +
                      (oauth ? "principal \"" + principal_ : "user \"" + s_.username) +
                      "\" with " + config::mechanism_name(s_.mechanism) + " (" +
                      error_name(r.error_code) + ")";
    if (!r.error_message.empty()) why += ": " + std::string(r.error_message);
    if (!oauth_status_.empty()) why += " (token refused: " + oauth_status_ + ")";
    return fail(std::move(why), r.error_code == wire::code(wire::ErrorCode::kSaslAuthenticationFailed));
  }
  if (scram_) {
    const auto st = scram_->state();
    auto next = st == sasl::ScramClient::State::kSentFirst ? scram_->on_server_first(text_of(r.auth_bytes))
                                                           : scram_->on_server_final(text_of(r.auth_bytes));
    if (!next.ok) return fail("SCRAM: " + next.text, false);
    if (scram_->state() == sasl::ScramClient::State::kDone) return done(r.session_lifetime_ms);
    return {Step::Kind::kAuthenticate, std::move(next.text), false};
  }
  if (s_.mechanism == SaslMechanism::kOAuthBearer && !r.auth_bytes.empty() && !oauth_error_sent_) {
    // RFC 7628 3.2.2: a JSON status instead of success; the client answers
    // a lone 0x01 and the server then fails the exchange (error 58).
    oauth_error_sent_ = true;
    oauth_status_ = std::string(text_of(r.auth_bytes));
    return {Step::Kind::kAuthenticate, sasl::oauthbearer_error_reply(), false};
  }
  return done(r.session_lifetime_ms);
}

}  // namespace ringkafka::broker
