// The security part of Settings: how a connection is protected (TLS) and
// authenticated (SASL), from security.protocol, ssl.* and sasl.* with
// librdkafka's and the Java client's names (docs/security.md).  Only
// parse_settings() fills it; files named here are read when the producer is
// made (tls/context.h), so an unreadable key fails create(), not a send.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ringkafka/config.h"

namespace ringkafka::config {

enum class SecurityProtocol : std::uint8_t { kPlaintext, kSsl, kSaslPlaintext, kSaslSsl };

// GSSAPI is the Java client's and librdkafka's default and is named so that
// a SASL listener without sasl.mechanism set gets an error saying so.
enum class SaslMechanism : std::uint8_t { kGssapi, kPlain, kScramSha256, kScramSha512, kOAuthBearer };

struct TlsSettings {
  // PEM: a file, a directory (c_rehash'ed), or the text itself; empty:
  // the system's trust store.
  std::string ca_location;       // ssl.ca.location
  std::string ca_pem;            // ssl.ca.pem
  std::string certificate_location;  // ssl.certificate.location (mTLS)
  std::string certificate_pem;   // ssl.certificate.pem
  std::string key_location;      // ssl.key.location
  std::string key_pem;           // ssl.key.pem
  std::string key_password;      // ssl.key.password (an encrypted key's)
  bool verify_certificate = true;  // enable.ssl.certificate.verification
  bool verify_hostname = true;     // ssl.endpoint.identification.algorithm=https
  std::string cipher_suites;     // ssl.cipher.suites: OpenSSL's names, TLS_* ones for 1.3
  bool tls12 = true;             // ssl.enabled.protocols
  bool tls13 = true;
};

struct SaslSettings {
  SaslMechanism mechanism = SaslMechanism::kGssapi;  // sasl.mechanism
  std::string username;  // sasl.username, or sasl.jaas.config's
  std::string password;  // sasl.password, or sasl.jaas.config's
  // OAUTHBEARER with an unsecured token made here (for tests and
  // development clusters), from sasl.oauthbearer.config with
  // enable.sasl.oauthbearer.unsecure.jwt, or from the Java login module's
  // unsecuredLoginStringClaim_sub.
  bool unsecured_jwt = false;
  std::string jwt_principal;
  std::string jwt_scope;
  std::int64_t jwt_lifetime_s = 3600;
  std::vector<std::pair<std::string, std::string>> extensions;  // KIP-342
  // Config::oauthbearer_token_callback: the application's tokens instead.
  OAuthBearerTokenCallback token_callback = nullptr;
  void* token_context = nullptr;
};

struct Security {
  SecurityProtocol protocol = SecurityProtocol::kPlaintext;  // security.protocol
  TlsSettings tls;
  SaslSettings sasl;

  [[nodiscard]] bool uses_tls() const noexcept {
    return protocol == SecurityProtocol::kSsl || protocol == SecurityProtocol::kSaslSsl;
  }
  [[nodiscard]] bool uses_sasl() const noexcept {
    return protocol == SecurityProtocol::kSaslPlaintext || protocol == SecurityProtocol::kSaslSsl;
  }
};

// Java's and librdkafka's names: "PLAIN", "SCRAM-SHA-256", ...
[[nodiscard]] const char* mechanism_name(SaslMechanism m) noexcept;
[[nodiscard]] const char* protocol_name(SecurityProtocol p) noexcept;

}  // namespace ringkafka::config
