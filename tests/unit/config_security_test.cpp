// The security keys (security_keys.cpp): what each combination resolves to
// and the error each mistake gives.
#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>

#include "config/keys.h"
#include "config/settings.h"
#include "ringkafka/config.h"

namespace rc = ringkafka::config;
using ringkafka::Config;
using ringkafka::Errc;
using KV = std::pair<std::string, std::string>;

namespace {

Config with(std::initializer_list<KV> kvs) {
  Config c;
  c.bootstrap_servers("localhost:9092");
  for (const auto& [k, v] : kvs) {
    auto r = c.set(k, v);
    EXPECT_TRUE(r.ok()) << k << "=" << v << ": " << (r.ok() ? "" : r.error().message);
  }
  return c;
}

rc::Security ok(std::initializer_list<KV> kvs) {
  auto s = rc::parse_settings(with(kvs));
  EXPECT_TRUE(s.ok()) << s.error().message;
  if (!s.ok()) return {};
  return s.value().security;
}

void refused(std::initializer_list<KV> kvs, std::initializer_list<std::string> parts) {
  auto s = rc::parse_settings(with(kvs));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, Errc::kInvalidConfig);
  for (const auto& part : parts) {
    EXPECT_NE(s.error().message.find(part), std::string::npos)
        << "\"" << part << "\" not in: " << s.error().message;
  }
}

TEST(ConfigSecurity, PlaintextByDefault) {
  const rc::Security s = ok({});
  EXPECT_EQ(s.protocol, rc::SecurityProtocol::kPlaintext);
  EXPECT_FALSE(s.uses_tls());
  EXPECT_FALSE(s.uses_sasl());
  EXPECT_TRUE(s.tls.verify_certificate);
  EXPECT_TRUE(s.tls.verify_hostname);
}

TEST(ConfigSecurity, ProtocolInEitherCase) {
  EXPECT_EQ(ok({{"security.protocol", "SSL"}}).protocol, rc::SecurityProtocol::kSsl);
  EXPECT_EQ(ok({{"security.protocol", "ssl"}}).protocol, rc::SecurityProtocol::kSsl);
  Config c;
  auto r = c.set("security.protocol", "tls");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("one of plaintext, ssl, sasl_plaintext, sasl_ssl"),
            std::string::npos);
}

TEST(ConfigSecurity, KeysOfAnotherProtocolAreRefused) {
  refused({{"ssl.ca.location", "/ca.pem"}},
          {"ssl.ca.location is set", "security.protocol=PLAINTEXT uses no TLS"});
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.username", "u"}, {"sasl.password", "p"}, {"enable.ssl.certificate.verification",
                                                           "false"}},
          {"enable.ssl.certificate.verification is set", "SASL_PLAINTEXT uses no TLS"});
  refused({{"security.protocol", "ssl"}, {"sasl.username", "alice"}},
          {"sasl.username is set", "security.protocol=SSL uses no SASL"});
  // A default written out is not "set".
  ok({{"ssl.endpoint.identification.algorithm", "https"}});
}

TEST(ConfigSecurity, SaslNeedsAMechanismOtherThanGssapi) {
  refused({{"security.protocol", "sasl_ssl"}},
          {"sasl.mechanism", "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER", "GSSAPI"});
}

TEST(ConfigSecurity, UserAndPassword) {
  const auto s = ok({{"security.protocol", "SASL_SSL"}, {"sasl.mechanisms", "SCRAM-SHA-512"},
                     {"sasl.username", "alice"}, {"sasl.password", "alice-secret"}});
  EXPECT_EQ(s.sasl.mechanism, rc::SaslMechanism::kScramSha512);
  EXPECT_EQ(s.sasl.username, "alice");
  EXPECT_EQ(s.sasl.password, "alice-secret");
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"}},
          {"sasl.username", "PLAIN needs a user"});
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.username", "alice"}},
          {"sasl.password", "needs a password"});
}

TEST(ConfigSecurity, JavaJaasConfig) {
  const auto s = ok({{"security.protocol", "sasl_plaintext"},
                     {"sasl.mechanism", "SCRAM-SHA-256"},
                     {"sasl.jaas.config",
                      "org.apache.kafka.common.security.scram.ScramLoginModule required "
                      "username=\"al ice\" password=\"a\\\"b;c\";"}});
  EXPECT_EQ(s.sasl.username, "al ice");
  EXPECT_EQ(s.sasl.password, "a\"b;c");
  const auto bare = ok({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
                        {"sasl.jaas.config",
                         "org.apache.kafka.common.security.plain.PlainLoginModule required "
                         "username=bob password=x ;"}});
  EXPECT_EQ(bare.sasl.username, "bob");
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.jaas.config",
            "org.apache.kafka.common.security.scram.ScramLoginModule required username=a "
            "password=b;"}},
          {"ScramLoginModule", "does not fit sasl.mechanism=PLAIN"});
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.jaas.config", "com.example.Kerberos required;"}},
          {"com.example.Kerberos", "not supported"});
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=a"}},
          {"sasl.jaas.config", "does not end with \";\""});
  refused({{"security.protocol", "sasl_plaintext"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.username", "a"},
           {"sasl.jaas.config",
            "org.apache.kafka.common.security.plain.PlainLoginModule required username=a "
            "password=b;"}},
          {"both set"});
}

TEST(ConfigSecurity, UnsecuredOAuthBearer) {
  const auto s = ok({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"},
                     {"enable.sasl.oauthbearer.unsecure.jwt", "true"},
                     {"sasl.oauthbearer.config",
                      "principal=alice scope=a,b lifeSeconds=60 extension_traceId=7"}});
  EXPECT_TRUE(s.sasl.unsecured_jwt);
  EXPECT_EQ(s.sasl.jwt_principal, "alice");
  EXPECT_EQ(s.sasl.jwt_scope, "a,b");
  EXPECT_EQ(s.sasl.jwt_lifetime_s, 60);
  ASSERT_EQ(s.sasl.extensions.size(), 1U);
  EXPECT_EQ(s.sasl.extensions[0], (std::pair<std::string, std::string>{"traceId", "7"}));
  const auto java = ok({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"},
                        {"sasl.jaas.config",
                         "org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule "
                         "required unsecuredLoginStringClaim_sub=\"bob\";"}});
  EXPECT_TRUE(java.sasl.unsecured_jwt);
  EXPECT_EQ(java.sasl.jwt_principal, "bob");
  refused({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"}},
          {"OAUTHBEARER needs a token"});
  refused({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"},
           {"enable.sasl.oauthbearer.unsecure.jwt", "true"},
           {"sasl.oauthbearer.config", "scope=a"}},
          {"needs principal=NAME"});
  refused({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"},
           {"enable.sasl.oauthbearer.unsecure.jwt", "true"},
           {"sasl.oauthbearer.config", "principal=a colour=red"}},
          {"\"colour\" is not one of"});
  refused({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"},
           {"enable.sasl.oauthbearer.unsecure.jwt", "true"},
           {"sasl.oauthbearer.config", "principal=a extension_a1=x"}},
          {"extension \"a1\"", "letters only"});
  refused({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "PLAIN"},
           {"sasl.username", "a"}, {"sasl.password", "b"},
           {"enable.sasl.oauthbearer.unsecure.jwt", "true"}},
          {"enable.sasl.oauthbearer.unsecure.jwt is set", "PLAIN"});
}

TEST(ConfigSecurity, TlsFiles) {
  const auto s = ok({{"security.protocol", "ssl"}, {"ssl.ca.location", "/pki/ca.pem"},
                     {"ssl.certificate.location", "/pki/alice.pem"},
                     {"ssl.key.location", "/pki/alice.key"}, {"ssl.key.password", "pw"},
                     {"ssl.endpoint.identification.algorithm", "none"},
                     {"enable.ssl.certificate.verification", "false"}});
  EXPECT_EQ(s.tls.ca_location, "/pki/ca.pem");
  EXPECT_EQ(s.tls.certificate_location, "/pki/alice.pem");
  EXPECT_EQ(s.tls.key_location, "/pki/alice.key");
  EXPECT_EQ(s.tls.key_password, "pw");
  EXPECT_FALSE(s.tls.verify_hostname);
  EXPECT_FALSE(s.tls.verify_certificate);
  // Java's empty algorithm means none too.
  EXPECT_FALSE(ok({{"security.protocol", "ssl"}, {"ssl.endpoint.identification.algorithm", ""}})
                   .tls.verify_hostname);
  refused({{"security.protocol", "ssl"}, {"ssl.certificate.location", "/a.pem"}},
          {"without ssl.key.location"});
  refused({{"security.protocol", "ssl"}, {"ssl.ca.location", "/a"}, {"ssl.ca.pem", "x"}},
          {"both set"});
}

TEST(ConfigSecurity, EnabledProtocols) {
  const auto only13 = ok({{"security.protocol", "ssl"}, {"ssl.enabled.protocols", "TLSv1.3"}});
  EXPECT_FALSE(only13.tls.tls12);
  EXPECT_TRUE(only13.tls.tls13);
  const auto both = ok({{"security.protocol", "ssl"}});
  EXPECT_TRUE(both.tls.tls12 && both.tls.tls13);
  refused({{"security.protocol", "ssl"}, {"ssl.enabled.protocols", "TLSv1.1,TLSv1.2"}},
          {"\"TLSv1.1\" is not supported"});
  refused({{"security.protocol", "ssl"}, {"ssl.enabled.protocols", " , "}}, {"names no protocol"});
}

}  // namespace

namespace {

ringkafka::Result<ringkafka::OAuthBearerToken> no_token(void*) {
  return ringkafka::Error{Errc::kAuthentication, "none"};
}

TEST(ConfigSecurity, TokenCallback) {
  Config c = with({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "OAUTHBEARER"}});
  c.oauthbearer_token_callback(no_token);
  auto s = rc::parse_settings(c);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_EQ(s.value().security.sasl.token_callback, &no_token);

  ASSERT_TRUE(c.set("enable.sasl.oauthbearer.unsecure.jwt", "true").ok());
  ASSERT_TRUE(c.set("sasl.oauthbearer.config", "principal=a").ok());
  s = rc::parse_settings(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("are both set"), std::string::npos) << s.error().message;

  Config plain = with({{"security.protocol", "sasl_ssl"}, {"sasl.mechanism", "PLAIN"},
                       {"sasl.username", "a"}, {"sasl.password", "b"}});
  plain.oauthbearer_token_callback(no_token);
  s = rc::parse_settings(plain);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("sasl.mechanism is PLAIN"), std::string::npos);

  Config none = with({});
  none.oauthbearer_token_callback(no_token);
  s = rc::parse_settings(none);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message.find("uses no SASL"), std::string::npos);
}

}  // namespace
