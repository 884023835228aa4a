// Connection's handshake pipeline after TCP (and TLS): ApiVersions, which
// fixes the version of every request, then SASL (broker/authenticator.h)
// when the listener wants it, and KIP-368's re-authentication on an open
// connection.  The rest of Connection is in connection.cpp.
#include <cstdio>
#include <cstring>

#include "broker/connection.h"
#include "core/clock.h"
#include "wire/api_versions.h"
#include "wire/codec.h"
#include "wire/error_code.h"
#include "wire/sasl.h"

namespace ringkafka::broker {

// The handshake pipeline after TCP (and TLS): ApiVersions, then SASL.
void Connection::start_api_versions(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  handshake_ = Handshake::kApiVersions;
  api_versions_version_ = 3;
  if (!receive_more(now_ns, events)) return;
  send_api_versions(now_ns, events);
}

void Connection::send_api_versions(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  wire::Writer w(send_buf_);
  const auto h = header(wire::ApiKey::kApiVersions, api_versions_version_);
  if (!wire::encode_api_versions_request(w, h, {"ringkafka", "0.1.0"})) {
    fail("cannot encode ApiVersions", events);
    return;
  }
  send(w.position(), h, true, nullptr, now_ns, events);
}

bool Connection::on_api_versions(const InFlight& f, std::span<const std::byte> body,
                                 std::int64_t now_ns, ConnectionEvents& events) noexcept {
  wire::ApiVersionsResponse v;
  auto st = wire::decode_api_versions_response(body, f.version, v);
  if (st != wire::DecodeStatus::kOk && f.version != 0) {
    // An old broker answers in v0 with UNSUPPORTED_VERSION (KIP-511).
    st = wire::decode_api_versions_response(body, 0, v);
  }
  if (st != wire::DecodeStatus::kOk) {
    fail("cannot decode ApiVersions", events);
    return false;
  }
  if (v.error_code == wire::code(wire::ErrorCode::kUnsupportedVersion) &&
      api_versions_version_ != 0) {
    api_versions_version_ = 0;
    send_api_versions(now_ns, events);
    return true;
  }
  if (v.error_code != 0) {
    fail("ApiVersions refused", events);
    return false;
  }
  for (std::size_t k = 0; k < versions_.size(); ++k) {
    versions_[k] = wire::negotiate_version(static_cast<wire::ApiKey>(k), v);
  }
  transaction_version_ = v.transaction_version;
  if (version(wire::ApiKey::kMetadata) < 0 || version(wire::ApiKey::kProduce) < 0) {
    events.on_unusable(*this, "speaks no Produce or Metadata version ringkafka knows "
                              "(Kafka 2.4 or newer is needed)");
    fail("unsupported broker", events);
    return false;
  }
  RK_DEBUG(s_.log, kFeature, "node %d (%s:%u): Produce v%d, Metadata v%d, transaction.version %d",
           node_id_, host_.c_str(), port_, version(wire::ApiKey::kProduce),
           version(wire::ApiKey::kMetadata), transaction_version_);
  next_handshake_step(events);
  return true;
}

void Connection::next_handshake_step(ConnectionEvents& events) noexcept {
  switch (handshake_) {
    case Handshake::kTls:  // start_api_versions() moves past it
    case Handshake::kApiVersions:
      handshake_ = Handshake::kAuthenticate;
      if (auth_) {
        if (version(wire::ApiKey::kSaslHandshake) < 1 ||
            version(wire::ApiKey::kSaslAuthenticate) < 0) {
          fail("the broker offers no SASL (SaslHandshake v1, SaslAuthenticate)", events);
          return;
        }
        (void)auth_step(auth_->start(core::wall_ms() / 1000), core::mono_ns(), events);
        return;
      }
      [[fallthrough]];
    case Handshake::kAuthenticate:
      handshake_ = Handshake::kDone;
      [[fallthrough]];
    case Handshake::kDone:
      set_state(State::kReady);
      backoff_ms_ = s_.reconnect_backoff_ms;
      failure_ = Errc::kOk;
      for (auto& t : told_) t[0] = '\0';
      ++stats.connects;
      RK_DEBUG(s_.log, kBroker, "node %d (%s:%u) ready", node_id_, host_.c_str(), port_);
      events.on_ready(*this);
      return;
  }
}

bool Connection::auth_step(Authenticator::Step step, std::int64_t now_ns,
                           ConnectionEvents& events) noexcept {
  using Kind = Authenticator::Step::Kind;
  switch (step.kind) {
    case Kind::kHandshake:
    case Kind::kAuthenticate: {
      wire::Writer w(send_buf_);
      const bool hs = step.kind == Kind::kHandshake;
      const auto key = hs ? wire::ApiKey::kSaslHandshake : wire::ApiKey::kSaslAuthenticate;
      const auto h = header(key, hs ? std::int16_t{1} : version(key));
      const bool encoded =
          hs ? wire::encode_sasl_handshake_request(w, h, step.bytes)
             : wire::encode_sasl_authenticate_request(w, h, std::as_bytes(std::span(step.bytes)));
      if (!encoded) {
        fail("cannot encode a SASL request", events);
        return false;
      }
      send(w.position(), h, true, nullptr, now_ns, events);
      return open();
    }
    case Kind::kDone: {
      const std::int64_t life = auth_->session_lifetime_ms();
      // Java's 85-95 % of the lifetime (librdkafka's 90 %): early enough
      // that the exchange and the requests drained before it fit.
      reauth_at_ns_ = life <= 0 ? INT64_MAX
                                : now_ns + core::ms_to_ns(life * 65 / 100 + jitter_(life / 4));
      RK_DEBUG(s_.log, kSecurity, "node %d: %s authenticated%s (session %lld ms)", node_id_,
               config::mechanism_name(s_.security.sasl.mechanism),
               reauthenticating_ ? " again" : "", static_cast<long long>(life));
      if (reauthenticating_) {
        reauthenticating_ = false;
        reauth_wanted_ = false;
        events.on_reauthenticated(*this);
        if (state_changed_ != nullptr) *state_changed_ = true;  // the sender may send again
        rearm(now_ns);
        return true;
      }
      next_handshake_step(events);
      return open();
    }
    case Kind::kFailed: {
      if (step.refused) refused(step.bytes.c_str(), events);
      fail(step.bytes.c_str(), events);
      return false;
    }
  }
  return false;
}

bool Connection::on_auth_response(const InFlight& f, std::span<const std::byte> body,
                                  std::int64_t now_ns, ConnectionEvents& events) noexcept {
  if (!auth_) {
    fail("a SASL answer without SASL", events);
    return false;
  }
  if (f.key == wire::ApiKey::kSaslHandshake) {
    wire::SaslHandshakeResponse r;
    if (wire::decode_sasl_handshake_response(body, f.version, r) != wire::DecodeStatus::kOk) {
      fail("cannot decode SaslHandshake", events);
      return false;
    }
    return auth_step(auth_->on_handshake(r), now_ns, events);
  }
  wire::SaslAuthenticateResponse r;
  if (wire::decode_sasl_authenticate_response(body, f.version, r) != wire::DecodeStatus::kOk) {
    fail("cannot decode SaslAuthenticate", events);
    return false;
  }
  return auth_step(auth_->on_authenticate(r), now_ns, events);
}

void Connection::maybe_reauthenticate(std::int64_t now_ns, ConnectionEvents& events) noexcept {
  if (!reauth_wanted_ || reauthenticating_ || !ready() || send_busy_ || in_flight_count_ != 0) {
    return;
  }
  reauthenticating_ = true;
  RK_DEBUG(s_.log, kSecurity, "node %d: re-authenticating (KIP-368)", node_id_);
  (void)auth_step(auth_->start(core::wall_ms() / 1000), now_ns, events);
}

}  // namespace ringkafka::broker
