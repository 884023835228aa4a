// The SASL step's state machine (broker/authenticator.h) against scripted
// broker answers: each mechanism to kDone, a SCRAM exchange checked by a
// server written here from RFC 5802 with OpenSSL, and every refusal with the
// text the user will read.
#include "broker/authenticator.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sasl/base64.h"

namespace {

namespace rb = ringkafka::broker;
namespace rc = ringkafka::config;
using Kind = rb::Authenticator::Step::Kind;
using State = rb::Authenticator::State;

rc::SaslSettings settings(rc::SaslMechanism m, std::string user = "alice",
                          std::string password = "alice-secret") {
  rc::SaslSettings s;
  s.mechanism = m;
  s.username = std::move(user);
  s.password = std::move(password);
  return s;
}

ringkafka::wire::SaslHandshakeResponse handshake_ok() { return {}; }

ringkafka::wire::SaslAuthenticateResponse answer(const std::string& bytes, std::int16_t error = 0,
                                                 std::string_view message = {},
                                                 std::int64_t lifetime = 0) {
  ringkafka::wire::SaslAuthenticateResponse r;
  r.error_code = error;
  r.error_message = message;
  r.auth_bytes = std::as_bytes(std::span(bytes));
  r.session_lifetime_ms = lifetime;
  return r;
}

TEST(BrokerAuthenticator, PlainInOneRoundTrip) {
  const auto s = settings(rc::SaslMechanism::kPlain);
  rb::Authenticator a(s);
  auto step = a.start(0);
  EXPECT_EQ(step.kind, Kind::kHandshake);
  EXPECT_EQ(step.bytes, "PLAIN");
  step = a.on_handshake(handshake_ok());
  ASSERT_EQ(step.kind, Kind::kAuthenticate);
  EXPECT_EQ(step.bytes, std::string("\0alice\0alice-secret", 19));
  const std::string empty;
  step = a.on_authenticate(answer(empty, 0, {}, 10000));
  EXPECT_EQ(step.kind, Kind::kDone);
  EXPECT_EQ(a.state(), State::kDone);
  EXPECT_EQ(a.session_lifetime_ms(), 10000);
  // KIP-368: the same exchange again.
  EXPECT_EQ(a.start(0).kind, Kind::kHandshake);
  EXPECT_EQ(a.session_lifetime_ms(), 0);
}

TEST(BrokerAuthenticator, UnsupportedMechanismNamesTheListenersOwn) {
  const auto s = settings(rc::SaslMechanism::kScramSha512);
  rb::Authenticator a(s);
  (void)a.start(0);
  ringkafka::wire::SaslHandshakeResponse r;
  r.error_code = 33;
  r.mechanisms[0] = "PLAIN";
  r.mechanisms[1] = "SCRAM-SHA-256";
  r.mechanism_count = 2;
  const auto step = a.on_handshake(r);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_TRUE(step.refused);
  EXPECT_EQ(step.bytes,
            "sasl.mechanism=SCRAM-SHA-512 is not enabled on this listener (it offers PLAIN, "
            "SCRAM-SHA-256)");
}

TEST(BrokerAuthenticator, WrongPasswordCarriesTheBrokersText) {
  const auto s = settings(rc::SaslMechanism::kPlain);
  rb::Authenticator a(s);
  (void)a.start(0);
  (void)a.on_handshake(handshake_ok());
  const std::string empty;
  const auto step = a.on_authenticate(
      answer(empty, 58, "Authentication failed: Invalid username or password"));
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_TRUE(step.refused);
  EXPECT_EQ(step.bytes,
            "credentials refused for user \"alice\" with PLAIN (SASL_AUTHENTICATION_FAILED): "
            "Authentication failed: Invalid username or password");
  EXPECT_EQ(a.state(), State::kFailed);
}

TEST(BrokerAuthenticator, AnswersOutOfTurnFail) {
  const auto s = settings(rc::SaslMechanism::kPlain);
  rb::Authenticator a(s);
  const std::string empty;
  EXPECT_EQ(a.on_authenticate(answer(empty)).kind, Kind::kFailed);
  (void)a.start(0);
  EXPECT_EQ(a.on_authenticate(answer(empty)).kind, Kind::kFailed);
  (void)a.start(0);
  ringkafka::wire::SaslHandshakeResponse illegal;
  illegal.error_code = 34;
  const auto step = a.on_handshake(illegal);
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_FALSE(step.refused);
  EXPECT_EQ(step.bytes, "SaslHandshake refused: ILLEGAL_SASL_STATE");
}

// --- SCRAM against a server computed here ------------------------------------

using Bytes = std::vector<unsigned char>;

Bytes hmac(const EVP_MD* md, const Bytes& key, std::string_view data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned n = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &n);
  out.resize(n);
  return out;
}

Bytes digest(const EVP_MD* md, const Bytes& in) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned n = 0;
  EVP_Digest(in.data(), in.size(), out.data(), &n, md, nullptr);
  out.resize(n);
  return out;
}

struct ScramServer {
  const EVP_MD* md;
  std::string password;
  std::string client_first_bare;
  std::string server_first;
  Bytes salted;

  std::string first(const std::string& client_first) {
    client_first_bare = client_first.substr(3);  // past "n,,"
    const std::string nonce = client_first_bare.substr(client_first_bare.find("r=") + 2);
    const Bytes salt = {1, 2, 3, 4, 5, 6, 7, 8};
    salted.resize(static_cast<std::size_t>(EVP_MD_get_size(md)));
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()), salt.data(),
                      static_cast<int>(salt.size()), 4096, md, static_cast<int>(salted.size()),
                      salted.data());
    server_first = "r=" + nonce + "srv,s=" + ringkafka::sasl::base64(salt) + ",i=4096";
    return server_first;
  }
  // The server's signature if the client's proof is right, else "".
  std::string final_(const std::string& client_final) {
    const std::string without_proof = client_final.substr(0, client_final.find(",p="));
    const std::string auth = client_first_bare + "," + server_first + "," + without_proof;
    const Bytes client_key = hmac(md, salted, "Client Key");
    const Bytes signature = hmac(md, digest(md, client_key), auth);
    const auto proof = ringkafka::sasl::unbase64(client_final.substr(client_final.find(",p=") + 3));
    if (!proof || proof->size() != client_key.size()) return "";
    for (std::size_t i = 0; i < client_key.size(); ++i) {
      if (((*proof)[i] ^ signature[i]) != client_key[i]) return "";
    }
    return "v=" + ringkafka::sasl::base64(hmac(md, hmac(md, salted, "Server Key"), auth));
  }
};

void scram_exchange(rc::SaslMechanism m, const EVP_MD* md) {
  const auto s = settings(m, "al=ice,", "pa,ss");
  rb::Authenticator a(s);
  EXPECT_EQ(a.start(0).bytes, m == rc::SaslMechanism::kScramSha256 ? "SCRAM-SHA-256" : "SCRAM-SHA-512");
  auto step = a.on_handshake(handshake_ok());
  ASSERT_EQ(step.kind, Kind::kAuthenticate);
  EXPECT_TRUE(step.bytes.starts_with("n,,n=al=3Dice=2C,r=")) << step.bytes;
  ScramServer server{md, "pa,ss", {}, {}, {}};
  step = a.on_authenticate(answer(server.first(step.bytes)));
  ASSERT_EQ(step.kind, Kind::kAuthenticate) << step.bytes;
  const std::string v = server.final_(step.bytes);
  ASSERT_FALSE(v.empty()) << "the client's proof is wrong";
  step = a.on_authenticate(answer(v, 0, {}, 3600000));
  EXPECT_EQ(step.kind, Kind::kDone) << step.bytes;
  EXPECT_EQ(a.session_lifetime_ms(), 3600000);
}

TEST(BrokerAuthenticator, ScramSha256) { scram_exchange(rc::SaslMechanism::kScramSha256, EVP_sha256()); }
TEST(BrokerAuthenticator, ScramSha512) { scram_exchange(rc::SaslMechanism::kScramSha512, EVP_sha512()); }

TEST(BrokerAuthenticator, ScramServerWithTheWrongKeyIsRefused) {
  const auto s = settings(rc::SaslMechanism::kScramSha256);
  rb::Authenticator a(s);
  (void)a.start(0);
  auto step = a.on_handshake(handshake_ok());
  ScramServer server{EVP_sha256(), "not-alice-secret", {}, {}, {}};
  step = a.on_authenticate(answer(server.first(step.bytes)));
  ASSERT_EQ(step.kind, Kind::kAuthenticate);
  // A server that does not know the password cannot sign: forge one.
  step = a.on_authenticate(answer("v=" + ringkafka::sasl::base64(Bytes(32, 7))));
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_FALSE(step.refused);
  EXPECT_NE(step.bytes.find("SCRAM"), std::string::npos) << step.bytes;
}

// --- OAUTHBEARER ---------------------------------------------------------------

TEST(BrokerAuthenticator, OAuthBearerUnsecuredToken) {
  rc::SaslSettings s;
  s.mechanism = rc::SaslMechanism::kOAuthBearer;
  s.unsecured_jwt = true;
  s.jwt_principal = "alice";
  s.extensions = {{"traceId", "7"}};
  rb::Authenticator a(s);
  EXPECT_EQ(a.start(1'700'000'000).bytes, "OAUTHBEARER");
  auto step = a.on_handshake(handshake_ok());
  ASSERT_EQ(step.kind, Kind::kAuthenticate);
  EXPECT_TRUE(step.bytes.starts_with("n,,\x01" "auth=Bearer eyJhbGciOiJub25lIn0."));
  EXPECT_NE(step.bytes.find("\x01traceId=7\x01\x01"), std::string::npos);
  const std::string empty;
  EXPECT_EQ(a.on_authenticate(answer(empty)).kind, Kind::kDone);
}

TEST(BrokerAuthenticator, OAuthBearerRefusedTokenAnswersTheStatusThenFails) {
  rc::SaslSettings s;
  s.mechanism = rc::SaslMechanism::kOAuthBearer;
  s.unsecured_jwt = true;
  s.jwt_principal = "alice";
  rb::Authenticator a(s);
  (void)a.start(0);
  (void)a.on_handshake(handshake_ok());
  auto step = a.on_authenticate(answer("{\"status\":\"invalid_token\"}"));
  ASSERT_EQ(step.kind, Kind::kAuthenticate);
  EXPECT_EQ(step.bytes, "\x01");
  const std::string empty;
  step = a.on_authenticate(answer(empty, 58, "Authentication failed"));
  EXPECT_EQ(step.kind, Kind::kFailed);
  EXPECT_TRUE(step.refused);
  EXPECT_NE(step.bytes.find("token refused: {\"status\":\"invalid_token\"}"), std::string::npos)
      << step.bytes;
}

}  // namespace
